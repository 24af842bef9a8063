/**
 * Check requests (逢救必核) on the portal, over real HTTP: a county uploads a request file (saved
 * whole under a generated name in its inbox folder, audited), every account sees the requests of
 * its counties only, with their state on the portal's day, and downloads only its counties'
 * answered reports — never a path it typed. First on a hand-written index.json, then end to end:
 * an upload read and answered by the requests run (pipeline/requests/run.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditReport, recordAudit, verifyAudit } from '../pipeline/audit.ts';
import { withSession } from '../pipeline/run.ts';
import { runRequests } from '../pipeline/requests/run.ts';
import type { RequestIndex, RequestStatus } from '../pipeline/requests/status.ts';
import { bomb as zipBomb, workbook as smallWorkbook } from '../pipeline/load/test-support.ts';
import { scryptCostForTests } from './accounts.ts';
import { startPortal, type RunningPortal } from './server.ts';
import { reportFileOf as requestReportFile } from '../pipeline/requests/status.ts';
import { addTestAccounts, csrfIn, http, loginAs, multipart, publishedDataDir, TEST_SCRYPT, withoutHexTokens, type Reply, type TestAccount } from './testing.ts';

const PW = 'correct-horse-battery';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The portal's day: 2026-11-20 10:00 in China Standard Time. */
const NOW = Date.parse('2026-11-20T02:00:00Z');
const TODAY = '2026-11-20';

const ACCOUNTS: TestAccount[] = [
  { username: 'xc', scope: 'county', scopeCode: '150102', password: PW }, // 新城区, 呼和浩特市
  { username: 'wc', scope: 'county', scopeCode: '150125', password: PW }, // 武川县, 呼和浩特市
  { username: 'bt', scope: 'county', scopeCode: '150203', password: PW }, // 包头市
  { username: 'hhht', scope: 'league', scopeCode: '1501', password: PW },
  { username: 'region', scope: 'region', scopeCode: null, password: PW },
];

// the logins here are about who sees which request, not hashing: a cheap scrypt cost (portal/accounts.ts scryptCostForTests)
beforeAll(() => scryptCostForTests(TEST_SCRYPT));

/** A portal on a data folder, with a session per account and every page fetched kept (to look for ID numbers). */
class Site {
  readonly pages: Reply[] = [];
  private cookies = new Map<string, string>();
  constructor(readonly portal: RunningPortal) {}
  get base() {
    return this.portal.url;
  }
  async cookie(username: string): Promise<string> {
    if (!this.cookies.has(username)) {
      const { reply, cookie } = await loginAs(this.base, username, PW);
      expect(reply.status, reply.text).toBe(303);
      this.cookies.set(username, cookie!);
    }
    return this.cookies.get(username)!;
  }
  async get(path: string, username?: string): Promise<Reply> {
    const r = await http(this.base, 'GET', path, { cookie: username ? await this.cookie(username) : undefined });
    if (String(r.headers['content-type']).startsWith('text/html')) this.pages.push(r);
    return r;
  }
  async csrf(username: string): Promise<string> {
    return csrfIn((await this.get('/requests', username)).text)!;
  }
  /** Posts the upload form as a browser would (`csrf`: the page's token unless given). */
  async upload(username: string | undefined, file: { value: Buffer | string; filename: string } | undefined, o: { csrf?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const csrf = o.csrf ?? (username ? await this.csrf(username) : 'none');
    const { body, contentType } = multipart([{ name: 'csrf', value: csrf }, ...(file ? [{ name: 'file', ...file, type: 'application/octet-stream' }] : [])]);
    const r = await http(this.base, 'POST', '/requests/upload', { cookie: username ? await this.cookie(username) : undefined, body, headers: { 'Content-Type': contentType, ...o.headers } });
    if (String(r.headers['content-type']).startsWith('text/html')) this.pages.push(r);
    return r;
  }
}

/** The files under a folder, relative to it (recursively); [] when it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

const request = (county: string, requestNo: string, o: Partial<RequestStatus>): RequestStatus => ({
  county,
  countyName: '',
  requestNo,
  kind: '新申请',
  program: '城市低保',
  members: 3,
  requestedOn: '2026-11-01',
  receivedOn: '2026-11-02',
  dueOn: '2026-11-16',
  state: 'open',
  answeredOn: null,
  report: null,
  refusal: null,
  ...o,
});
const answered = (county: string, requestNo: string, o: Partial<RequestStatus> = {}) =>
  request(county, requestNo, { state: 'answered', answeredOn: '2026-11-03', report: requestReportFile(county, requestNo), ...o });

const REFUSAL = '第3行 成员未签署核对授权书 (missing_authorization)：授权书签署日期；第4行 身份证号校验位错误 (id_bad_checksum)：身份证号';
const CHINESE_NO = '委托（一）-7';

describe('check requests on a hand-written index', () => {
  let dir: string;
  let site: Site;
  const report = (county: string, no: string) => Buffer.from(`PK\x03\x04 report of ${county} ${no}`);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hedui-portal-requests-'));
    await mkdir(join(dir, 'inbox'));
    await addTestAccounts(dir, ACCOUNTS);
    const index: RequestIndex = {
      asOf: '2026-11-10',
      requests: [
        answered('150102', 'WT-A1'),
        // open on the index's day, past due on the portal's
        request('150102', 'WT-A2', { requestedOn: '2026-11-03', receivedOn: '2026-11-04', dueOn: '2026-11-18' }),
        request('150102', 'WT-A3', { state: 'refused', refusal: REFUSAL }),
        answered('150102', CHINESE_NO, { answeredOn: '2026-11-17', state: 'late' }),
        // an entry whose report is not where the requests run writes it: never served
        answered('150102', 'WT-ODD', { report: 'state.sqlite' }),
        // entries the portal does not take: a path for a number, a county outside the region
        answered('150102', '../../state', { report: '../../state.sqlite' }),
        answered('999999', 'WT-X'),
        answered('150125', 'WT-B1'),
        answered('150203', 'WT-C1'),
        request('150203', 'WT-C2', { dueOn: '2026-11-30' }),
      ],
    };
    await mkdir(join(dir, 'out', 'requests'), { recursive: true });
    await writeFile(join(dir, 'out', 'requests', 'index.json'), JSON.stringify(index));
    for (const [county, no] of [['150102', 'WT-A1'], ['150102', CHINESE_NO], ['150102', 'WT-ODD'], ['150125', 'WT-B1'], ['150203', 'WT-C1']]) {
      await mkdir(join(dir, 'out', 'requests', county, no), { recursive: true });
      await writeFile(join(dir, requestReportFile(county, no)), report(county, no));
    }
    site = new Site(await startPortal({ dataDir: dir, port: 0, clock: () => NOW, insecureHttp: true }));
  });

  afterAll(async () => {
    await site?.portal.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a county sees its own requests only: dates, the state on the portal's day in Chinese, report links, refusals by row and reason", async () => {
    const page = await site.get('/requests', 'xc');
    expect(page.status).toBe(200);
    expect(page.text).toContain('核对委托情况更新于 2026-11-10');
    const row = (no: string) => {
      const at = page.text.indexOf(`<td>${no}</td>`);
      expect(at, no).toBeGreaterThan(0);
      return page.text.slice(at, page.text.indexOf('</tr>', at));
    };
    expect(row('WT-A1')).toMatch(/<td>2026-11-01<\/td><td>2026-11-02<\/td><td>2026-11-16<\/td>\s*<td class="ok">已出具<\/td><td>2026-11-03<\/td>/);
    expect(row('WT-A1')).toContain('<a href="/requests/150102/WT-A1">核对报告_WT-A1.xlsx</a>');
    // open in the index (2026-11-10), overdue on the portal's day (due 2026-11-18, today 2026-11-20)
    expect(row('WT-A2')).toContain('逾期未出具（2 天）');
    expect(row('WT-A2')).not.toContain('href');
    expect(row('WT-A3')).toContain('退回');
    expect(row('WT-A3')).toContain('第3行 成员未签署核对授权书 (missing_authorization)：授权书签署日期<br>第4行 身份证号校验位错误');
    expect(row(CHINESE_NO)).toContain('逾期出具');
    expect(row(CHINESE_NO)).toContain(`href="/requests/150102/${encodeURIComponent(CHINESE_NO)}"`);
    expect(row('WT-ODD')).not.toContain('href');
    expect(page.text).not.toContain('../../state');
    for (const other of ['WT-B1', 'WT-C1', 'WT-C2', 'WT-X', '150125', '150203']) expect(page.text, other).not.toContain(other);
    // the upload form, with the form token
    expect(page.text).toContain('action="/requests/upload" enctype="multipart/form-data"');
    expect(page.text).toMatch(/name="csrf" value="[0-9a-f]{32}"/);
    expect((await site.get('/', 'xc')).text).toContain('href="/requests"');
  });

  it("a league sees its counties' requests with their names and per-county totals; the region every county; neither gets the upload form", async () => {
    const league = await site.get('/requests', 'hhht');
    expect(league.status).toBe(200);
    for (const no of ['WT-A1', 'WT-A2', 'WT-B1']) expect(league.text).toContain(`<td>${no}</td>`);
    for (const no of ['WT-C1', 'WT-C2', 'WT-X']) expect(league.text).not.toContain(`<td>${no}</td>`);
    expect(league.text).toContain('<td>呼和浩特市</td><td>150102</td><td>新城区</td>');
    expect(league.text).not.toContain('action="/requests/upload"');
    // the totals: 150102 received 5 (WT-A1, A2, A3, the late one, WT-ODD), 2 on time, 1 late, 1 overdue, 1 refused
    expect(league.text).toMatch(/<td>150102<\/td><td>新城区<\/td><td class="num">5<\/td><td class="num">2<\/td>\s*<td class="num bad">1<\/td><td class="num">0<\/td><td class="num bad">1<\/td><td class="num">1<\/td>/);
    expect(league.text).not.toMatch(/<td>150203<\/td><td>[^<]+<\/td><td class="num">/);
    const region = await site.get('/requests', 'region');
    for (const no of ['WT-A1', 'WT-B1', 'WT-C1', 'WT-C2']) expect(region.text).toContain(`<td>${no}</td>`);
    expect(region.text).toContain('<td>包头市</td><td>150203</td>');
    expect(region.text).toMatch(/<td>150203<\/td><td>[^<]+<\/td><td class="num">2<\/td>/);
  });

  it("downloads a report for the county, its league and the region; another county's is 404 and audited as denied", async () => {
    const own = await site.get('/requests/150102/WT-A1', 'xc');
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toBe(XLSX);
    expect(own.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('核对报告_WT-A1.xlsx')}`);
    expect(own.body.equals(report('150102', 'WT-A1'))).toBe(true);
    const chinese = await site.get(`/requests/150102/${encodeURIComponent(CHINESE_NO)}`, 'xc');
    expect(chinese.status).toBe(200);
    expect(chinese.body.equals(report('150102', CHINESE_NO))).toBe(true);
    expect((await site.get('/requests/150125/WT-B1', 'hhht')).status).toBe(200);
    expect((await site.get('/requests/150203/WT-C1', 'region')).status).toBe(200);

    for (const [who, path] of [
      ['bt', '/requests/150102/WT-A1'], // another league's county
      ['wc', '/requests/150102/WT-A1'], // a county of the same league
      ['xc', '/requests/150203/WT-C1'],
      ['hhht', '/requests/150203/WT-C1'], // another league's county
    ]) {
      const r = await site.get(path, who);
      expect(r.status, `${who} ${path}`).toBe(404);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
    }
    const audit = auditReport(site.portal.portal.state);
    const served = audit.filter((a) => a.action === 'portal.request-download');
    expect(served.map((a) => [a.actor, a.subject, a.detail])).toEqual([
      ['xc', '150102/WT-A1', '核对报告_WT-A1.xlsx'],
      ['xc', `150102/${CHINESE_NO}`, `核对报告_${CHINESE_NO}.xlsx`],
      ['hhht', '150125/WT-B1', '核对报告_WT-B1.xlsx'],
      ['region', '150203/WT-C1', '核对报告_WT-C1.xlsx'],
    ]);
    const denied = audit.filter((a) => a.action === 'portal.denied').map((a) => [a.actor, a.subject]);
    expect(denied).toEqual(expect.arrayContaining([['bt', '150102'], ['wc', '150102'], ['xc', '150203'], ['hhht', '150203']]));
  });

  it('no crafted path reaches a file: traversal, encodings, unanswered or refused requests, entries the index may not name', async () => {
    const probes = [
      '/requests/150102/../../state.sqlite',
      '/requests/150102/..%2f..%2fstate.sqlite',
      '/requests/150102/%2e%2e%2f%2e%2e%2fstate.sqlite',
      '/requests/150102/%2E%2E',
      '/requests/150102/..',
      '/requests/150102/.',
      `/requests/150102/${encodeURIComponent('../../state')}`, // named by the index, refused by its number
      '/requests/150102/WT-A1/../../../state.sqlite',
      encodeURI('/requests/150102/WT-A1/核对报告_WT-A1.xlsx'),
      encodeURI('/out/requests/150102/WT-A1/核对报告_WT-A1.xlsx'),
      '/requests/150102/WT-A1%00',
      '/requests/150102/WT-A1%2f',
      '/requests/150102/WT-A1.xlsx',
      '/requests/150102/%E0%A4%A', // not valid percent-encoding
      '/requests/%31%35%30%31%30%32/WT-A1', // 150102, percent-encoded
      '/requests/1501/WT-A1',
      '/requests/999999/WT-X', // not a county (the index's entry is not taken)
      '/requests/150102/WT-A2', // open: no report
      '/requests/150102/WT-A3', // refused
      '/requests/150102/WT-ODD', // the index names another path for its report
      '/requests/150102/WT-NONE',
      '/requests//WT-A1',
      '/requests/150102/',
      `/requests/150102/${encodeURIComponent(dir + '/state.sqlite')}`,
      '/requests/received/../../state.sqlite',
      '/requests/received/20261120-100000_0123456789abcdef.csv', // not an upload of this county
      '/requests/upload',
    ];
    for (const path of probes) {
      const r = await site.get(path, 'xc');
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).toMatch(/^text\/html/);
    }
  });

  describe('uploads', () => {
    const CSV = '\uFEFF委托编号,委托单位,委托日期,核对类型,身份证号,姓名,与申请人关系,授权书签署日期\r\n';
    const county = (code: string) => join(dir, 'inbox', 'requests', TODAY, code);

    it('a county upload lands in inbox/requests/<today>/<county>/ whole, under a generated name, audited; the page says it waits for the nightly run', async () => {
      const content = Buffer.from(CSV + 'WT-N1,150102,2026-11-19,新申请,,,本人,2026-11-18\r\n');
      // the client's name is never used: not its folders, not its name
      const posted = await site.upload('xc', { value: content, filename: '../../../out/requests/index.json.csv' });
      expect(posted.status, posted.text).toBe(303);
      const sha = createHash('sha256').update(content).digest('hex');
      const name = `20261120-100000_${sha.slice(0, 16)}.csv`;
      expect(posted.headers.location).toBe(`/requests/received/${name}`);
      expect(await filesUnder(join(dir, 'inbox'))).toEqual([`requests/${TODAY}/150102/${name}`]); // nothing else: no .part left, nothing outside
      expect((await readFile(join(county('150102'), name))).equals(content)).toBe(true);
      expect(JSON.parse(await readFile(join(dir, 'out', 'requests', 'index.json'), 'utf8')).asOf).toBe('2026-11-10'); // untouched

      const received = await site.get(String(posted.headers.location), 'xc');
      expect(received.status).toBe(200);
      expect(received.text).toContain('核对委托文件已收到，将在下一次夜间核对时读取');
      expect(received.text).toContain('hedui requests run');
      expect(received.text).toContain(name);
      // only its county sees that page
      expect((await site.get(String(posted.headers.location), 'wc')).status).toBe(404);
      expect((await site.get(String(posted.headers.location), 'hhht')).status).toBe(404);
      const list = await site.get('/requests', 'xc');
      expect(list.text).toMatch(new RegExp(`<td>2026-11-20 10:00:00</td><td>xc</td><td>${name}</td><td><span>已上传，等待夜间核对</span></td>`));

      const rows = auditReport(site.portal.portal.state).filter((a) => a.action === 'portal.request-upload');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'xc', subject: `inbox/requests/${TODAY}/150102/${name}`, detail: `bytes=${content.length} sha256=${sha}` });
      expect(rows[0].remote).toMatch(/127\.0\.0\.1/);

      // the same content again: not saved twice (the run reads a content once per county folder)
      const again = await site.upload('xc', { value: content, filename: 'again.csv' });
      expect(again.status).toBe(409);
      expect(again.text).toContain('内容相同的文件已于 2026-11-20 10:00:00 上传');
      expect(await filesUnder(join(dir, 'inbox'))).toHaveLength(1);
    });

    it('.xlsx and .xls are kept by their content; what the run made of an upload shows on the page', async () => {
      const workbook = await smallWorkbook(); // a zip whose directory is a workbook's
      const xlsx = await site.upload('xc', { value: workbook, filename: '委托.XLSX' });
      expect(xlsx.status, xlsx.text).toBe(303);
      expect(String(xlsx.headers.location)).toMatch(/^\/requests\/received\/20261120-100000_[0-9a-f]{16}\.xlsx$/);
      const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]);
      const xls = await site.upload('xc', { value: ole, filename: '委托.xls' });
      expect(xls.status).toBe(303);
      expect(String(xls.headers.location)).toMatch(/\.xls$/);
      // a CSV named .xls (as some systems export them) is kept as what it is
      const csvAsXls = await site.upload('xc', { value: Buffer.from(CSV + 'WT-N2,150102,2026-11-19,新申请,,,本人,2026-11-18\r\n'), filename: 'export.xls' });
      expect(String(csvAsXls.headers.location)).toMatch(/\.csv$/);
      expect((await filesUnder(county('150102'))).map((f) => f.slice(f.lastIndexOf('.'))).sort()).toEqual(['.csv', '.csv', '.xls', '.xlsx']);

      // the requests run audits its reading of each file under its path (pipeline/requests/intake.ts)
      const [first, second] = auditReport(site.portal.portal.state).filter((a) => a.action === 'portal.request-upload');
      const state = site.portal.portal.state;
      recordAudit(state, { actor: 'nightly', action: 'requests.receive', subject: first.subject, detail: '1 rows, 0 open, 1 refused' });
      recordAudit(state, { actor: 'nightly', action: 'requests.reject', subject: second.subject, detail: '缺少必需的列：身份证号 (required column missing)' });
      const page = await site.get('/requests', 'xc');
      expect(page.text).toMatch(/已读取（\d{4}-\d{2}-\d{2} [\d:]+）：1 行，0 个委托受理<\/span>，<span class="bad">1 个委托退回/);
      expect(page.text).toContain('整个文件未能读取');
      expect(page.text).toContain('缺少必需的列：身份证号');
      expect(page.text.match(/已上传，等待夜间核对/g)).toHaveLength(2);
      // another county's page shows none of them
      expect((await site.get('/requests', 'wc')).text).toContain('近期没有上传的核对委托文件');
    });

    it('only county accounts upload (league and region: 404), with the form token (403) from this site (403), logged in (401)', async () => {
      const file = { value: Buffer.from(CSV + 'WT-N3,150125,2026-11-19,新申请,,,本人,2026-11-18\r\n'), filename: 'a.csv' };
      expect((await site.upload('hhht', file)).status).toBe(404);
      expect((await site.upload('region', file)).status).toBe(404);
      expect((await site.upload('wc', file, { csrf: 'nope' })).status).toBe(403);
      expect((await site.upload('wc', file, { csrf: await site.csrf('xc') })).status).toBe(403); // another session's token
      expect((await site.upload('wc', file, { headers: { Origin: 'https://evil.example' } })).status).toBe(403);
      expect((await site.upload(undefined, file)).status).toBe(401);
      expect(await filesUnder(county('150125'))).toEqual([]);
      const audit = auditReport(site.portal.portal.state);
      expect(audit.filter((a) => a.action === 'portal.forbidden' && a.actor === 'wc')).toHaveLength(3);
      expect(audit.some((a) => a.action === 'portal.request-upload' && a.actor !== 'xc')).toBe(false);
    });

    it('refuses other files before keeping anything: other types (415), web pages named .xls (415), empty (400), too large (413), a zip bomb (422)', async () => {
      const send = (value: Buffer | string, filename: string) => site.upload('wc', { value, filename });
      expect((await send('MZ\x90\x00', 'a.exe')).status).toBe(415);
      expect((await send(Buffer.from('委托编号\x00\x00'), 'a.csv')).status).toBe(415); // binary
      const page = await send('<html><body><table><tr><td>委托编号</td></tr></table></body></html>', '导出.xls');
      expect(page.status).toBe(415);
      expect(page.text).toContain('另存为 .xlsx');
      expect((await send('', 'a.csv')).status).toBe(400);
      const big = await send(Buffer.alloc(21 * 1024 * 1024, 0x41), 'big.csv');
      expect(big.status).toBe(413);
      expect(big.text).toContain('20 MB');
      const bomb = await send(await zipBomb(200), 'bomb.xlsx');
      expect(bomb.status).toBe(422);
      expect(await filesUnder(county('150125'))).toEqual([]);
      const refused = auditReport(site.portal.portal.state).filter((a) => a.action === 'portal.request-upload-refused' && a.actor === 'wc');
      expect(refused).toHaveLength(1);
      expect(refused[0].subject).toBe('150125');
    });
  });

  it('no page holds an ID number, and the audit chain holds', async () => {
    expect(site.pages.length).toBeGreaterThan(20);
    for (const p of site.pages) expect(withoutHexTokens(p.text)).not.toMatch(/\d{15,}/);
    expect(withoutHexTokens(JSON.stringify(auditReport(site.portal.portal.state)))).not.toMatch(/\d{15,}/);
    expect(verifyAudit(site.portal.portal.state)).toMatchObject({ ok: true });
  });
});

describe('check requests end to end: uploaded, read and answered by the requests run', () => {
  let dir: string;
  let site: Site;

  beforeAll(async () => {
    dir = await publishedDataDir(ACCOUNTS);
    site = new Site(await startPortal({ dataDir: dir, port: 0, clock: () => NOW, insecureHttp: true }));
  });

  afterAll(async () => {
    await site?.portal.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a county's upload is read by the next run: its requests answered or refused, reports downloadable by the county only; no ID number or name on any page", async () => {
    // members of the tiny fixtures' roster (fixtures/tiny/inbox/requests/2026-11-06/核对委托_150102.csv)
    const rows = [
      ['委托编号', '委托单位', '委托日期', '核对类型', '申请类别', '户编号', '身份证号', '姓名', '与申请人关系', '授权书签署日期'],
      ['WT202611-01', '150102', '2026-11-19', '新申请', '城市低保', '', '150102198810084507', '李月娟', '本人', '2026-11-03'],
      ['WT202611-02', '150102', '2026-11-19', '新申请', '城市低保', '', '150102198007313972', '额尔德木图', '本人', '2026-11-03'],
      ['WT202611-02', '150102', '2026-11-19', '新申请', '城市低保', '', '150102199212071567', '陈丽琴', '配偶', ''],
    ];
    const content = Buffer.from('\uFEFF' + rows.map((r) => r.join(',')).join('\r\n') + '\r\n');
    const posted = await site.upload('xc', { value: content, filename: '核对委托.csv' });
    expect(posted.status, posted.text).toBe(303);
    const name = String(posted.headers.location).split('/').pop()!;
    expect((await site.get('/requests', 'xc')).text).toContain('已上传，等待夜间核对');

    // the run (as `hedui requests run` and every nightly run do it), while the portal serves
    const run = await withSession({ dataDir: dir, command: 'requests run' }, (s) => runRequests(s.w, s.dataDir, { config: s.config.config, state: s.state, actor: 'nightly', today: TODAY }));
    expect(run.files.map((f) => [f.file, f.status, f.open, f.refused])).toEqual([
      [`inbox/requests/2026-11-06/核对委托_150102.csv`, 'read', 3, 1],
      [`inbox/requests/${TODAY}/150102/${name}`, 'read', 1, 1],
    ]);

    const page = await site.get('/requests', 'xc');
    expect(page.text).toContain(`核对委托情况更新于 ${TODAY}`);
    expect(page.text).toMatch(new RegExp(`<td>${name}</td><td><span class="ok">已读取（[^）]+）：3 行，1 个委托受理</span>，<span class="bad">1 个委托退回`));
    const row = (no: string) => page.text.slice(page.text.indexOf(`<td>${no}</td>`), page.text.indexOf('</tr>', page.text.indexOf(`<td>${no}</td>`)));
    expect(row('WT202611-01')).toContain('已出具');
    expect(row('WT202611-01')).toContain('<a href="/requests/150102/WT202611-01">核对报告_WT202611-01.xlsx</a>');
    expect(row('WT202611-02')).toMatch(/退回.*第\d+行 成员未签署核对授权书 \(missing_authorization\)/s);
    expect(row('WT202610-01')).toContain('已出具'); // the fixtures' own file, read by the same run

    const report = await site.get('/requests/150102/WT202611-01', 'xc');
    expect(report.status).toBe(200);
    expect(report.body.equals(await readFile(join(dir, 'out', 'requests', '150102', 'WT202611-01', '核对报告_WT202611-01.xlsx')))).toBe(true);
    expect((await site.get('/requests/150102/WT202611-01', 'bt')).status).toBe(404);
    expect((await site.get('/requests/150102/WT202611-02', 'xc')).status).toBe(404); // refused: no report
    expect((await site.get('/requests', 'bt')).text).not.toContain('WT2026');
    expect((await site.get('/requests', 'hhht')).text).toContain('<td>WT202611-01</td>');

    for (const p of site.pages) {
      expect(withoutHexTokens(p.text)).not.toMatch(/\d{15,}/);
      for (const n of ['李月娟', '额尔德木图', '陈丽琴']) expect(p.text).not.toContain(n);
    }
  });
});
