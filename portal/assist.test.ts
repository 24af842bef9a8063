/**
 * Cross-league 协查请求 and cross-province 跨省核对请求 on the portal, over real HTTP, on the tiny
 * fixtures published for 2026-10 (2 cross-province requests, 9 cross-league ones; 锡林郭勒盟 1525
 * answers 2): a league downloads its own league's workbook only, the region the cross-province one
 * and every league's, a county none (404 on every assist route); an answered workbook uploaded by a
 * league is imported by the portal's import child (its league's only), its result page shows the
 * accepted, unanswered and refused rows, and the warehouse records the answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { COUNTIES, LEAGUES } from '../domain/divisions.ts';
import { ASSIST_REQUESTS, ASSIST_SHEET, assistWorkbookPath } from '../pipeline/assist/contract.ts';
import { auditReport, verifyAudit } from '../pipeline/audit.ts';
import { withSession } from '../pipeline/run.ts';
import { bomb as zipBomb } from '../pipeline/load/test-support.ts';
import { scryptCostForTests } from './accounts.ts';
import { startPortal, type RunningPortal } from './server.ts';
import { addTestAccounts, csrfIn, http, loginAs, multipart, PERIOD, publishedDataDir, TEST_SCRYPT, withoutHexTokens, type Reply } from './testing.ts';

const PW = 'correct-horse-battery';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The portal's day: 2026-11-10 10:00 China Standard Time, nine days after the month's issue (2026-11-01). */
const NOW = Date.parse('2026-11-10T02:00:00Z');
const XL = '1525'; // 锡林郭勒盟: 2 requests in the tiny month
const H = ASSIST_REQUESTS.header;

let dir: string;
let portal: RunningPortal;
let base: string;
/** a league with a 协查请求 this month other than 锡林郭勒盟, and one with none */
let other: string;
let none: string;
const pages: Reply[] = [];
const cookies = new Map<string, string>();

async function cookieOf(username: string): Promise<string> {
  if (!cookies.has(username)) {
    const { reply, cookie } = await loginAs(base, username, PW);
    expect(reply.status, reply.text).toBe(303);
    cookies.set(username, cookie!);
  }
  return cookies.get(username)!;
}

async function get(path: string, username: string): Promise<Reply> {
  const r = await http(base, 'GET', path, { cookie: await cookieOf(username) });
  if (String(r.headers['content-type']).startsWith('text/html')) pages.push(r);
  return r;
}

/** Posts the assist upload form as a browser would; follows the upload's page until its import is done. */
async function upload(username: string, file: Buffer, o: { filename?: string; csrf?: string } = {}): Promise<{ posted: Reply; result?: Reply }> {
  const cookie = await cookieOf(username);
  const csrf = o.csrf ?? csrfIn((await get(`/p/${PERIOD}/assist`, username)).text)!;
  const { body, contentType } = multipart([
    { name: 'csrf', value: csrf },
    { name: 'file', value: file, filename: o.filename ?? 'answered.xlsx', type: XLSX },
  ]);
  const posted = await http(base, 'POST', '/assist/upload', { cookie, body, headers: { 'Content-Type': contentType } });
  if (posted.status !== 303) return { posted };
  for (let i = 0; i < 240; i++) {
    const result = await get(String(posted.headers.location), username);
    if (result.status !== 202) return { posted, result };
    expect(result.text).toContain('已接收，正在导入');
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the import did not finish');
}

const published = (kind: 'province' | 'league', code: string) => join(dir, 'out', PERIOD, assistWorkbookPath(PERIOD, kind, code));

/**
 * A request workbook answered as the place asked would: each row of 核对请求 gets `answer(i)` (the
 * row's 0-based index) in 核对结果, 回复单位 and 回复日期, found by their header text. Returns the
 * rows' 请求编号.
 */
async function answered(src: string, answer: (i: number) => { result?: string; by?: string; on?: string }): Promise<{ file: Buffer; ids: string[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(src);
  const sheet = wb.getWorksheet(ASSIST_SHEET.requests)!;
  const col = new Map<string, number>();
  sheet.getRow(ASSIST_REQUESTS.headerRow).eachCell((cell, n) => col.set(String(cell.value), n));
  const ids: string[] = [];
  sheet.eachRow((row, n) => {
    if (n <= ASSIST_REQUESTS.headerRow) return;
    const a = answer(ids.length);
    ids.push(String(row.getCell(col.get(H.requestId)!).value));
    if (a.result !== undefined) row.getCell(col.get(H.result)!).value = a.result;
    if (a.by !== undefined) row.getCell(col.get(H.answeredBy)!).value = a.by;
    if (a.on !== undefined) row.getCell(col.get(H.answeredOn)!).value = a.on;
  });
  return { file: Buffer.from(await wb.xlsx.writeBuffer()), ids };
}

/** The requests' answer days in the warehouse, by request id. */
async function answeredOn(ids: string[]): Promise<Record<string, string | null>> {
  const rows = await withSession({ dataDir: dir, command: 'test', recordRun: false }, (s) =>
    s.w.rows<{ request_id: string; answered_on: string | null }>(
      'test:assist',
      `select request_id, strftime(answered_on, '%Y-%m-%d') as answered_on from assist_requests where list_contains($ids, request_id)`,
      { ids },
    ),
  );
  return Object.fromEntries(rows.map((r) => [r.request_id, r.answered_on]));
}

beforeAll(async () => {
  // the logins here are about what a league sees, not hashing: a cheap scrypt cost (portal/accounts.ts scryptCostForTests)
  scryptCostForTests(TEST_SCRYPT);
  dir = await publishedDataDir([
    { username: 'xc', scope: 'county', scopeCode: '150102', password: PW }, // 新城区, 呼和浩特市
    { username: 'xl', scope: 'league', scopeCode: XL, password: PW },
    { username: 'region', scope: 'region', scopeCode: null, password: PW },
  ]);
  const asked: string[] = [];
  for (const l of LEAGUES) if ((await stat(published('league', l.code)).catch(() => undefined))?.isFile()) asked.push(l.code);
  other = asked.find((code) => code !== XL)!;
  none = LEAGUES.find((l) => !asked.includes(l.code))!.code;
  await addTestAccounts(dir, [
    { username: 'other', scope: 'league', scopeCode: other, password: PW },
    { username: 'none', scope: 'league', scopeCode: none, password: PW },
  ]);
  portal = await startPortal({ dataDir: dir, port: 0, clock: () => NOW, insecureHttp: true, imports: { lockWaitMs: 60_000 } });
  base = portal.url;
}, 120_000);

afterAll(async () => {
  await portal?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('request workbooks on the portal', () => {
  it('the tiny month has the workbooks these tests rely on', async () => {
    expect((await stat(published('province', '15'))).isFile()).toBe(true);
    expect((await stat(published('league', XL))).isFile()).toBe(true);
    expect(other).toMatch(/^\d{4}$/);
    expect(none).toMatch(/^\d{4}$/);
  });

  it('a league sees and downloads its own league’s 协查请求, audited; another league’s, the cross-province one and other leagues’ counties are 404', async () => {
    const home = await get('/', 'xl');
    expect(home.text).toContain(`href="/p/${PERIOD}/assist"`);
    const page = await get(`/p/${PERIOD}/assist`, 'xl');
    expect(page.status).toBe(200);
    const fileName = `${XL}_锡林郭勒盟_${PERIOD}_协查请求.xlsx`;
    expect(page.text).toContain(`href="/p/${PERIOD}/assist/${XL}"`);
    expect(page.text).toContain(fileName);
    expect(page.text).toContain('action="/assist/upload"');
    expect(page.text).not.toContain(`/assist/${other}`);
    expect(page.text).not.toContain('/assist/province');

    const own = await get(`/p/${PERIOD}/assist/${XL}`, 'xl');
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toBe(XLSX);
    expect(own.headers['content-disposition']).toContain(encodeURIComponent(fileName));
    expect(own.body.equals(await readFile(published('league', XL)))).toBe(true);
    const audit = auditReport(portal.portal.state).filter((a) => a.action === 'portal.assist-download' && a.actor === 'xl');
    expect(audit.map((a) => [a.subject, a.detail, a.period])).toEqual([[`league/${XL}`, fileName, PERIOD]]);

    const outside = COUNTIES.find((c) => c.leagueCode !== XL)!;
    for (const path of [
      `/p/${PERIOD}/assist/${other}`,
      `/p/${PERIOD}/assist/province`,
      `/p/${PERIOD}/download/${outside.code}`,
      `/p/${PERIOD}/c/${outside.code}`,
      `/p/${PERIOD}/summary.xlsx`,
      `/p/2026-09/assist/${XL}`, // not published
      `/p/${PERIOD}/assist/9999`, // no league
      `/p/${PERIOD}/assist/${encodeURIComponent(`${XL}_锡林郭勒盟`)}`,
      `/p/${PERIOD}/assist/../../state.sqlite`,
      `/p/${PERIOD}/assist/%2e%2e/%2e%2e/state.sqlite`,
      `/p/${PERIOD}/assist/${encodeURIComponent(assistWorkbookPath(PERIOD, 'league', XL))}`,
    ]) {
      const r = await get(path, 'xl');
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).not.toBe(XLSX);
    }
    const denied = auditReport(portal.portal.state).filter((a) => a.action === 'portal.denied' && a.actor === 'xl');
    expect(denied.map((a) => a.subject)).toEqual(expect.arrayContaining([`assist/${other}`, 'assist/province']));
  });

  it('a league asked nothing this month sees 本期无协查请求, and its download is 404', async () => {
    const page = await get(`/p/${PERIOD}/assist`, 'none');
    expect(page.status).toBe(200);
    expect(page.text).toContain('本期无协查请求');
    expect(page.text).not.toContain(`href="/p/${PERIOD}/assist/${none}"`);
    expect((await get(`/p/${PERIOD}/assist/${none}`, 'none')).status).toBe(404);
  });

  it('a county sees none of it: every assist route is 404, and it cannot upload answers', async () => {
    expect((await get('/', 'xc')).text).not.toContain('/assist');
    expect((await get(`/p/${PERIOD}`, 'xc')).text).not.toContain('/assist');
    for (const path of [`/p/${PERIOD}/assist`, `/p/${PERIOD}/assist/${XL}`, `/p/${PERIOD}/assist/${COUNTIES.find((c) => c.code === '150102')!.leagueCode}`, `/p/${PERIOD}/assist/province`]) {
      const r = await get(path, 'xc');
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).not.toBe(XLSX);
    }
    const csrf = csrfIn((await get('/', 'xc')).text)!;
    const { posted } = await upload('xc', await readFile(published('league', XL)), { csrf });
    expect(posted.status).toBe(404);
  });

  it('the region downloads the cross-province 跨省核对请求 and every league’s 协查请求', async () => {
    const page = await get(`/p/${PERIOD}/assist`, 'region');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/p/${PERIOD}/assist/province"`);
    expect(page.text).toContain(`href="/p/${PERIOD}/assist/${XL}"`);
    expect(page.text).toContain(`href="/p/${PERIOD}/assist/${other}"`);
    expect(page.text).toContain('本期无协查请求'); // the leagues asked nothing
    expect((await get(`/p/${PERIOD}`, 'region')).text).toContain(`href="/p/${PERIOD}/assist"`);

    const province = await get(`/p/${PERIOD}/assist/province`, 'region');
    expect(province.status).toBe(200);
    expect(province.headers['content-disposition']).toContain(encodeURIComponent(`跨省核对请求_${PERIOD}.xlsx`));
    expect(province.body.equals(await readFile(published('province', '15')))).toBe(true);
    const league = await get(`/p/${PERIOD}/assist/${other}`, 'region');
    expect(league.status).toBe(200);
    expect(league.body.equals(await readFile(published('league', other)))).toBe(true);
  });

  it('uploads are checked as a county’s workbook is: form token, .xlsx, the zip’s directory before anything is kept', async () => {
    const workbook = await readFile(published('league', XL));
    expect((await upload('xl', workbook, { csrf: '0'.repeat(32) })).posted.status).toBe(403);
    expect((await upload('xl', Buffer.from('户编号,核对结果\n'), { filename: 'answers.csv' })).posted.status).toBe(415);
    expect((await upload('xl', workbook, { filename: 'answers.xls' })).posted.status).toBe(415);
    const bomb = await upload('xl', await zipBomb(), { filename: 'bomb.xlsx' });
    expect(bomb.posted.status).toBe(422);
    expect(await readdir(join(dir, 'feedback')).catch(() => [])).toEqual([]);
    const refused = auditReport(portal.portal.state).filter((a) => a.action === 'portal.assist-upload-refused');
    expect(refused.map((a) => [a.actor, a.subject])).toEqual([['xl', XL]]);
  });

  it('a league’s answered 协查请求 is imported by the import child: the result page shows what was taken and refused by row; the warehouse records the answers', async () => {
    // the first request answered in full; the second without 回复单位: refused by row number
    const { file, ids } = await answered(published('league', XL), (i) => ({ result: '未发现异常', by: i === 0 ? '锡林郭勒盟民政局' : undefined, on: '2026-11-05' }));
    expect(ids).toHaveLength(2);
    const { posted, result } = await upload('xl', file);
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toMatch(/^\/upload\/[A-Za-z0-9_-]{16}$/);
    expect(result!.status, result!.text).toBe(200);
    const text = result!.text.replace(/\s+/g, ' ');
    expect(text).toContain('已导入');
    expect(text).toMatch(/已接受的回复（条请求）<\/th><td class="num">1</);
    expect(text).toMatch(/尚未填写核对结果（行）<\/th><td class="num">0</);
    expect(text).toMatch(/<td class="num">3<\/td><td>缺少回复单位/);
    expect(withoutHexTokens(text)).not.toMatch(/\d{15,}/); // no ID number on the page

    expect(await answeredOn(ids)).toEqual({ [ids[0]]: '2026-11-05', [ids[1]]: null });
    // kept under the league's folder, listed on its page with a link to the result
    expect(await readdir(join(dir, 'feedback', 'assist', XL))).toHaveLength(1);
    const page = await get(`/p/${PERIOD}/assist`, 'xl');
    expect(page.text).toContain(`href="${posted.headers.location}"`);
    const imported = auditReport(portal.portal.state).filter((a) => a.action === 'assist.import');
    expect(imported.map((a) => [a.actor, a.period])).toEqual([['xl', PERIOD]]);
    expect(auditReport(portal.portal.state).filter((a) => a.action === 'portal.assist-upload').map((a) => [a.actor, a.subject])).toEqual([['xl', XL]]);

    // only the league's accounts see the upload's page
    for (const who of ['other', 'xc', 'region']) expect((await get(String(posted.headers.location), who)).status, who).toBe(404);
  });

  it('a league uploading another league’s 协查请求 is refused whole: nothing recorded, the file not kept', async () => {
    const { file, ids } = await answered(published('league', other), () => ({ result: '未发现异常', by: '锡林郭勒盟民政局', on: '2026-11-05' }));
    const { result } = await upload('xl', file);
    expect(result!.status).toBe(422);
    expect(result!.text).toContain('未导入');
    expect(result!.text).toContain(`这不是 ${XL} 的协查请求表`);
    expect(Object.values(await answeredOn(ids)).every((d) => d === null)).toBe(true);
    expect(await readdir(join(dir, 'feedback', 'assist', XL))).toHaveLength(1); // only the imported one
    expect(auditReport(portal.portal.state).filter((a) => a.action === 'assist.refused').map((a) => a.actor)).toEqual(['xl']);
  });

  it('the region returns the answered 跨省核对请求 (and may answer a league’s)', async () => {
    const { file, ids } = await answered(published('province', '15'), () => ({ result: '无法核对', by: '外省民政厅', on: '2026-11-06' }));
    expect(ids).toHaveLength(2);
    const { result } = await upload('region', file);
    expect(result!.status, result!.text).toBe(200);
    expect(result!.text.replace(/\s+/g, ' ')).toMatch(/已接受的回复（条请求）<\/th><td class="num">2</);
    expect(await answeredOn(ids)).toEqual({ [ids[0]]: '2026-11-06', [ids[1]]: '2026-11-06' });
    expect(await readdir(join(dir, 'feedback', 'assist', '15'))).toHaveLength(1);

    const league = await answered(published('league', other), () => ({ result: '未发现异常', by: '盟民政局', on: '2026-11-07' }));
    const second = await upload('region', league.file);
    expect(second.result!.status, second.result!.text).toBe(200);
    expect(Object.values(await answeredOn(league.ids)).every((d) => d === '2026-11-07')).toBe(true);
  });

  it('no page shows an ID number, and the audit chain holds', () => {
    for (const p of pages) expect(withoutHexTokens(p.text)).not.toMatch(/\d{15,}/);
    expect(verifyAudit(portal.portal.state).ok).toBe(true);
  });
});
