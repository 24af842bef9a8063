/**
 * The portal over real HTTP, on an ephemeral port, with a published month of the tiny fixtures:
 * who may download what (and that crafted paths get nothing), sessions and their cookie, login
 * throttling, disabled accounts, the audit of every download and refusal, uploads imported by a
 * child process — and that the portal never stands in the nightly run's way.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { COUNTIES } from '../domain/divisions.ts';
import { DETAILS, SHEET } from '../pipeline/publish/workbook-contract.ts';
import { auditReport, verifyAudit } from '../pipeline/audit.ts';
import { acquireLock } from '../pipeline/lock.ts';
import { nightly, withSession } from '../pipeline/run.ts';
import { addAccount, disableAccount, scryptCostForTests } from './accounts.ts';
import { startPortal, type RunningPortal } from './server.ts';
import { workbookPath, summaryPath } from './files.ts';
import { csrfIn, fillWorkbook, http, loginAs, multipart, PERIOD, publishedDataDir, TEST_SCRYPT, withoutHexTokens, type Reply } from './testing.ts';
import { bomb as zipBomb } from '../pipeline/load/test-support.ts';

const PW = 'correct-horse-battery';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const county = (code: string) => COUNTIES.find((c) => c.code === code)!;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

let dir: string;
let portal: RunningPortal;
let base: string;
let now = Date.now();
let downloads = 0; // successful downloads, to compare with the audit

const cookies: Record<string, string> = {};
/** After a test moved the clock by more than the idle timeout, every kept session is gone. */
const forgetSessions = () => Object.keys(cookies).forEach((k) => delete cookies[k]);

async function cookieOf(username: string): Promise<string> {
  if (!cookies[username]) {
    const { reply, cookie } = await loginAs(base, username, PW);
    expect(reply.status, reply.text).toBe(303);
    cookies[username] = cookie!;
  }
  return cookies[username];
}

async function get(path: string, username?: string) {
  const r = await http(base, 'GET', path, { cookie: username ? await cookieOf(username) : undefined });
  if (r.status === 200 && r.headers['content-type'] === XLSX) downloads++;
  return r;
}

/** Uploads a file as `username`; follows the upload's page until its import is done (`onWaiting`: when the page first says it is still importing). */
async function upload(username: string, file: Buffer, filename: string, at = base, onWaiting?: () => void): Promise<{ posted: Reply; result?: Reply; waited: boolean }> {
  const cookie = at === base ? await cookieOf(username) : (await loginAs(at, username, PW)).cookie!;
  const csrf = csrfIn((await http(at, 'GET', '/', { cookie })).text)!;
  const { body, contentType } = multipart([
    { name: 'csrf', value: csrf },
    { name: 'file', value: file, filename, type: XLSX },
  ]);
  const posted = await http(at, 'POST', '/upload', { cookie, body, headers: { 'Content-Type': contentType } });
  if (posted.status !== 303) return { posted, waited: false };
  let waited = false;
  for (let i = 0; i < 240; i++) {
    const result = await http(at, 'GET', String(posted.headers.location), { cookie });
    if (result.status !== 202) return { posted, result, waited };
    expect(result.text).toContain('已接收，正在导入');
    if (!waited) onWaiting?.();
    waited = true;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the import did not finish');
}

/**
 * The real cost for this test: throttling and the scrypt queue (and the floods, whose logins fill
 * it) depend on how long a password check takes, as in production.
 */
function atRealScryptCost(): void {
  scryptCostForTests(undefined);
  onTestFinished(() => scryptCostForTests(TEST_SCRYPT));
}

beforeAll(async () => {
  scryptCostForTests(TEST_SCRYPT);
  dir = await publishedDataDir([
    { username: 'xc', scope: 'county', scopeCode: '150102', password: PW }, // 新城区, 呼和浩特市
    { username: 'bt', scope: 'county', scopeCode: '150203', password: PW }, // 包头市
    { username: 'wc', scope: 'county', scopeCode: '150125', password: PW }, // 武川县, 呼和浩特市
    { username: 'hhht', scope: 'league', scopeCode: '1501', password: PW },
    { username: 'region', scope: 'region', scopeCode: null, password: PW },
    { username: 'gone', scope: 'county', scopeCode: '150502', password: PW },
    { username: 'limited', scope: 'county', scopeCode: '152502', password: PW },
    { username: 'short', scope: 'county', scopeCode: '150223', password: PW },
  ]);
  portal = await startPortal({ dataDir: dir, port: 0, clock: () => now, insecureHttp: true, imports: { lockWaitMs: 60_000 } });
  base = portal.url;
}, 120_000);

afterAll(async () => {
  await portal?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sessions', () => {
  it('a login sets an HttpOnly, SameSite=Strict session cookie; pages without one go to the login page', async () => {
    const { reply, setCookie, cookie } = await loginAs(base, 'xc', PW);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    cookies.xc = cookie!; // the pages below, as xc, with this session (a login is a scrypt)
    // --insecure-http (a trial on localhost): no Secure, so no __Host- prefix, no HSTS
    expect(setCookie).toMatch(/^hedui_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    expect(reply.headers['strict-transport-security']).toBeUndefined();

    const anonymous = await http(base, 'GET', '/');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login');
    const forged = await http(base, 'GET', `/p/${PERIOD}/download/150102`, { cookie: 'hedui_session=' + 'A'.repeat(43) });
    expect(forged.status).toBe(303);
    expect(forged.headers.location).toBe('/login');

    const home = await get('/', 'xc');
    expect(home.status).toBe(200);
    expect(home.headers['cache-control']).toBe('no-store');
    expect(home.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(home.text).toContain('150102_新城区_2026-10_核对疑点.xlsx');
    expect(home.text).toContain('enctype="multipart/form-data"');
  });

  it('by default the cookie is Secure with the __Host- prefix, and pages send HSTS', async () => {
    const secure = await startPortal({ dataDir: dir, port: 0, clock: () => now });
    try {
      const { reply, setCookie } = await loginAs(secure.url, 'xc', PW);
      expect(setCookie).toMatch(/^__Host-hedui_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Secure$/);
      expect(reply.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      // the plain name is not a session there
      expect((await http(secure.url, 'GET', '/', { cookie: setCookie!.split(';')[0].replace('__Host-', '') })).status).toBe(303);
      expect((await http(secure.url, 'GET', '/', { cookie: setCookie!.split(';')[0] })).status).toBe(200);
    } finally {
      await secure.close();
    }
  });

  it('ends a session idle for 30 minutes, and any session after 8 hours however busy', async () => {
    const saved = now;
    try {
      const idle = (await loginAs(base, 'short', PW)).cookie;
      now += 29 * 60_000;
      expect((await http(base, 'GET', '/', { cookie: idle })).status).toBe(200);
      now += 31 * 60_000;
      const r = await http(base, 'GET', `/p/${PERIOD}/download/150223`, { cookie: idle });
      expect(r.status).toBe(303);
      expect(r.headers.location).toBe('/login');

      const busy = (await loginAs(base, 'short', PW)).cookie;
      for (let i = 0; i < 19; i++) {
        now += 25 * 60_000; // never idle for 30 minutes
        expect((await http(base, 'GET', '/', { cookie: busy })).status, `after ${(i + 1) * 25} min`).toBe(200);
      }
      now += 25 * 60_000; // 8 h 20 min after the login
      expect((await http(base, 'GET', '/', { cookie: busy })).status).toBe(303);
    } finally {
      now = saved;
      forgetSessions();
    }
  });

  it('logout ends the server session, with or without the form token', async () => {
    for (const body of ['csrf=wrong', '']) {
      const { cookie } = await loginAs(base, 'wc', PW);
      expect((await http(base, 'GET', '/', { cookie })).status).toBe(200);
      const out = await http(base, 'POST', '/logout', { cookie, body, headers: FORM });
      expect(out.status).toBe(303);
      expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
      expect((await http(base, 'GET', '/', { cookie })).status, body).toBe(303);
    }
  });

  it('a disabled account cannot log in, and its open session ends at once', async () => {
    const { cookie } = await loginAs(base, 'gone', PW);
    expect((await http(base, 'GET', '/', { cookie })).status).toBe(200);
    disableAccount(portal.portal.state, 'gone');
    const r = await http(base, 'GET', `/p/${PERIOD}/download/150502`, { cookie });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/login');
    const { reply } = await loginAs(base, 'gone', PW);
    expect(reply.status).toBe(401);
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(reply.text).toContain('用户名或密码错误');
  });

  it('throttles failed logins per (username, address) with growing delays, the same for an unknown name; another address is not locked out', async () => {
    atRealScryptCost();
    const proxied = await startPortal({ dataDir: dir, port: 0, trustProxy: true, insecureHttp: true, clock: () => now });
    const saved = now;
    try {
      const from = (ip: string) => ({ 'X-Forwarded-For': `203.0.113.9, ${ip}` });
      const answers = async (username: string, ip: string) => {
        const seen: string[] = [];
        for (let i = 0; i < 8; i++) {
          const { reply } = await loginAs(proxied.url, username, 'wrong-password-' + i, from(ip));
          seen.push(`${reply.status} ${reply.headers['retry-after'] ?? ''}`);
        }
        return seen;
      };
      const known = await answers('limited', '10.0.0.9');
      const unknown = await answers('no-such-user', '10.0.0.9');
      expect(unknown).toEqual(known); // nothing tells whether a name exists
      expect(known[0]).toBe('401 ');
      expect(known.some((a) => a.startsWith('429 '))).toBe(true);
      // throttled: even the right password is not checked
      const throttled = await loginAs(proxied.url, 'limited', PW, from('10.0.0.9'));
      expect(throttled.reply.status).toBe(429);
      expect(throttled.reply.text).toMatch(/请 \d+ 秒后再试/);
      // the county is not locked out: its staff at another address log in
      expect((await loginAs(proxied.url, 'limited', PW, from('10.0.0.10'))).reply.status).toBe(303);
      // the delay grows with the failures, and passes
      const waits: number[] = [];
      for (let i = 0; i < 3; i++) {
        now += 10 * 60_000;
        const { reply } = await loginAs(proxied.url, 'limited', 'wrong-again', from('10.0.0.9'));
        expect(reply.status).toBe(401);
        waits.push(Number((await loginAs(proxied.url, 'limited', PW, from('10.0.0.9'))).reply.headers['retry-after']));
      }
      expect(waits[2]).toBeGreaterThan(waits[0]);
      now += 10 * 60_000;
      expect((await loginAs(proxied.url, 'limited', PW, from('10.0.0.9'))).reply.status).toBe(303);
    } finally {
      now = saved;
      forgetSessions();
      await proxied.close();
    }
  });

  it('refuses a login posted from another site (Origin), 403', async () => {
    const { reply } = await loginAs(base, 'xc', PW, { Origin: 'https://evil.example' });
    expect(reply.status).toBe(403);
    expect(reply.headers['set-cookie']).toBeUndefined();
    // under a no-referrer policy a browser sends Origin: null; then the fetch metadata decides
    expect((await loginAs(base, 'xc', PW, { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' })).reply.status).toBe(403);
    expect((await loginAs(base, 'xc', PW, { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' })).reply.status).toBe(303);
    expect((await loginAs(base, 'xc', PW, { Origin: base })).reply.status).toBe(303);
  });

  it('an account with a generated password must change it first; a weak new password is refused', async () => {
    await addAccount(portal.portal.state, { username: 'fresh', scope: 'county', scopeCode: '150104', password: 'Generated-Pw-4kQz9xW', mustChange: true });
    const { reply, cookie } = await loginAs(base, 'fresh', 'Generated-Pw-4kQz9xW');
    expect(reply.headers.location).toBe('/password');
    const home = await http(base, 'GET', '/', { cookie });
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/password');
    expect((await http(base, 'GET', `/p/${PERIOD}/download/150104`, { cookie })).headers.location).toBe('/password');
    const form = await http(base, 'GET', '/password', { cookie });
    expect(form.text).toContain('首次登录');
    const csrf = csrfIn(form.text)!;
    const change = (next: string) =>
      http(base, 'POST', '/password', { cookie, headers: FORM, body: new URLSearchParams({ csrf, current: 'Generated-Pw-4kQz9xW', new: next, repeat: next }).toString() });
    for (const weak of ['aaaaaaaaaa', 'fresh-fresh-2026', 'password123']) {
      const r = await change(weak);
      expect(r.status, weak).toBe(400);
      expect(r.text).toMatch(/密码/);
    }
    const ok = await change('Kettle orbit 47 meadow');
    expect(ok.status).toBe(303);
    expect((await http(base, 'GET', '/', { cookie })).status).toBe(200);
  });
});

describe('access', () => {
  it('a county downloads its own workbook, byte for byte, with its Chinese file name', async () => {
    const r = await get(`/p/${PERIOD}/download/150102`, 'xc');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(XLSX);
    expect(r.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('150102_新城区_2026-10_核对疑点.xlsx')}`);
    expect(r.body.equals(await readFile(workbookPath(dir, PERIOD, county('150102'))))).toBe(true);
  });

  it("a county gets 404 for another county's file, a league code, an unknown period, and every crafted path", async () => {
    const probes = [
      `/p/${PERIOD}/download/150203`, // another county (exists)
      `/p/${PERIOD}/download/150125`, // a county of the same league
      `/p/${PERIOD}/download/1501`, // a league code
      `/p/${PERIOD}/download/15`, // the region
      `/p/${PERIOD}/download/999999`, // no such county
      `/p/${PERIOD}/summary.xlsx`, // region only
      `/p/2026-09/download/150102`, // not published
      `/p/2026-13/download/150102`,
      `/p/2026-10/download/150102/../150203`,
      `/p/${PERIOD}/download/../../hedui.duckdb`,
      `/p/${PERIOD}/download/%2e%2e%2f%2e%2e%2fhedui.duckdb`,
      `/p/%2e%2e/download/150102`,
      `/p/..%2f..%2f/download/150102`,
      `/p/${PERIOD}/download/%31%35%30%32%30%33`, // 150203, percent-encoded
      encodeURI(`/p/${PERIOD}/1502_包头市/150203_东河区_2026-10_核对疑点.xlsx`),
      encodeURI(`/out/${PERIOD}/1501_呼和浩特市/150102_新城区_2026-10_核对疑点.xlsx`),
      '/hedui.duckdb',
      '//etc/passwd',
      '/etc/passwd',
      `${dir}/hedui.duckdb`,
      'http://localhost/etc/passwd',
      `/p/${PERIOD}/download/150102%00`,
      `/p/${PERIOD}/download/150102.xlsx`,
    ];
    for (const path of probes) {
      const r = await get(path, 'xc');
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).toMatch(/^text\/html/);
    }
    const page = await get(`/p/${PERIOD}`, 'xc');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('150203');
    expect((await get(`/p/2026-09`, 'xc')).status).toBe(404);
  });

  it("a league account sees and downloads only its counties' workbooks, not summary.xlsx", async () => {
    const page = await get(`/p/${PERIOD}`, 'hhht');
    expect(page.status).toBe(200);
    const listed = [...page.text.matchAll(/\/download\/(\d{6})/g)].map((m) => m[1]);
    const own = COUNTIES.filter((c) => c.leagueCode === '1501').map((c) => c.code);
    expect(new Set(listed)).toEqual(new Set(own));
    expect(page.text).not.toContain('summary.xlsx');
    expect((await get(`/p/${PERIOD}/download/150125`, 'hhht')).status).toBe(200);
    expect((await get(`/p/${PERIOD}/download/150203`, 'hhht')).status).toBe(404);
    expect((await get(`/p/${PERIOD}/summary.xlsx`, 'hhht')).status).toBe(404);
  });

  it('the region sees every county and downloads summary.xlsx', async () => {
    const page = await get(`/p/${PERIOD}`, 'region');
    const listed = new Set([...page.text.matchAll(/\/download\/(\d{6})/g)].map((m) => m[1]));
    expect(listed.size).toBe(COUNTIES.length);
    const summary = await get(`/p/${PERIOD}/summary.xlsx`, 'region');
    expect(summary.status).toBe(200);
    expect(summary.body.equals(await readFile(summaryPath(dir, PERIOD)))).toBe(true);
    expect((await get(`/p/${PERIOD}/download/152502`, 'region')).status).toBe(200);
  });

  it("the period page shows which counties downloaded (by their own accounts) and who is overdue", async () => {
    // xc (150102) downloaded above; 150125 was downloaded by the league only
    const page = await get(`/p/${PERIOD}`, 'hhht');
    const row = (code: string) => page.text.slice(page.text.indexOf(`<td>${code}</td>`), page.text.indexOf('</tr>', page.text.indexOf(`<td>${code}</td>`)));
    expect(row('150102')).toMatch(/已下载 \d{4}-\d{2}-\d{2}/);
    expect(row('150125')).toContain('未下载');
    expect(row('150102')).toContain('已逾期'); // 2026-10 is due 2026-11-16, long before the test clock
    expect(page.text).toContain('核实截止 2026-11-16');
  });

  it('the audit holds every download and every refusal with who, what, when, where — chained, and no personal data', async () => {
    const audit = auditReport(portal.portal.state) as unknown as Record<string, string | null>[];
    const rows = audit.filter((a) => a.action === 'portal.download');
    expect(rows.length).toBe(downloads);
    expect(downloads).toBeGreaterThanOrEqual(4);
    for (const a of rows) {
      expect(a.period).toBe(PERIOD);
      expect(a.remote).toMatch(/127\.0\.0\.1/);
      expect(a.subject).toMatch(/^(\d{6}|summary)$/);
      expect(a.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2} /);
    }
    expect(rows.filter((a) => a.actor === 'xc').map((a) => a.subject)).toEqual(['150102']);
    // another county's file asked for by a logged-in account: 404 to it, 'denied' in the audit
    expect(audit.some((a) => a.action === 'portal.denied' && a.actor === 'xc' && a.subject === '150203')).toBe(true);
    expect(audit.some((a) => a.action === 'portal.denied' && a.actor === 'hhht' && a.subject === 'summary')).toBe(true);
    expect(audit.some((a) => a.action === 'portal.forbidden')).toBe(true); // the cross-site login
    expect(audit.some((a) => a.action === 'portal.logout' && a.actor === 'wc')).toBe(true);
    const logins = audit.filter((a) => a.action === 'portal.login');
    expect(logins.some((a) => a.subject === 'limited' && a.detail === 'throttled')).toBe(true);
    expect(logins.some((a) => a.subject === 'gone' && a.detail === 'invalid')).toBe(true);
    // a name that is no account is not written down (it may be a password typed into the wrong field)
    expect(JSON.stringify(audit)).not.toContain('no-such-user');
    expect(withoutHexTokens(JSON.stringify(audit))).not.toMatch(/\d{15,}/); // no ID number anywhere
    expect(verifyAudit(portal.portal.state)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('upload checks (before the importer)', () => {
  const send = async (username: string | undefined, fields: Parameters<typeof multipart>[0], headers: Record<string, string> = {}) => {
    const { body, contentType } = multipart(fields);
    return http(base, 'POST', '/upload', { cookie: username ? await cookieOf(username) : undefined, body, headers: { 'Content-Type': contentType, ...headers } });
  };
  const csrfOf = async (username: string) => csrfIn((await get('/', username)).text)!;
  const zip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100)]);

  it('refuses without a session (401), for non-county accounts (404), and without the form token (403)', async () => {
    expect((await send(undefined, [{ name: 'file', value: zip, filename: 'a.xlsx' }])).status).toBe(401);
    expect((await send('hhht', [{ name: 'csrf', value: await csrfOf('hhht') }, { name: 'file', value: zip, filename: 'a.xlsx' }])).status).toBe(404);
    expect((await send('xc', [{ name: 'csrf', value: 'nope' }, { name: 'file', value: zip, filename: 'a.xlsx' }])).status).toBe(403);
  });

  it('accepts only .xlsx files that are zip archives (415), and nothing over the size limit (413)', async () => {
    const csrf = await csrfOf('xc');
    expect((await send('xc', [{ name: 'csrf', value: csrf }, { name: 'file', value: zip, filename: 'a.xls' }])).status).toBe(415);
    expect((await send('xc', [{ name: 'csrf', value: csrf }, { name: 'file', value: Buffer.from('<html>'), filename: 'a.xlsx' }])).status).toBe(415);
    expect((await send('xc', [{ name: 'csrf', value: csrf }, { name: 'file', value: Buffer.alloc(0), filename: 'a.xlsx' }])).status).toBe(400);
    const big = Buffer.concat([zip, Buffer.alloc(21 * 1024 * 1024)]);
    const r = await send('xc', [{ name: 'csrf', value: csrf }, { name: 'file', value: big, filename: 'big.xlsx' }]);
    expect(r.status).toBe(413);
    expect(r.text).toContain('20 MB');
    expect(await readdir(join(dir, 'feedback')).catch(() => [])).toEqual([]);
  });

  it('refuses a zip bomb from its directory alone (422): nothing unpacked, nothing kept, the portal answers meanwhile', async () => {
    const bomb = await zipBomb(200); // 200 MB of zeros in ~200 KB
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const csrf = await csrfOf('xc');
    const [r, login] = await Promise.all([send('xc', [{ name: 'csrf', value: csrf }, { name: 'file', value: bomb, filename: 'bomb.xlsx' }]), http(base, 'GET', '/login')]);
    expect(r.status).toBe(422);
    expect(r.text).toContain('请上传下发的核对疑点工作簿');
    expect(login.status).toBe(200);
    expect(await readdir(join(dir, 'feedback')).catch(() => [])).toEqual([]);
    const refused = auditReport(portal.portal.state).filter((a) => a.action === 'portal.upload-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ actor: 'xc', subject: '150102' });
  });
});

describe('upload and import', () => {
  it('imports a filled-in workbook in a child process: 已接收，正在导入, then accepted and rejected rows; saved by sha256, audited under the account; the league sees it answered', async () => {
    const answer = join(dir, 'answer-150102.xlsx');
    const { rows } = await fillWorkbook(workbookPath(dir, PERIOD, county('150102')), answer, {
      results: ['属实-已停保', '不属实-数据源错误', '核实中'],
      verifiedOn: '2026-11-05',
      badRow: true,
    });
    expect(rows).toBeGreaterThan(2);
    const bytes = await readFile(answer);
    const { posted, result } = await upload('xc', bytes, 'C:\\Users\\民政\\150102_新城区_2026-10_核对疑点.xlsx');
    expect(posted.headers.location).toMatch(/^\/upload\/[A-Za-z0-9_-]{16}$/);
    expect(result!.status, result!.text).toBe(200);
    expect(result!.text).toContain('已导入');
    expect(result!.text).toMatch(/已接受核实结果（条疑点）<\/th><td class="num">\d+/);
    expect(result!.text).toMatch(/<td class="num">2<\/td><td>核实结果不在可选范围内/); // the first household row is sheet row 2
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(await readdir(join(dir, 'feedback', '150102'))).toEqual([`${sha}.xlsx`]);
    // another county's account cannot look at that upload's page
    expect((await get(String(posted.headers.location), 'bt')).status).toBe(404);

    const again = await upload('xc', bytes, 'again.xlsx');
    expect(again.result!.status).toBe(200);
    expect(again.result!.text).toContain('此前已导入');

    const audit = auditReport(portal.portal.state, PERIOD) as unknown as Record<string, string | null>[];
    const imports = audit.filter((a) => a.action === 'feedback.import');
    expect(imports).toHaveLength(1);
    expect(imports[0]).toMatchObject({ actor: 'xc', subject: `${sha}.xlsx`, remote: expect.stringMatching(/127\.0\.0\.1/) });
    // the data-source errors whitelisted by the answer: under the account, the 核实人 text only in the detail
    const added = audit.filter((a) => a.action === 'whitelist.add');
    expect(added.length).toBeGreaterThan(0);
    for (const a of added) {
      expect(a.actor).toBe('xc');
      expect(a.detail).toContain('核实员');
    }
    const queued = auditReport(portal.portal.state).filter((a) => a.action === 'portal.upload' && a.actor === 'xc');
    expect(queued).toHaveLength(2);
    expect(queued[0].detail).toMatch(new RegExp(`^queued file=150102/${sha}\\.xlsx bytes=\\d+$`));
    expect(withoutHexTokens(JSON.stringify(audit))).not.toMatch(/\d{15,}/);

    const league = await get(`/p/${PERIOD}`, 'hhht');
    const at = league.text.indexOf('<td>150102</td>');
    expect(league.text.slice(at, league.text.indexOf('</tr>', at))).toMatch(/已反馈 \d{4}-/);
  });

  it("refuses another county's workbook (422), says why, and deletes the file", async () => {
    const bytes = await readFile(workbookPath(dir, PERIOD, county('150203')));
    const { result } = await upload('xc', bytes, '150203.xlsx');
    expect(result!.status).toBe(422);
    expect(result!.text).toContain('未导入');
    expect(result!.text).toContain('150203');
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(await stat(join(dir, 'feedback', '150102', `${sha}.xlsx`)).catch(() => undefined)).toBeUndefined();
  });

  it("the county's period page: due date and days left, counts, each upload with its result and refused rows, the open flags — no ID number, no name", async () => {
    const page = await get(`/p/${PERIOD}`, 'xc');
    expect(page.status).toBe(200);
    const flags = await withSession({ dataDir: dir, command: 'test', recordRun: false }, (s) =>
      s.w.rows<{ flag_id: string; household_id: string; due_on: string; answered: boolean }>(
        't',
        `select f.flag_id, f.household_id, strftime(f.due_on, '%Y-%m-%d') as due_on,
                exists (select 1 from dispositions d join feedback_imports i using (import_id)
                        where d.flag_id = f.flag_id and i.status = 'imported' and i.superseded_by is null and d.result <> '核实中') as answered
         from flags f where f.period = $p and f.county_code = '150102' and f.status = 'issued' order by f.flag_id`,
        { p: PERIOD },
      ),
    );
    const open = flags.filter((f) => !f.answered);
    expect(flags.length).toBeGreaterThan(0);
    expect(open.length).toBeGreaterThan(0); // 核实中 and the rejected row stay open
    const dueOn = open.map((f) => f.due_on).sort()[0];
    expect(page.text).toContain(`反馈截止日期 <b>${dueOn}</b>`);
    expect(page.text).toMatch(/还剩 <b>\d+<\/b> 天|今天截止|已逾期 \d+ 天/);
    const cell = (th: string) => new RegExp(`<th>${th}</th><td class="num[^"]*">(\\d+)</td>`).exec(page.text)?.[1];
    expect(Number(cell('下发疑点家庭（户）'))).toBe(new Set(flags.map((f) => f.household_id)).size);
    expect(Number(cell('下发疑点（条）'))).toBe(flags.length);
    expect(Number(cell('已核实（条）'))).toBe(flags.length - open.length);
    expect(Number(cell('未核实（条）'))).toBe(open.length);
    // the upload: current, its counts, and the refused row with its sheet, row and reason
    expect(page.text).toContain('当前反馈');
    expect(page.text).toMatch(/<td>疑点家庭<\/td><td class="num">2<\/td><td>核实结果不在可选范围内/);
    // another county's workbook uploaded by xc is filed under 150203, not shown here nor there
    expect(page.text).not.toContain('这是 150203 的核对表');
    expect((await get(`/p/${PERIOD}`, 'bt')).text).not.toContain('这是 150203 的核对表');
    // every open flag by flag id and household, with its rule and severity; no ID number, no name
    for (const f of open) expect(page.text).toContain(`<td>${f.flag_id}</td><td>${f.household_id}</td>`);
    expect(withoutHexTokens(page.text)).not.toMatch(/\d{15,}/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(workbookPath(dir, PERIOD, county('150102')));
    const names = new Set<string>();
    wb.getWorksheet(SHEET.details)!.eachRow((r, n) => n > DETAILS.headerRow && names.add(String(r.getCell(DETAILS.col.personName).value)));
    expect(names.size).toBeGreaterThan(0);
    for (const name of names) expect(page.text, 'a name on the page').not.toContain(`>${name}<`);
  });

  it('a league sees the same page per county (its own counties only); a county account gets 404 there', async () => {
    const own = await get(`/p/${PERIOD}`, 'xc');
    const league = await get(`/p/${PERIOD}/c/150102`, 'hhht');
    expect(league.status).toBe(200);
    const section = (t: string) => t.slice(t.indexOf('反馈截止日期 <b>'), t.indexOf('<p class="note">"已核实"'));
    expect(section(league.text)).toBe(section(own.text));
    expect((await get(`/p/${PERIOD}`, 'hhht')).text).toContain(`href="/p/${PERIOD}/c/150102"`);
    expect((await get(`/p/${PERIOD}/c/150102`, 'region')).status).toBe(200);
    for (const [path, who] of [
      [`/p/${PERIOD}/c/150203`, 'hhht'], // another league's county
      [`/p/${PERIOD}/c/150102`, 'xc'], // counties have their own period page
      [`/p/${PERIOD}/c/150203`, 'xc'],
      [`/p/2026-09/c/150102`, 'hhht'], // not published
      [`/p/${PERIOD}/c/1501`, 'hhht'],
      [`/p/${PERIOD}/c/%31%35%30%31%30%32`, 'hhht'],
    ]) expect((await get(path, who)).status, `${who} ${path}`).toBe(404);
  });
});

describe("the portal never stands in the batch's way", () => {
  it('while a run holds the data folder, pages and downloads answer; an upload waits for the lock, then shows its result', async () => {
    const holder = spawn('sleep', ['60']);
    await writeFile(join(dir, 'hedui.lock'), JSON.stringify({ pid: holder.pid, command: 'nightly', started_at: new Date().toISOString() }));
    try {
      expect((await get(`/p/${PERIOD}/download/150203`, 'bt')).status).toBe(200);
      expect((await get(`/p/${PERIOD}`, 'bt')).status).toBe(200);
      expect((await get(`/p/${PERIOD}`, 'region')).status).toBe(200);
      const answer = join(dir, 'answer-150203.xlsx');
      await fillWorkbook(workbookPath(dir, PERIOD, county('150203')), answer, { results: ['属实-已停保'], verifiedOn: '2026-11-06' });
      let importing!: () => void;
      const saidImporting = new Promise<void>((r) => (importing = r));
      const pending = upload('bt', await readFile(answer), 'answer.xlsx', base, importing);
      await Promise.race([saidImporting, pending]); // 已接收，正在导入 while the lock is held (or done without waiting: failed below); then the run ends
      holder.kill();
      const { result, waited } = await pending;
      expect(waited).toBe(true); // it said 已接收，正在导入 while the lock was held
      expect(result!.status, result!.text).toBe(200);
      expect(result!.text).toContain('已导入');
    } finally {
      holder.kill();
    }
  });

  it('after a flood of 300 unauthenticated requests the nightly run takes the lock at once and completes', async () => {
    atRealScryptCost();
    const flood = Array.from({ length: 300 }, (_, i) =>
      i % 10 === 0
        ? http(base, 'POST', '/login', { body: `username=u${i}&password=x`, headers: FORM })
        : http(base, 'GET', i % 2 === 1 ? `/p/${PERIOD}/download/150102` : '/', { cookie: `hedui_session=${'B'.repeat(43)}` }),
    );
    const answers = await Promise.all(flood);
    expect(answers.every((a) => [303, 401, 429, 503].includes(a.status))).toBe(true);
    const release = await acquireLock(dir, 'nightly'); // no wait: nobody holds it
    await release();
    const report = await withSession({ dataDir: dir, command: 'nightly' }, (s) => nightly(s, { today: '2026-12-01' }));
    expect(report).toBeDefined();
  });

  it('a full queue answers 503 at once; a flood of logins does not hold up the pages', async () => {
    atRealScryptCost();
    const small = await startPortal({ dataDir: dir, port: 0, insecureHttp: true, maxPendingLogins: 2, clock: () => now });
    try {
      // logins are slow on purpose (scrypt): 20 at once overflow a queue of 2 beside the 2 running
      const flood = Promise.all(Array.from({ length: 20 }, (_, i) => loginAs(small.url, `nobody${i}`, 'wrong password').then((l) => l.reply)));
      const form = await http(small.url, 'GET', '/login'); // not queued behind them
      const answers = await flood;
      expect(form.status).toBe(200);
      const busy = answers.filter((a) => a.status === 503);
      expect(busy.length).toBeGreaterThan(0);
      expect(answers.every((a) => [401, 429, 503].includes(a.status))).toBe(true);
      expect(busy[0].headers['retry-after']).toBeDefined();
      expect((await loginAs(small.url, 'xc', PW)).reply.status).toBe(303);
      expect(auditReport(small.portal.state).some((a) => a.action === 'portal.busy')).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('an import that runs out of time or memory is stopped: the county is told, the file deleted, the failure audited; the per-county upload rate is capped', async () => {
    const strict = await startPortal({ dataDir: dir, port: 0, insecureHttp: true, clock: () => now, uploadsPerHour: 100, imports: { timeoutMs: 1 } });
    try {
      const answer = join(dir, 'answer-150125.xlsx');
      await fillWorkbook(workbookPath(dir, PERIOD, county('150125')), answer, { results: ['属实-已停保'], verifiedOn: '2026-11-06' });
      const bytes = await readFile(answer);
      const { result } = await upload('wc', bytes, 'answer.xlsx', strict.url);
      expect(result!.status).toBe(422);
      expect(result!.text).toContain('限定的时间和内存');
      const sha = createHash('sha256').update(bytes).digest('hex');
      expect(await stat(join(dir, 'feedback', '150125', `${sha}.xlsx`)).catch(() => undefined)).toBeUndefined();
      expect(auditReport(strict.portal.state).some((a) => a.action === 'portal.import-failed' && a.actor === 'wc')).toBe(true);
    } finally {
      await strict.close();
    }
    // a child that grows past the memory cap is killed the same way (60 MB: less than Node, tsx and DuckDB need)
    const small = await startPortal({ dataDir: dir, port: 0, insecureHttp: true, clock: () => now, imports: { memoryMb: 60 } });
    try {
      const { result } = await upload('short', await readFile(workbookPath(dir, PERIOD, county('150223'))), 'answer.xlsx', small.url);
      expect(result!.status).toBe(422);
      expect(result!.text).toContain('限定的时间和内存');
    } finally {
      await small.close();
    }
    const capped = await startPortal({ dataDir: dir, port: 0, insecureHttp: true, clock: () => now, uploadsPerHour: 1 });
    try {
      const { posted } = await upload('wc', await zipBomb(1), 'x.xlsx', capped.url);
      expect(posted.status).toBe(429);
      expect(posted.text).toContain('一小时内最多上传 1 次');
    } finally {
      await capped.close();
    }
  });
});
