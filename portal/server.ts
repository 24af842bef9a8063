/**
 * The download portal: Node's own http server, server-rendered pages, no framework.
 *
 * The warehouse is never kept open: DuckDB allows one writing process and the nightly run takes
 * the data folder's lock. Each request that needs the database runs one short session
 * (`withSession`: lock, open, work, close), one at a time within this process;
 * while another process holds the lock the request waits up to `lockWaitMs`, then gets 503.
 * The account behind a session cookie is cached for at most `sessionCacheMs` (≤ 60 s) so that
 * plain pages need no database; downloads and uploads always open a session (they are audited).
 *
 * Routes (README.md beside this file):
 *   GET  /login, POST /login, POST /logout
 *   GET  /                                   periods the account may see
 *   GET  /p/<YYYY-MM>                        a period: a county's own state (county-status.ts), download and upload; for leagues and the region, each county's status
 *   GET  /p/<YYYY-MM>/c/<county>             a county's state, for its league and the region
 *   GET  /p/<YYYY-MM>/download/<county>      a county's workbook
 *   GET  /p/<YYYY-MM>/summary.xlsx           the region's summary (region accounts)
 *   POST /upload                             a county's returned workbook (multipart/form-data)
 * Anything else, and anything an account may not see, is 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { open, mkdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { isIP, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { COUNTIES, type County } from '../domain/divisions.ts';
import { withSession, type Session } from '../pipeline/run.ts';
import { HeduiError, LockHeldError } from '../base/errors.ts';
import { recordAudit } from '../pipeline/audit.ts';
import { logger } from '../base/log.ts';
import { endSession, login, sessionAccount, sha256Hex, SESSION_HOURS, type Account } from './accounts.ts';
import { countiesOf, mayDownload, maySeeSummary, publishedPeriods, scopeTitle, summaryPath, workbookPath } from './files.ts';
import { isMonthName } from '../pipeline/period.ts';
import { countyWorkbookFileName, HOUSEHOLDS } from '../pipeline/publish/workbook-contract.ts';
import { countyPeriodSection, Html, html, loginPage, messagePage, page, type PageOptions } from './html.ts';
import { countyPeriodStatus } from './county-status.ts';
import { todayInChina } from '../pipeline/period.ts';
import { boundaryOf, MultipartError, parseForm, parseMultipart } from './multipart.ts';
import { periodStatus } from './status.ts';
import { importFeedback, type FeedbackImportResult } from '../pipeline/feedback.ts';

export interface PortalOptions {
  dataDir: string;
  /** region configuration (default: the shipped one) */
  configPath?: string;
  /** mark the session cookie Secure (set when the portal is reached over https, behind a proxy) */
  secureCookies?: boolean;
  /** take the client address from the last X-Forwarded-For entry (only behind your own proxy) */
  trustProxy?: boolean;
  sessionHours?: number;
  /** largest accepted upload, bytes (default 20 MiB) */
  maxUploadBytes?: number;
  /** how long a request waits for the data folder's lock before 503 (default 2 s) */
  lockWaitMs?: number;
  /** how long the account behind a session is cached (default and maximum 60 s) */
  sessionCacheMs?: number;
  /** the clock (ms since epoch), for tests */
  clock?: () => number;
}

const COOKIE = 'hedui_session';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const BUSY = '系统正在处理数据，请稍后再试。';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}
const notFound = () => new HttpError(404, '未找到', '您要找的页面或文件不存在。');

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  remote: string;
  /** sha256 of the session token from the cookie, if any */
  tokenHash?: string;
  route: string;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Content-Disposition for a Chinese file name: RFC 6266 filename* plus an ASCII fallback. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

const csrfOf = (tokenHash: string) => sha256Hex(`csrf:${tokenHash}`).slice(0, 32);

export class Portal {
  readonly o: Required<Omit<PortalOptions, 'configPath'>> & { configPath?: string };
  private queue: Promise<unknown> = Promise.resolve();
  private cache = new Map<string, { account: Account; expiresAt: number; cachedAt: number }>();

  constructor(options: PortalOptions) {
    this.o = {
      secureCookies: false,
      trustProxy: false,
      sessionHours: SESSION_HOURS,
      maxUploadBytes: 20 * 1024 * 1024,
      lockWaitMs: 2000,
      sessionCacheMs: 60_000,
      clock: Date.now,
      ...options,
    };
    this.o.sessionCacheMs = Math.min(this.o.sessionCacheMs, 60_000);
  }

  /** One short warehouse session, one at a time in this process; waits for another process's lock up to lockWaitMs. */
  db<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const deadline = Date.now() + this.o.lockWaitMs;
      for (;;) {
        try {
          return await withSession({ dataDir: this.o.dataDir, configPath: this.o.configPath, command: 'portal', recordRun: false }, fn);
        } catch (e) {
          if (!(e instanceof LockHeldError) || Date.now() >= deadline) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const r: Request = { req, res, path: q < 0 ? url : url.slice(0, q), remote: this.remoteOf(req), route: 'unknown' };
    const token = cookieOf(req, COOKIE);
    if (token && /^[A-Za-z0-9_-]{43}$/.test(token)) r.tokenHash = sha256Hex(token);
    this.route(r)
      .catch((e) => this.fail(r, e))
      .finally(() => {
        logger().info({ method: req.method, route: r.route, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'portal request');
      });
  };

  private remoteOf(req: IncomingMessage): string {
    if (this.o.trustProxy) {
      const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',').pop()?.trim();
      if (forwarded && isIP(forwarded)) return forwarded;
    }
    return req.socket.remoteAddress ?? 'unknown';
  }

  private async route(r: Request): Promise<void> {
    const { method } = r.req;
    let m: RegExpExecArray | null;
    if (r.path === '/login') {
      r.route = 'login';
      if (method === 'GET') return this.send(r, 200, loginPage());
      if (method === 'POST') return this.postLogin(r);
    } else if (r.path === '/logout' && method === 'POST') {
      r.route = 'logout';
      return this.postLogout(r);
    } else if (r.path === '/' && method === 'GET') {
      r.route = 'home';
      return this.home(r);
    } else if ((m = /^\/p\/([^/]+)$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'period';
      return this.periodPage(r, m[1]);
    } else if ((m = /^\/p\/([^/]+)\/c\/(\d{6})$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'county';
      return this.countyPage(r, m[1], m[2]);
    } else if ((m = /^\/p\/([^/]+)\/download\/(\d{6})$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'download';
      return this.download(r, m[1], m[2]);
    } else if ((m = /^\/p\/([^/]+)\/summary\.xlsx$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'summary';
      return this.download(r, m[1], 'summary');
    } else if (r.path === '/upload' && method === 'POST') {
      r.route = 'upload';
      return this.upload(r);
    } else if (r.path === '/favicon.ico') {
      r.route = 'favicon';
      r.res.writeHead(204, SECURITY_HEADERS).end();
      return;
    }
    throw notFound();
  }

  // --- responses ---

  private send(r: Request, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
    r.res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', ...headers });
    r.res.end(body);
  }

  private redirect(r: Request, location: string, headers: Record<string, string | string[]> = {}): void {
    r.res.writeHead(303, { ...SECURITY_HEADERS, Location: location, ...headers }).end();
  }

  private fail(r: Request, e: unknown): void {
    if (r.res.headersSent) {
      r.res.destroy();
      return;
    }
    const user = (r as Request & { user?: PageOptions['user'] }).user;
    if (e instanceof HttpError) return this.send(r, e.status, messagePage(e.title, e.message, user), e.status === 413 ? { Connection: 'close' } : {});
    if (e instanceof LockHeldError) return this.send(r, 503, messagePage('请稍后再试', BUSY, user), { 'Retry-After': '60' });
    logger().error({ route: r.route, error: e instanceof HeduiError ? e.message : (e as Error)?.name }, 'portal request failed');
    this.send(r, 500, messagePage('内部错误', '服务器内部错误，请稍后再试或联系管理员。', user));
  }

  private cookie(token: string | null): string {
    const base = token === null ? `${COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT` : `${COOKIE}=${token}`;
    // a browser-session cookie: gone when the browser closes; the server ends it after sessionHours anyway
    return `${base}; HttpOnly; SameSite=Strict; Path=/${this.o.secureCookies ? '; Secure' : ''}`;
  }

  // --- sessions ---

  private cached(tokenHash: string | undefined): Account | undefined {
    if (!tokenHash) return undefined;
    const c = this.cache.get(tokenHash);
    const now = this.o.clock();
    if (!c) return undefined;
    if (c.expiresAt <= now || Date.now() - c.cachedAt > this.o.sessionCacheMs) {
      this.cache.delete(tokenHash);
      return undefined;
    }
    return c.account;
  }

  /**
   * The account of the request's session. Given a warehouse session `s` (downloads), always looked
   * up there, so a disabled account downloads nothing more; otherwise from the cache (≤ 60 s) or a
   * session of its own.
   */
  private async account(r: Request, s?: Session): Promise<Account | undefined> {
    if (!r.tokenHash) return undefined;
    const hit = s ? undefined : this.cached(r.tokenHash);
    if (hit) return this.remember(r, hit);
    const tokenHash = r.tokenHash;
    const found = s ? await sessionAccount(s.w, tokenHash, this.o.clock()) : await this.db((x) => sessionAccount(x.w, tokenHash, this.o.clock()));
    if (!found) {
      this.cache.delete(tokenHash);
      return undefined;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tokenHash, { ...found, cachedAt: Date.now() });
    return this.remember(r, found.account);
  }

  private remember(r: Request, account: Account): Account {
    (r as Request & { user?: PageOptions['user'] }).user = { username: account.username, scope: scopeTitle(account), csrf: csrfOf(r.tokenHash!) };
    return account;
  }

  private userOf(r: Request): PageOptions['user'] {
    return (r as Request & { user?: PageOptions['user'] }).user;
  }

  /** The account, or a redirect to the login page (GET) / 401 (other methods). */
  private async requireAccount(r: Request, s?: Session): Promise<Account | undefined> {
    const account = await this.account(r, s);
    if (account) return account;
    if (r.req.method === 'GET') this.redirect(r, '/login', r.tokenHash ? { 'Set-Cookie': this.cookie(null) } : {});
    else this.send(r, 401, messagePage('请先登录', '登录已过期或尚未登录，请重新登录。'));
    return undefined;
  }

  private async readBody(r: Request, limit: number): Promise<Buffer> {
    const declared = Number(r.req.headers['content-length'] ?? NaN);
    if (declared > limit) throw new HttpError(413, '文件过大', `上传的文件超过 ${Math.floor(this.o.maxUploadBytes / 1024 / 1024)} MB 的上限。`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of r.req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new HttpError(413, '文件过大', `上传的文件超过 ${Math.floor(this.o.maxUploadBytes / 1024 / 1024)} MB 的上限。`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  private async postLogin(r: Request): Promise<void> {
    const form = parseForm(await this.readBody(r, 16 * 1024));
    const username = (form.get('username') ?? '').trim().slice(0, 64);
    const password = form.get('password') ?? '';
    const outcome = await this.db(async (s) => {
      const result = await login(s.w, username, password, r.remote, this.o.clock(), this.o.sessionHours);
      await recordAudit(s.w, {
        actor: result.ok || result.known ? username : '(unknown)',
        action: 'portal.login',
        subject: result.ok || result.known ? username : null,
        detail: result.ok ? 'ok' : result.reason,
        remote: r.remote,
      });
      return result;
    });
    if (outcome.ok) return this.redirect(r, '/', { 'Set-Cookie': this.cookie(outcome.token) });
    if (outcome.reason === 'rate-limited') return this.send(r, 429, loginPage('登录失败次数过多，请 15 分钟后再试。', username), { 'Retry-After': '900' });
    this.send(r, 401, loginPage('用户名或密码错误。', username));
  }

  private async postLogout(r: Request): Promise<void> {
    const form = parseForm(await this.readBody(r, 16 * 1024));
    if (r.tokenHash && form.get('csrf') === csrfOf(r.tokenHash)) {
      const tokenHash = r.tokenHash;
      this.cache.delete(tokenHash);
      await this.db((s) => endSession(s.w, tokenHash));
    }
    this.redirect(r, '/login', { 'Set-Cookie': this.cookie(null) });
  }

  // --- pages ---

  private uploadForm(r: Request): Html {
    return html`<div class="box"><form method="post" action="/upload" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${csrfOf(r.tokenHash!)}">
上传已填写核实结果的工作簿（.xlsx，不超过 ${Math.floor(this.o.maxUploadBytes / 1024 / 1024)} MB）：
<input type="file" name="file" accept=".xlsx,${XLSX_TYPE}"> <input type="submit" value="上传">
</form></div>`;
  }

  private async home(r: Request): Promise<void> {
    const account = await this.requireAccount(r);
    if (!account) return;
    const periods = await publishedPeriods(this.o.dataDir);
    const county = account.scope === 'county' ? countiesOf(account)[0] : undefined;
    const rows = periods.map((p) =>
      county
        ? html`<tr><td><a href="/p/${p}">${p}</a></td><td><a href="/p/${p}/download/${county.code}">${countyWorkbookFileName(p, county)}</a></td></tr>`
        : html`<tr><td><a href="/p/${p}">${p}</a></td><td><a href="/p/${p}">各旗县市区下载与反馈情况</a>${maySeeSummary(account) ? html` · <a href="/p/${p}/summary.xlsx">summary.xlsx</a>` : ''}</td></tr>`,
    );
    this.send(
      r,
      200,
      page(
        { title: '核对疑点', user: this.userOf(r) },
        html`${periods.length ? html`<table><tr><th>核对期</th><th>${county ? '疑点工作簿' : '内容'}</th></tr>${rows}</table>` : html`<p>尚无已发布的核对期。</p>`}
${county ? this.uploadForm(r) : ''}
<p class="note">疑点为核查线索，不是结论：请逐户核实后在"${HOUSEHOLDS.header.disposition}"列选择结果并上传。下发之日起 15 日内完成。</p>`,
      ),
    );
  }

  private async periodPage(r: Request, period: string): Promise<void> {
    if (!(await publishedPeriods(this.o.dataDir)).includes(period)) {
      if (await this.requireAccount(r)) throw notFound();
      return;
    }
    const account = await this.requireAccount(r);
    if (!account) return;
    if (account.scope === 'county') {
      const county = countiesOf(account)[0];
      const today = todayInChina(new Date(this.o.clock()));
      const state = await this.db((s) => countyPeriodStatus(s.w, period, county, s.config.config, today));
      return this.send(
        r,
        200,
        page(
          { title: `${period} 核对疑点`, user: this.userOf(r) },
          html`<p><a href="/p/${period}/download/${county.code}">下载 ${countyWorkbookFileName(period, county)}</a></p>${this.uploadForm(r)}
${countyPeriodSection(state)}<p><a href="/">返回首页</a></p>`,
        ),
      );
    }
    const counties = countiesOf(account);
    const asOf = todayInChina(new Date(this.o.clock()));
    const status = await this.db((s) => periodStatus(s.w, period, counties, s.config.config, asOf));
    const pct = (x: number | null | undefined) => (x === null || x === undefined ? '' : `${(x * 100).toFixed(1)}%`);
    const rows = status.counties.map((c) => {
      const k = c.kpi;
      const state = c.answeredAt ? `已反馈 ${c.answeredAt}` : k?.issued ? '未反馈' : '无疑点';
      return html`<tr>
<td>${c.county.leagueName}</td><td>${c.county.code}</td><td><a href="/p/${period}/download/${c.county.code}">${c.county.name}</a></td>
<td class="${c.downloadedAt ? 'ok' : 'bad'}">${c.downloadedAt ? `已下载 ${c.downloadedAt}` : '未下载'}</td>
<td class="${c.answeredAt ? 'ok' : ''}">${state}</td>
<td class="num">${k?.issued ?? ''}</td><td class="num">${k?.answeredOnTime ?? ''}</td><td class="num">${k?.answeredLate ?? ''}</td><td class="num">${k?.unanswered ?? ''}</td>
<td class="num ${k?.overdue ? 'bad' : ''}">${k?.overdue ? `${k.overdue} 已逾期` : (k?.overdue ?? '')}</td>
<td class="num">${pct(k?.confirmedShare)}</td><td class="num">${pct(k?.dataErrorShare)}</td><td><a href="/p/${period}/c/${c.county.code}">详情</a></td></tr>`;
    });
    this.send(
      r,
      200,
      page(
        { title: `${period} 各旗县市区情况`, user: this.userOf(r) },
        html`<p>下发日期 ${status.issuedOn}，核实截止 ${status.dueOn}（统计日 ${asOf}）。${maySeeSummary(account) ? html` <a href="/p/${period}/summary.xlsx">下载 summary.xlsx</a>` : ''}</p>
<table><tr><th>盟市</th><th>代码</th><th>旗县市区（下载工作簿）</th><th>下载</th><th>反馈</th><th>下发疑点</th><th>按期核实</th><th>逾期核实</th><th>未核实</th><th>逾期未核实</th><th>属实占比</th><th>数据源错误占比</th><th>截止日期、上传记录与未核实疑点</th></tr>${rows}</table>
<p class="note">"已下载"指本旗县市区账号下载过；点击旗县市区名称下载其工作簿（记入审计）。疑点数按条计，仅含本期首次下发的疑点；占比以已核实疑点为分母。</p>
<p><a href="/">返回首页</a></p>`,
      ),
    );
  }

  /**
   * A county's state of a period for its league and the region (the county's own page shows the
   * same). Not published, not a county, or not in the account's scope: 404 alike; a county account
   * has its own period page instead.
   */
  private async countyPage(r: Request, period: string, code: string): Promise<void> {
    const account = await this.requireAccount(r);
    if (!account) return;
    if (!(await publishedPeriods(this.o.dataDir)).includes(period)) throw notFound();
    const county = account.scope === 'county' ? undefined : COUNTIES.find((c) => c.code === code) && mayDownload(account, code);
    if (!county) throw notFound();
    const today = todayInChina(new Date(this.o.clock()));
    const state = await this.db((s) => countyPeriodStatus(s.w, period, county, s.config.config, today));
    this.send(
      r,
      200,
      page(
        { title: `${period} ${county.leagueName} ${county.name}`, user: this.userOf(r) },
        html`<p><a href="/p/${period}/download/${county.code}">下载 ${countyWorkbookFileName(period, county)}</a>（记入审计）</p>
${countyPeriodSection(state)}<p><a href="/p/${period}">返回 ${period} 各旗县市区情况</a> · <a href="/">返回首页</a></p>`,
      ),
    );
  }

  // --- files ---

  /**
   * A download: (period, county code | 'summary'), both checked against closed lists before any
   * path is built. Not published, not a county, or not the account's: 404 alike. The audit row is
   * written before the first byte is sent; a download that cannot be audited is not served.
   */
  private async download(r: Request, period: string, what: string): Promise<void> {
    if (!isMonthName(period)) throw notFound();
    const periods = await publishedPeriods(this.o.dataDir);
    let handle: FileHandle | undefined;
    let fileName = '';
    let size = 0;
    const served = await this.db(async (s) => {
      const account = await this.requireAccount(r, s);
      if (!account) return false;
      if (!periods.includes(period)) throw notFound();
      let path: string;
      let county: County | undefined;
      if (what === 'summary') {
        if (!maySeeSummary(account)) throw notFound();
        path = summaryPath(this.o.dataDir, period);
        fileName = `${period}_summary.xlsx`;
      } else {
        county = COUNTIES.find((c) => c.code === what) && mayDownload(account, what);
        if (!county) throw notFound();
        path = workbookPath(this.o.dataDir, period, county);
        fileName = countyWorkbookFileName(period, county);
      }
      handle = await open(path, 'r').catch(() => undefined); // held open: a release swap during the send does not matter
      if (!handle) throw notFound();
      size = (await handle.stat()).size;
      try {
        await recordAudit(s.w, { actor: account.username, action: 'portal.download', subject: county ? county.code : 'summary', detail: fileName, remote: r.remote, period });
      } catch (e) {
        await handle.close();
        handle = undefined;
        throw e;
      }
      return true;
    });
    if (!served || !handle) return;
    const h = handle as FileHandle;
    r.res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': XLSX_TYPE,
      'Content-Length': String(size),
      'Content-Disposition': attachment(fileName),
    });
    const stream = h.createReadStream();
    stream.pipe(r.res);
    await new Promise<void>((resolve) => {
      r.res.on('close', resolve);
      stream.on('error', () => {
        r.res.destroy();
        resolve();
      });
    });
  }

  /**
   * An upload by a county account: the file part of a multipart form, at most maxUploadBytes,
   * named .xlsx and starting with the zip signature. Saved as feedback/<county>/<sha256>.xlsx, then
   * imported by the pipeline's importer and audited in one session. If the data folder is busy
   * (503), a file this request saved is removed again: nothing happened, the county uploads again.
   */
  private async upload(r: Request): Promise<void> {
    const account = await this.requireAccount(r);
    if (!account) return;
    if (account.scope !== 'county' || !account.scopeCode) throw notFound();
    const county = countiesOf(account)[0];
    const boundary = boundaryOf(r.req.headers['content-type']);
    if (!boundary) throw new HttpError(400, '上传失败', '请使用页面上的上传表单提交文件。');
    const body = await this.readBody(r, this.o.maxUploadBytes + 64 * 1024);
    let parts;
    try {
      parts = parseMultipart(body, boundary);
    } catch (e) {
      if (e instanceof MultipartError) throw new HttpError(400, '上传失败', '上传的内容不完整，请重新上传。');
      throw e;
    }
    const csrf = parts.find((p) => p.name === 'csrf')?.data.toString('utf8');
    if (csrf !== csrfOf(r.tokenHash!)) throw new HttpError(403, '上传失败', '页面已过期，请返回首页重新上传。');
    const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
    if (!file || !file.filename || file.data.length === 0) throw new HttpError(400, '上传失败', '请选择要上传的工作簿文件。');
    if (file.data.length > this.o.maxUploadBytes) throw new HttpError(413, '文件过大', `上传的文件超过 ${Math.floor(this.o.maxUploadBytes / 1024 / 1024)} MB 的上限。`);
    const baseName = file.filename.split(/[\\/]/).pop() ?? ''; // old IE sends the full client path
    if (!/\.xlsx$/i.test(baseName) || !file.data.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
      throw new HttpError(415, '文件类型不符', '只接受 Excel 工作簿（.xlsx）。请上传下发的核对疑点工作簿，不要另存为 .xls 或其他格式。');
    }
    const sha256 = createHash('sha256').update(file.data).digest('hex');
    const dir = join(this.o.dataDir, 'feedback', county.code);
    const path = join(dir, `${sha256}.xlsx`);
    const savedName = `${county.code}/${sha256}.xlsx`;
    let created = false;
    if (!(await stat(path).catch(() => undefined))) {
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.${sha256}.${randomBytes(4).toString('hex')}.part`);
      await writeFile(tmp, file.data);
      await rename(tmp, path);
      created = true;
    }
    let result: FeedbackImportResult | undefined;
    let failure: string | undefined;
    try {
      await this.db(async (s) => {
        // looked up again in the warehouse: an account disabled within the cache's minute uploads nothing
        if (!(await sessionAccount(s.w, r.tokenHash!, this.o.clock()))) throw new HttpError(401, '请先登录', '登录已过期或尚未登录，请重新登录。');
        try {
          result = await importFeedback(s.w, path, { config: s.config.config, actor: account.username, expectCounty: county.code, remote: r.remote, receivedOn: todayInChina(new Date(this.o.clock())) });
        } catch (e) {
          if (!(e instanceof HeduiError)) throw e;
          failure = e.message; // typed errors carry no personal data
        }
        const detail = result
          ? `${result.status} accepted=${result.accepted} unanswered=${result.unanswered} whitelisted=${result.whitelisted} rejected=${result.rejected.length}`
          : `failed ${failure}`;
        await recordAudit(s.w, { actor: account.username, action: 'portal.upload', subject: county.code, detail: `${detail} file=${savedName}`, remote: r.remote, period: result?.period ?? null });
      });
    } catch (e) {
      if ((e instanceof LockHeldError || e instanceof HttpError) && created) await rm(path, { force: true });
      throw e;
    }
    this.send(r, result?.status === 'refused' || failure ? 422 : 200, this.uploadResult(r, savedName, result, failure));
  }

  private uploadResult(r: Request, savedName: string, result: FeedbackImportResult | undefined, failure: string | undefined): string {
    const STATUS: Record<FeedbackImportResult['status'], string> = { imported: '已导入', reinstated: '此前已导入，重新设为当前反馈', unchanged: '此前已导入（内容相同）', refused: '未导入' };
    let body: Html;
    if (!result) {
      body = html`<p class="bad">工作簿无法导入：${failure ?? ''}</p>`;
    } else {
      const rejected = result.rejected.map((x) => html`<tr><td>${x.sheet}</td><td class="num">${x.row}</td><td>${x.reason}</td></tr>`);
      body = html`<table>
<tr><th>文件</th><td>${savedName}</td></tr>
<tr><th>核对期</th><td>${result.period ?? ''}</td></tr>
<tr><th>旗县市区</th><td>${result.county ?? ''}</td></tr>
<tr><th>结果</th><td class="${result.status === 'refused' ? 'bad' : 'ok'}">${STATUS[result.status]}${result.reason ? `：${result.reason}` : ''}${result.supersedes ? `（替换此前的 ${result.supersedes}）` : ''}</td></tr>
<tr><th>已接受核实结果（条疑点）</th><td class="num">${result.accepted}</td></tr>
<tr><th>尚未填写（条疑点）</th><td class="num">${result.unanswered}</td></tr>
<tr><th>列入白名单（人次）</th><td class="num">${result.whitelisted}</td></tr>
<tr><th>未接受的行</th><td class="num">${result.rejected.length}</td></tr>
</table>
${rejected.length ? html`<h3>未接受的行</h3><table><tr><th>工作表</th><th>行号</th><th>原因</th></tr>${rejected}</table><p>请修改这些行后重新上传整个工作簿。</p>` : ''}`;
    }
    return page({ title: '上传结果', user: this.userOf(r) }, html`${body}<p><a href="/">返回首页</a></p>`);
  }
}

export interface RunningPortal {
  server: Server;
  portal: Portal;
  url: string;
  close(): Promise<void>;
}

/** Starts the portal on host:port (port 0: any free port). */
export async function startPortal(options: PortalOptions & { port: number; host?: string }): Promise<RunningPortal> {
  const portal = new Portal(options);
  const server = createServer({ requestTimeout: 120_000, headersTimeout: 30_000 }, portal.handler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    server,
    portal,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
