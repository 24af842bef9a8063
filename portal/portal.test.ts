/**
 * The portal over real HTTP, on an ephemeral port, with a published month of the tiny fixtures:
 * who may download what (and that crafted paths get nothing), sessions and their cookie, the
 * login rate limit, disabled accounts, the audit of every download, and the busy (503) answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { COUNTIES } from '../domain/divisions.ts';
import { DETAILS, SHEET } from '../pipeline/publish/workbook-contract.ts';
import { auditReport } from '../pipeline/audit.ts';
import { disableAccount } from './accounts.ts';
import { startPortal, type RunningPortal } from './server.ts';
import { workbookPath, summaryPath } from './files.ts';
import { csrfIn, fillWorkbook, http, loginAs, multipart, PERIOD, publishedDataDir, withoutHexTokens } from './testing.ts';

const PW = 'correct-horse-battery';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const county = (code: string) => COUNTIES.find((c) => c.code === code)!;

let dir: string;
let portal: RunningPortal;
let base: string;
let now = Date.now();
let downloads = 0; // successful downloads, to compare with the audit

const cookies: Record<string, string> = {};

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

beforeAll(async () => {
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
  portal = await startPortal({ dataDir: dir, port: 0, clock: () => now, lockWaitMs: 400 });
  base = portal.url;
});

afterAll(async () => {
  await portal?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sessions', () => {
  it('a login sets an HttpOnly, SameSite=Strict session cookie; pages without one go to the login page', async () => {
    const { reply, setCookie } = await loginAs(base, 'xc', PW);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    expect(setCookie).toMatch(/^hedui_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/Secure/);

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

  it('--secure-cookies marks the cookie Secure', async () => {
    const secure = await startPortal({ dataDir: dir, port: 0, secureCookies: true, clock: () => now });
    try {
      const { setCookie } = await loginAs(secure.url, 'xc', PW);
      expect(setCookie).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
  });

  it('refuses an expired session (8 hours), also while it is cached', async () => {
    const { cookie } = await loginAs(base, 'short', PW);
    expect((await http(base, 'GET', '/', { cookie })).status).toBe(200); // now cached
    const saved = now;
    now += 8 * 3600_000 + 1000;
    try {
      const r = await http(base, 'GET', `/p/${PERIOD}/download/150223`, { cookie });
      expect(r.status).toBe(303);
      expect(r.headers.location).toBe('/login');
      expect((await http(base, 'GET', '/', { cookie })).status).toBe(303);
    } finally {
      now = saved;
    }
  });

  it('logout ends the session (with the form token only)', async () => {
    const { cookie } = await loginAs(base, 'wc', PW);
    const home = await http(base, 'GET', '/', { cookie });
    const csrf = csrfIn(home.text)!;
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    await http(base, 'POST', '/logout', { cookie, body: 'csrf=wrong', headers: form });
    expect((await http(base, 'GET', '/', { cookie })).status).toBe(200);
    const out = await http(base, 'POST', '/logout', { cookie, body: `csrf=${csrf}`, headers: form });
    expect(out.status).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect((await http(base, 'GET', '/', { cookie })).status).toBe(303);
  });

  it('a disabled account cannot log in, and its open session downloads nothing more', async () => {
    const { cookie } = await loginAs(base, 'gone', PW);
    expect((await http(base, 'GET', '/', { cookie })).status).toBe(200); // cached now
    await portal.portal.db((s) => disableAccount(s.w, 'gone'));
    const r = await http(base, 'GET', `/p/${PERIOD}/download/150502`, { cookie });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/login');
    const { reply } = await loginAs(base, 'gone', PW);
    expect(reply.status).toBe(401);
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(reply.text).toContain('用户名或密码错误');
  });

  it('rate-limits failed logins per username: the sixth attempt in 15 minutes is refused (429), even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await loginAs(base, 'limited', 'wrong-password-' + i)).reply.status).toBe(401);
    const sixth = await loginAs(base, 'limited', PW);
    expect(sixth.reply.status).toBe(429);
    expect(sixth.reply.text).toContain('15 分钟');
    expect(sixth.cookie).toBeUndefined();
    const saved = now;
    now += 15 * 60_000 + 1000;
    try {
      expect((await loginAs(base, 'limited', PW)).reply.status).toBe(303);
    } finally {
      now = saved;
    }
  });

  it('rate-limits failed logins per address (behind a trusted proxy, per forwarded address)', async () => {
    const proxied = await startPortal({ dataDir: dir, port: 0, trustProxy: true, clock: () => now });
    try {
      const from = (ip: string) => ({ 'X-Forwarded-For': `203.0.113.9, ${ip}` });
      for (let i = 0; i < 20; i++) expect((await loginAs(proxied.url, `nobody${i}`, 'x', from('10.0.0.9'))).reply.status).toBe(401);
      expect((await loginAs(proxied.url, 'region', PW, from('10.0.0.9'))).reply.status).toBe(429);
      expect((await loginAs(proxied.url, 'region', PW, from('10.0.0.10'))).reply.status).toBe(303);
    } finally {
      await proxied.close();
    }
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

  it('the audit holds every download with who, what, when, where and the period — and no personal data', async () => {
    const audit = (await portal.portal.db((s) => auditReport(s.w))) as Record<string, string | null>[];
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
    const logins = audit.filter((a) => a.action === 'portal.login');
    expect(logins.some((a) => a.actor === 'limited' && a.detail === 'rate-limited')).toBe(true);
    expect(logins.some((a) => a.actor === 'gone' && a.detail === 'invalid')).toBe(true);
    expect(logins.some((a) => a.actor === '(unknown)' && a.subject === null)).toBe(true);
    expect(withoutHexTokens(JSON.stringify(audit))).not.toMatch(/\d{15,}/); // no ID number anywhere
  });

  it('measures a download including its warehouse session', async () => {
    const cookie = await cookieOf('region');
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const r = await http(base, 'GET', `/p/${PERIOD}/download/150102`, { cookie });
      times.push(performance.now() - t);
      expect(r.status).toBe(200);
      downloads++;
    }
    times.sort((a, b) => a - b);
    console.log(`download latency incl. DB session: median ${times[5].toFixed(0)} ms, max ${times[9].toFixed(0)} ms`);
    expect(times[5]).toBeLessThan(1000);
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
});

describe('upload and import', () => {
  const upload = async (username: string, file: Buffer, filename: string) => {
    const csrf = csrfIn((await get('/', username)).text)!;
    const { body, contentType } = multipart([
      { name: 'csrf', value: csrf },
      { name: 'file', value: file, filename, type: XLSX },
    ]);
    return http(base, 'POST', '/upload', { cookie: await cookieOf(username), body, headers: { 'Content-Type': contentType } });
  };

  it('imports a filled-in workbook, shows accepted and rejected rows, saves it by sha256, audits it; the league sees it answered', async () => {
    const answer = join(dir, 'answer-150102.xlsx');
    const { rows } = await fillWorkbook(workbookPath(dir, PERIOD, county('150102')), answer, {
      results: ['属实-已停保', '不属实-数据源错误', '核实中'],
      verifiedOn: '2026-11-05',
      badRow: true,
    });
    expect(rows).toBeGreaterThan(2);
    const bytes = await readFile(answer);
    const r = await upload('xc', bytes, 'C:\\Users\\民政\\150102_新城区_2026-10_核对疑点.xlsx');
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain('已导入');
    expect(r.text).toMatch(/已接受核实结果（条疑点）<\/th><td class="num">\d+/);
    expect(r.text).toMatch(/<td class="num">2<\/td><td>核实结果不在可选范围内/); // the first household row is sheet row 2
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(await readdir(join(dir, 'feedback', '150102'))).toEqual([`${sha}.xlsx`]);

    const again = await upload('xc', bytes, 'again.xlsx');
    expect(again.status).toBe(200);
    expect(again.text).toContain('此前已导入');

    const audit = (await portal.portal.db((s) => auditReport(s.w, PERIOD))) as Record<string, string | null>[];
    const uploads = audit.filter((a) => a.action === 'portal.upload');
    expect(uploads).toHaveLength(2);
    expect(uploads[0]).toMatchObject({ actor: 'xc', subject: '150102', period: PERIOD, remote: expect.stringMatching(/127\.0\.0\.1/) });
    expect(uploads[0].detail).toMatch(new RegExp(`^imported accepted=\\d+ .*file=150102/${sha}\\.xlsx$`));
    expect(withoutHexTokens(JSON.stringify(audit))).not.toMatch(/\d{15,}/);

    const league = await get(`/p/${PERIOD}`, 'hhht');
    const at = league.text.indexOf('<td>150102</td>');
    expect(league.text.slice(at, league.text.indexOf('</tr>', at))).toMatch(/已反馈 \d{4}-/);
  });

  it("refuses another county's workbook (422) and says why", async () => {
    const r = await upload('xc', await readFile(workbookPath(dir, PERIOD, county('150203'))), '150203.xlsx');
    expect(r.status).toBe(422);
    expect(r.text).toContain('未导入');
    expect(r.text).toContain('150203');
  });

  it("the county's period page: due date and days left, counts, each upload with its result and refused rows, the open flags — no ID number, no name", async () => {
    const page = await get(`/p/${PERIOD}`, 'xc');
    expect(page.status).toBe(200);
    const flags = await portal.portal.db((s) =>
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

describe('the data folder busy', () => {
  it('answers 503 with a Chinese page while another process holds the lock, and serves again after', async () => {
    const cookie = await cookieOf('xc');
    const holder = spawn('sleep', ['30']);
    await writeFile(join(dir, 'hedui.lock'), JSON.stringify({ pid: holder.pid, command: 'nightly', started_at: new Date().toISOString() }));
    try {
      const r = await http(base, 'GET', `/p/${PERIOD}/download/150102`, { cookie });
      expect(r.status).toBe(503);
      expect(r.text).toContain('系统正在处理数据，请稍后再试');
      expect(r.headers['retry-after']).toBeDefined();
    } finally {
      holder.kill();
      await rm(join(dir, 'hedui.lock'), { force: true });
    }
    expect((await get(`/p/${PERIOD}/download/150102`, 'xc')).status).toBe(200);
  });
});
