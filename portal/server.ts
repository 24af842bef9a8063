/**
 * The download portal: Node's own http server, server-rendered pages, no framework.
 *
 * It never stands in the nightly run's way: it holds no warehouse lock and opens no warehouse.
 * Accounts, sessions, login throttling, the audit and the upload queue are in the state store
 * (SQLite, pipeline/state.ts, made for many processes); pages and downloads read the published
 * files and each period's index.json (pipeline/publish/period-index.ts); an upload is checked,
 * saved and queued, and imported by a child process that takes the warehouse lock (imports.ts).
 *
 * Every request passes a capped queue: beyond `maxPending` waiting requests the answer is 503 at
 * once, and a request whose client has gone is dropped before any work. Logins and password
 * changes (scrypt: ~0.5 s and 128 MiB each) have a queue of their own, so a flood of them never
 * holds up pages, downloads or the login form. A request without a
 * valid session costs one indexed SQLite read.
 *
 * Routes (README.md beside this file):
 *   GET  /login, POST /login, POST /logout, GET|POST /password
 *   GET  /                                   periods the account may see
 *   GET  /p/<YYYY-MM>                        a period: a county's own state, download and upload; for leagues and the region, each county's status
 *   GET  /p/<YYYY-MM>/c/<county>             a county's state, for its league and the region
 *   GET  /p/<YYYY-MM>/download/<county>      a county's workbook
 *   GET  /p/<YYYY-MM>/summary.xlsx           the region's summary (region accounts)
 *   GET  /p/<YYYY-MM>/assist                 cross-league 协查请求 (a league: its own; the region: every league's) and the cross-province 跨省核对请求 (the region): downloads, the answer upload form, the unit's answer uploads
 *   GET  /p/<YYYY-MM>/assist/<league code>   a league's 协查请求 (the league, the region)
 *   GET  /p/<YYYY-MM>/assist/province        the cross-province 跨省核对请求 (the region)
 *   POST /upload                             a county's returned workbook (multipart/form-data)
 *   POST /assist/upload                      an answered 协查请求 (a league: its own) or 跨省核对请求 / any 协查请求 (the region)
 *   GET  /upload/<id>                        either upload: 已接收，正在导入, then its result
 *   GET  /requests                           check requests (逢救必核): a county's own, with its uploads and the upload form; a league's or the region's counties', with totals
 *   POST /requests/upload                    a county's check-request file, saved into inbox/requests/<today>/<county>/ for the next requests run
 *   GET  /requests/received/<name>           that upload: received, waiting for the nightly run (or what the run made of it)
 *   GET  /requests/<county>/<委托编号>        an answered request's 核对报告
 * Anything else, and anything an account may not see, is 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { open, mkdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { isIP, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { COUNTIES, type County } from '../domain/divisions.ts';
import { HeduiError } from '../base/errors.ts';
import { recordAudit, type AuditEvent } from '../pipeline/audit.ts';
import { openState, type StateDb } from '../pipeline/state.ts';
import { logger } from '../base/log.ts';
import { changePassword, endSession, isAccount, login, PasswordRefusedError, passwordProblemZh, SCRYPT_CONCURRENCY, sessionAccount, sha256Hex, type Account } from './accounts.ts';
import { assistFileName, assistPath, assistTargetsOf, countiesOf, mayDownload, mayDownloadAssist, maySeeSummary, publishedPeriods, scopeTitle, summaryPath, workbookPath } from './files.ts';
import { isMonthName, todayInChina } from '../pipeline/period.ts';
import { countyWorkbookFileName, HOUSEHOLDS } from '../pipeline/publish/workbook-contract.ts';
import { readPeriodIndex } from '../pipeline/publish/period-index.ts';
import { reportFileOf } from '../pipeline/requests/status.ts';
import { inspectWorkbookZip } from '../pipeline/workbook-zip.ts';
import type { FeedbackImportResult } from '../pipeline/feedback.ts';
import type { AssistImportResult } from '../pipeline/assist/answers.ts';
import { assistResultTable, assistUploadsTable, assistWorkbooksTable, countyPeriodSection, Html, html, loginPage, messagePage, page, passwordPage, requestsTable, requestTotalsTable, requestUploadState, requestUploadsTable, type PageOptions } from './html.ts';
import {
  answeredRequest,
  earlierUpload,
  readRequestIndex,
  REQUEST_UPLOAD_ACTION,
  REQUEST_UPLOAD_NAME,
  requestFileKind,
  requestsOf,
  requestUploadByName,
  requestUploadFile,
  requestUploadName,
  requestUploadsOf,
  requestUploadsSince,
  totalsOf,
} from './requests.ts';
import { countyPeriodStatus } from './county-status.ts';
import { boundaryOf, MultipartError, parseForm, parseMultipart } from './multipart.ts';
import { periodStatus } from './status.ts';
import { downloadsOf, uploadShownFor } from './activity.ts';
import {
  aheadOf,
  assistUploadsOf,
  DEFAULT_IMPORT_LIMITS,
  ImportRunner,
  queueUpload,
  uploadById,
  uploadFolder,
  uploadKind,
  uploadsSince,
  uploadUnitOf,
  type ImportLimits,
  type UploadKind,
  type UploadOutcome,
} from './imports.ts';

export interface PortalOptions {
  dataDir: string;
  /** region configuration (default: the shipped one) */
  configPath?: string;
  /** plain http for a trial on localhost: the cookie loses Secure and the __Host- prefix, no HSTS */
  insecureHttp?: boolean;
  /** take the client address from the last X-Forwarded-For entry (only behind your own proxy) */
  trustProxy?: boolean;
  /** largest accepted upload, bytes (default 20 MiB) */
  maxUploadBytes?: number;
  /** requests handled at once, and waiting beyond those before 503 */
  concurrency?: number;
  maxPending?: number;
  /** password checks (login, password change) waiting beyond the SCRYPT_CONCURRENCY running before 503 */
  maxPendingLogins?: number;
  /** uploads being received at once (each is held in memory up to maxUploadBytes) */
  maxReceiving?: number;
  /** uploads a county may send per hour */
  uploadsPerHour?: number;
  /** the import child's limits */
  imports?: Partial<ImportLimits>;
  /** the clock (ms since epoch), for tests */
  clock?: () => number;
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Check requests listed on a page (newest received first), and the days of a county's uploads shown. */
const REQUESTS_SHOWN = 500;
const REQUEST_UPLOAD_DAYS = 30;
const BUSY = '系统繁忙，请稍后再试。';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly headers: Record<string, string> = {},
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
  account?: Account;
  user?: PageOptions['user'];
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // same-origin: our own form posts carry a real Origin to check; nothing leaves for other sites
  'Referrer-Policy': 'same-origin',
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

/** Statuses whose answers the audit keeps (with the account, if any): refusals a person may need to see. */
const AUDITED_STATUS: Record<number, string> = { 403: 'portal.forbidden', 413: 'portal.too-large', 415: 'portal.wrong-type', 429: 'portal.throttled', 503: 'portal.busy' };

export class Portal {
  readonly o: Required<Omit<PortalOptions, 'configPath' | 'imports'>> & { configPath?: string; imports: ImportLimits };
  readonly state: StateDb;
  readonly imports: ImportRunner;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly logins = pLimit(SCRYPT_CONCURRENCY);
  private receiving = new Map<string, number>();
  private busyAudit = { at: 0, count: 0 };

  constructor(options: PortalOptions) {
    this.o = {
      insecureHttp: false,
      trustProxy: false,
      maxUploadBytes: 20 * 1024 * 1024,
      concurrency: 16,
      maxPending: 64,
      maxPendingLogins: 16,
      maxReceiving: 4,
      uploadsPerHour: 20,
      clock: Date.now,
      ...options,
      imports: { ...DEFAULT_IMPORT_LIMITS, ...options.imports },
    };
    this.state = openState(this.o.dataDir);
    this.limit = pLimit(this.o.concurrency);
    this.imports = new ImportRunner(this.state, { dataDir: this.o.dataDir, configPath: this.o.configPath, limits: this.o.imports });
    this.imports.kick(); // what a stopped portal left queued
  }

  private get cookieName(): string {
    // __Host-: the browser keeps it only if Secure, path /, no Domain — a sibling host cannot set it
    return this.o.insecureHttp ? 'hedui_session' : '__Host-hedui_session';
  }

  private today(): string {
    return todayInChina(new Date(this.o.clock()));
  }

  async close(): Promise<void> {
    await this.imports.close();
    this.state.close();
  }

  handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const r: Request = { req, res, path: q < 0 ? url : url.slice(0, q), remote: this.remoteOf(req), route: 'unknown' };
    const token = cookieOf(req, this.cookieName);
    if (token && /^[A-Za-z0-9_-]{43}$/.test(token)) r.tokenHash = sha256Hex(token);
    const done = () => logger().info({ method: req.method, route: r.route, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'portal request');
    const checksPassword = req.method === 'POST' && (r.path === '/login' || r.path === '/password');
    const queue = checksPassword ? this.logins : this.limit;
    if (queue.pendingCount >= (checksPassword ? this.o.maxPendingLogins : this.o.maxPending)) {
      // full: answered at once, without reading the body or looking at the session
      this.auditBusy(r);
      this.send(r, 503, messagePage('请稍后再试', BUSY), { 'Retry-After': '30', Connection: 'close' });
      done();
      return;
    }
    void queue(async () => {
      if (req.socket.destroyed || res.writableEnded) return; // the client has gone: no work for nobody
      await this.route(r).catch((e) => this.fail(r, e));
    }).finally(done);
  };

  private remoteOf(req: IncomingMessage): string {
    if (this.o.trustProxy) {
      const forwarded = String(req.headers['x-forwarded-for'] ?? '').split(',').pop()?.trim();
      if (forwarded && isIP(forwarded)) return forwarded;
    }
    return req.socket.remoteAddress ?? 'unknown';
  }

  private audit(r: Request, e: Omit<AuditEvent, 'actor' | 'remote'> & { actor?: string }): void {
    recordAudit(this.state, { actor: r.account?.username ?? '(anonymous)', remote: r.remote, ...e }, this.o.clock());
  }

  /** A flood of 503s is one audit row per 10 s with its count, not one row per request. */
  private auditBusy(r: Request): void {
    const now = Date.now();
    this.busyAudit.count++;
    if (now - this.busyAudit.at < 10_000) return;
    this.audit(r, { action: 'portal.busy', subject: r.path.slice(0, 64), detail: `503 queue full, ${this.busyAudit.count} request(s) refused since the last such row` });
    this.busyAudit = { at: now, count: 0 };
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
    } else if (r.path === '/password' && (method === 'GET' || method === 'POST')) {
      r.route = 'password';
      return this.password(r);
    } else if (r.path === '/favicon.ico') {
      r.route = 'favicon';
      r.res.writeHead(204, this.headers()).end();
      return;
    }
    // everything below needs a logged-in account whose password is its own
    const account = this.requireAccount(r);
    if (!account) return;
    if (r.path === '/' && method === 'GET') {
      r.route = 'home';
      return this.home(r, account);
    } else if ((m = /^\/p\/([^/]+)$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'period';
      return this.periodPage(r, account, m[1]);
    } else if ((m = /^\/p\/([^/]+)\/c\/(\d{6})$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'county';
      return this.countyPage(r, account, m[1], m[2]);
    } else if ((m = /^\/p\/([^/]+)\/download\/(\d{6})$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'download';
      return this.download(r, account, m[1], m[2]);
    } else if ((m = /^\/p\/([^/]+)\/summary\.xlsx$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'summary';
      return this.download(r, account, m[1], 'summary');
    } else if ((m = /^\/p\/([^/]+)\/assist$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'assist';
      return this.assistPage(r, account, m[1]);
    } else if ((m = /^\/p\/([^/]+)\/assist\/(\d{4}|province)$/.exec(r.path)) && isMonthName(m[1]) && method === 'GET') {
      r.route = 'assist-download';
      return this.assistDownload(r, account, m[1], m[2]);
    } else if (r.path === '/upload' && method === 'POST') {
      r.route = 'upload';
      return this.upload(r, account);
    } else if (r.path === '/assist/upload' && method === 'POST') {
      r.route = 'assist-upload';
      return this.assistUpload(r, account);
    } else if ((m = /^\/upload\/([A-Za-z0-9_-]{16})$/.exec(r.path)) && method === 'GET') {
      r.route = 'upload-result';
      return this.uploadPage(r, account, m[1]);
    } else if (r.path === '/requests' && method === 'GET') {
      r.route = 'requests';
      return this.requestsPage(r, account);
    } else if (r.path === '/requests/upload' && method === 'POST') {
      r.route = 'request-upload';
      return this.requestUpload(r, account);
    } else if ((m = /^\/requests\/received\/([^/]+)$/.exec(r.path)) && REQUEST_UPLOAD_NAME.test(m[1]) && method === 'GET') {
      r.route = 'request-received';
      return this.requestReceived(r, account, m[1]);
    } else if ((m = /^\/requests\/(\d{6})\/([^/]{1,400})$/.exec(r.path)) && method === 'GET') {
      r.route = 'request-download';
      return this.requestDownload(r, account, m[1], m[2]);
    }
    throw notFound();
  }

  // --- responses ---

  private headers(extra: Record<string, string | string[]> = {}): Record<string, string | string[]> {
    return { ...SECURITY_HEADERS, ...(this.o.insecureHttp ? {} : { 'Strict-Transport-Security': 'max-age=31536000' }), ...extra };
  }

  private send(r: Request, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
    r.res.writeHead(status, this.headers({ 'Content-Type': 'text/html; charset=utf-8', ...headers }));
    r.res.end(body);
  }

  private redirect(r: Request, location: string, headers: Record<string, string | string[]> = {}): void {
    r.res.writeHead(303, this.headers({ Location: location, ...headers })).end();
  }

  private fail(r: Request, e: unknown): void {
    if (r.res.headersSent) {
      r.res.destroy();
      return;
    }
    if (e instanceof HttpError) {
      const action = AUDITED_STATUS[e.status];
      if (action) this.audit(r, { action, subject: r.route, detail: `${e.status} ${r.req.method} ${r.route}` });
      return this.send(r, e.status, messagePage(e.title, e.message, r.user), { ...(e.status === 413 ? { Connection: 'close' } : {}), ...e.headers });
    }
    logger().error({ route: r.route, error: e instanceof HeduiError ? e.message : (e as Error)?.name }, 'portal request failed');
    this.send(r, 500, messagePage('内部错误', '服务器内部错误，请稍后再试或联系管理员。', r.user));
  }

  private cookie(token: string | null): string {
    const base = token === null ? `${this.cookieName}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT` : `${this.cookieName}=${token}`;
    // a browser-session cookie: gone when the browser closes; the server ends it when idle or old anyway
    return `${base}; HttpOnly; SameSite=Strict; Path=/${this.o.insecureHttp ? '' : '; Secure'}`;
  }

  /**
   * A form that changes something must come from this site: a cross-site Origin (or, without a
   * usable one, a cross-site Sec-Fetch-Site or Referer) is 403. Old browsers send none of them;
   * SameSite=Strict and the form token still guard what matters.
   */
  private checkOrigin(r: Request): void {
    const host = r.req.headers.host;
    const expected = `${this.o.insecureHttp ? 'http' : 'https'}://${host}`;
    const origin = r.req.headers.origin;
    const site = r.req.headers['sec-fetch-site'];
    let ok = true;
    // 'null' is what a browser sends under a no-referrer policy or from a sandboxed frame: judged by the fetch metadata instead
    if (origin !== undefined && origin !== 'null') ok = origin === expected;
    else if (typeof site === 'string') ok = site === 'same-origin' || site === 'none';
    else if (r.req.headers.referer) ok = r.req.headers.referer.startsWith(`${expected}/`);
    if (!ok) throw new HttpError(403, '请求被拒绝', '请从本系统的页面提交。');
  }

  // --- sessions ---

  /** The account of the request's session (live, not idle, account enabled), looked up every time. */
  private account(r: Request): { account: Account; mustChangePassword: boolean } | undefined {
    if (!r.tokenHash) return undefined;
    const found = sessionAccount(this.state, r.tokenHash, this.o.clock());
    if (!found) return undefined;
    r.account = found.account;
    r.user = { username: found.account.username, scope: scopeTitle(found.account), csrf: csrfOf(r.tokenHash) };
    return found;
  }

  /** The account, or a redirect to the login page (GET) / 401 (other methods); one that must change its password goes to /password. */
  private requireAccount(r: Request): Account | undefined {
    const found = this.account(r);
    if (!found) {
      if (r.req.method === 'GET') this.redirect(r, '/login', r.tokenHash ? { 'Set-Cookie': this.cookie(null) } : {});
      else this.send(r, 401, messagePage('请先登录', '登录已过期或尚未登录，请重新登录。'));
      return undefined;
    }
    if (found.mustChangePassword) {
      if (r.req.method === 'GET') this.redirect(r, '/password');
      else this.send(r, 403, messagePage('请先修改密码', '首次登录须先修改密码。', r.user));
      return undefined;
    }
    return found.account;
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
    this.checkOrigin(r);
    const form = parseForm(await this.readBody(r, 16 * 1024));
    const username = (form.get('username') ?? '').trim().slice(0, 64);
    const outcome = await login(this.state, username, form.get('password') ?? '', r.remote, this.o.clock());
    // a name that is no account is not written down: it may be a password typed into the wrong field
    const known = isAccount(this.state, username);
    this.audit(r, {
      actor: outcome.ok ? username : '(anonymous)',
      action: 'portal.login',
      subject: known ? username : null,
      detail: outcome.ok ? 'ok' : outcome.reason,
    });
    if (outcome.ok) return this.redirect(r, outcome.mustChangePassword ? '/password' : '/', { 'Set-Cookie': this.cookie(outcome.token) });
    if (outcome.reason === 'throttled') {
      const wait = Math.max(1, Math.ceil(outcome.retryAfterSeconds ?? 60));
      return this.send(r, 429, loginPage(`尝试次数过多，请 ${wait} 秒后再试。`, username), { 'Retry-After': String(wait) });
    }
    this.send(r, 401, loginPage('用户名或密码错误。', username));
  }

  /** Ends the server's session whatever the form holds: a logout must never leave a session alive. */
  private async postLogout(r: Request): Promise<void> {
    await this.readBody(r, 16 * 1024).catch(() => Buffer.alloc(0));
    if (r.tokenHash) {
      this.account(r);
      endSession(this.state, r.tokenHash);
      if (r.account) this.audit(r, { action: 'portal.logout', subject: r.account.username });
    }
    this.redirect(r, '/login', { 'Set-Cookie': this.cookie(null) });
  }

  /** The password change: forced after a generated password, open to every account otherwise. */
  private async password(r: Request): Promise<void> {
    const found = this.account(r);
    if (!found) {
      if (r.req.method === 'GET') return this.redirect(r, '/login');
      return this.send(r, 401, messagePage('请先登录', '登录已过期或尚未登录，请重新登录。'));
    }
    const forced = found.mustChangePassword;
    if (r.req.method === 'GET') return this.send(r, 200, passwordPage(r.user!, forced));
    this.checkOrigin(r);
    const form = parseForm(await this.readBody(r, 16 * 1024));
    if (form.get('csrf') !== csrfOf(r.tokenHash!)) throw new HttpError(403, '请求被拒绝', '页面已过期，请重新打开修改密码页面。');
    const next = form.get('new') ?? '';
    if (next !== (form.get('repeat') ?? '')) return this.send(r, 400, passwordPage(r.user!, forced, '两次输入的新密码不一致。'));
    try {
      await changePassword(this.state, found.account.username, form.get('current') ?? '', next, this.o.clock(), { keepSession: r.tokenHash, remote: r.remote });
    } catch (e) {
      if (!(e instanceof PasswordRefusedError)) throw e;
      this.audit(r, { action: 'portal.password', subject: found.account.username, detail: `refused ${e.reason}` });
      return this.send(r, e.reason === 'throttled' ? 429 : 400, passwordPage(r.user!, forced, passwordProblemZh(e.reason, e.retryAfterSeconds)));
    }
    this.audit(r, { action: 'portal.password', subject: found.account.username, detail: 'changed' });
    this.redirect(r, '/');
  }

  // --- pages ---

  private uploadForm(r: Request): Html {
    return html`<div class="box"><form method="post" action="/upload" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${csrfOf(r.tokenHash!)}">
上传已填写核实结果的工作簿（.xlsx，不超过 ${Math.floor(this.o.maxUploadBytes / 1024 / 1024)} MB）：
<input type="file" name="file" accept=".xlsx,${XLSX_TYPE}"> <input type="submit" value="上传">
</form></div>`;
  }

  private async home(r: Request, account: Account): Promise<void> {
    const periods = await publishedPeriods(this.o.dataDir);
    const county = account.scope === 'county' ? countiesOf(account)[0] : undefined;
    const rows = periods.map((p) =>
      county
        ? html`<tr><td><a href="/p/${p}">${p}</a></td><td><a href="/p/${p}/download/${county.code}">${countyWorkbookFileName(p, county)}</a></td></tr>`
        : html`<tr><td><a href="/p/${p}">${p}</a></td><td><a href="/p/${p}">各旗县市区下载与反馈情况</a>${maySeeSummary(account) ? html` · <a href="/p/${p}/summary.xlsx">summary.xlsx</a>` : ''}${this.assistLink(account, p)}</td></tr>`,
    );
    this.send(
      r,
      200,
      page(
        { title: '核对疑点', user: r.user },
        html`${periods.length ? html`<table><tr><th>核对期</th><th>${county ? '疑点工作簿' : '内容'}</th></tr>${rows}</table>` : html`<p>尚无已发布的核对期。</p>`}
${county ? this.uploadForm(r) : ''}
<p><a href="/requests">核对委托（逢救必核）</a>：${county ? '上传核对委托文件，查看委托状态、下载核对报告' : '各旗县市区的核对委托、状态与核对报告'}</p>
<p class="note">疑点为核查线索，不是结论：请逐户核实后在"${HOUSEHOLDS.header.disposition}"列选择结果并上传。下发之日起 15 日内完成。</p>`,
      ),
    );
  }

  private noIndex = html`<p class="note">本期的核实情况尚未生成（下次数据处理后显示）。工作簿可以下载。</p>`;

  private async periodPage(r: Request, account: Account, period: string): Promise<void> {
    if (!(await publishedPeriods(this.o.dataDir)).includes(period)) throw notFound();
    const index = await readPeriodIndex(this.o.dataDir, period);
    const today = this.today();
    if (account.scope === 'county') {
      const county = countiesOf(account)[0];
      return this.send(
        r,
        200,
        page(
          { title: `${period} 核对疑点`, user: r.user },
          html`<p><a href="/p/${period}/download/${county.code}">下载 ${countyWorkbookFileName(period, county)}</a></p>${this.uploadForm(r)}
${index ? countyPeriodSection(countyPeriodStatus(index, county, today, uploadShownFor(this.state, county.code))) : this.noIndex}<p><a href="/">返回首页</a></p>`,
        ),
      );
    }
    if (!index) return this.send(r, 200, page({ title: `${period} 各旗县市区情况`, user: r.user }, html`${this.noIndex}<p>${this.assistLink(account, period, '')}</p><p><a href="/">返回首页</a></p>`));
    const status = periodStatus(index, countiesOf(account), today, downloadsOf(this.state, period));
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
        { title: `${period} 各旗县市区情况`, user: r.user },
        html`<p>下发日期 ${status.issuedOn}，核实截止 ${status.dueOn}（统计日 ${today}）。${maySeeSummary(account) ? html` <a href="/p/${period}/summary.xlsx">下载 summary.xlsx</a>` : ''}${this.assistLink(account, period)}</p>
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
  private async countyPage(r: Request, account: Account, period: string, code: string): Promise<void> {
    if (!(await publishedPeriods(this.o.dataDir)).includes(period)) throw notFound();
    const county = account.scope === 'county' ? undefined : COUNTIES.find((c) => c.code === code) && mayDownload(account, code);
    if (!county) return this.denied(r, code, period);
    const index = await readPeriodIndex(this.o.dataDir, period);
    this.send(
      r,
      200,
      page(
        { title: `${period} ${county.leagueName} ${county.name}`, user: r.user },
        html`<p><a href="/p/${period}/download/${county.code}">下载 ${countyWorkbookFileName(period, county)}</a>（记入审计）</p>
${index ? countyPeriodSection(countyPeriodStatus(index, county, this.today(), uploadShownFor(this.state, county.code))) : this.noIndex}<p><a href="/p/${period}">返回 ${period} 各旗县市区情况</a> · <a href="/">返回首页</a></p>`,
      ),
    );
  }

  /** What an account may not see: 404 to it (the answer does not tell whether it exists), a row in the audit. */
  private denied(r: Request, subject: string, period?: string): never {
    this.audit(r, { action: 'portal.denied', subject, detail: `404 ${r.req.method} ${r.route}`, period: period ?? null });
    throw notFound();
  }

  // --- files ---

  /**
   * A download: (period, county code | 'summary'), both checked against closed lists before any
   * path is built. Not published, not a county, or not the account's: 404 alike. The audit row is
   * written before the first byte is sent; a download that cannot be audited is not served.
   */
  private async download(r: Request, account: Account, period: string, what: string): Promise<void> {
    if (!(await publishedPeriods(this.o.dataDir)).includes(period)) throw notFound();
    let path: string;
    let fileName: string;
    let county: County | undefined;
    if (what === 'summary') {
      if (!maySeeSummary(account)) this.denied(r, 'summary', period);
      path = summaryPath(this.o.dataDir, period);
      fileName = `${period}_summary.xlsx`;
    } else {
      county = COUNTIES.find((c) => c.code === what) && mayDownload(account, what);
      if (!county) this.denied(r, what, period);
      path = workbookPath(this.o.dataDir, period, county);
      fileName = countyWorkbookFileName(period, county);
    }
    return this.sendFile(r, path, fileName, { action: 'portal.download', subject: county ? county.code : 'summary', detail: fileName, period });
  }

  /** Sends a file, audited before the first byte (a file that cannot be audited is not served); a missing file is 404. */
  private async sendFile(r: Request, path: string, fileName: string, audit: Omit<AuditEvent, 'actor' | 'remote'>): Promise<void> {
    const handle: FileHandle | undefined = await open(path, 'r').catch(() => undefined); // held open: a release swap during the send does not matter
    if (!handle) throw notFound();
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw notFound();
      const { size } = info;
      this.audit(r, audit);
      r.res.writeHead(200, this.headers({ 'Content-Type': XLSX_TYPE, 'Content-Length': String(size), 'Content-Disposition': attachment(fileName) }));
    } catch (e) {
      await handle.close();
      throw e;
    }
    // the slot is freed once the send has started: a slow client does not hold up others
    const stream = handle.createReadStream();
    stream.on('error', () => r.res.destroy());
    stream.pipe(r.res);
  }

  /**
   * An upload by a county account: the file part of a multipart form, at most maxUploadBytes,
   * named .xlsx, a zip whose directory holds only workbook parts within the size limits
   * (pipeline/workbook-zip.ts, nothing unpacked). Saved as feedback/<county>/<sha256>.xlsx and
   * queued; the county is sent to the upload's page, which shows the import when done.
   */
  private async upload(r: Request, account: Account): Promise<void> {
    if (account.scope !== 'county' || !account.scopeCode) throw notFound();
    this.checkOrigin(r);
    const county = countiesOf(account)[0];
    const boundary = boundaryOf(r.req.headers['content-type']);
    if (!boundary) throw new HttpError(400, '上传失败', '请使用页面上的上传表单提交文件。');
    const now = this.o.clock();
    if (uploadsSince(this.state, county.code, now - 3600_000) >= this.o.uploadsPerHour) {
      throw new HttpError(429, '上传过于频繁', `本旗县市区一小时内最多上传 ${this.o.uploadsPerHour} 次，请稍后再试。`, { 'Retry-After': '600' });
    }
    const id = await this.whileReceiving(county.code, () => this.receive(r, account, county.code, now, 'feedback'));
    this.imports.kick();
    this.redirect(r, `/upload/${id}`);
  }

  /**
   * Receives an upload's body: one upload per county at a time (429), at most maxReceiving at once
   * across counties (503) — each is held in memory up to maxUploadBytes. Workbooks and check-request
   * files count alike; `unit`: the county's code, or a league's or the region's (uploadUnitOf) for
   * answered request workbooks.
   */
  private async whileReceiving<T>(unit: string, receive: () => Promise<T>): Promise<T> {
    if ((this.receiving.get(unit) ?? 0) >= 1) throw new HttpError(429, '正在上传', `本${unit.length === 6 ? '旗县市区' : '单位'}的另一个文件正在上传，请等它完成后再试。`, { 'Retry-After': '30' });
    const total = [...this.receiving.values()].reduce((a, b) => a + b, 0);
    if (total >= this.o.maxReceiving) throw new HttpError(503, '请稍后再试', BUSY, { 'Retry-After': '30' });
    this.receiving.set(unit, (this.receiving.get(unit) ?? 0) + 1);
    try {
      return await receive();
    } finally {
      const n = (this.receiving.get(unit) ?? 1) - 1;
      if (n > 0) this.receiving.set(unit, n);
      else this.receiving.delete(unit);
    }
  }

  /**
   * The multipart body of an upload form: its form token checked (403), its one file part present
   * (400) and within maxUploadBytes (413). `what`: the file's name in the messages.
   */
  private async uploadedFile(r: Request, what: string): Promise<{ fileName: string; data: Buffer }> {
    const body = await this.readBody(r, this.o.maxUploadBytes + 64 * 1024);
    let parts;
    try {
      parts = parseMultipart(body, boundaryOf(r.req.headers['content-type'])!);
    } catch (e) {
      if (e instanceof MultipartError) throw new HttpError(400, '上传失败', '上传的内容不完整，请重新上传。');
      throw e;
    }
    const csrf = parts.find((p) => p.name === 'csrf')?.data.toString('utf8');
    if (csrf !== csrfOf(r.tokenHash!)) throw new HttpError(403, '上传失败', '页面已过期，请返回首页重新上传。');
    const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
    if (!file || !file.filename || file.data.length === 0) throw new HttpError(400, '上传失败', `请选择要上传的${what}。`);
    if (file.data.length > this.o.maxUploadBytes) throw new HttpError(413, '文件过大', `上传的文件超过 ${Math.floor(this.o.maxUploadBytes / 1024 / 1024)} MB 的上限。`);
    return { fileName: file.filename.split(/[\\/]/).pop() ?? '', data: file.data }; // old IE sends the full client path
  }

  /**
   * An upload's workbook: checked (name, zip signature, zip directory), saved as
   * feedback/<folder>/<sha256>.xlsx (uploadFolder: the unit's code, under assist/ for an answered
   * request workbook) and queued; the upload's id. `unit`: the account's county, league or region
   * code (server-chosen, never from the request).
   */
  private async receive(r: Request, account: Account, unit: string, now: number, kind: UploadKind): Promise<string> {
    const { fileName: baseName, data } = await this.uploadedFile(r, '工作簿文件');
    const expected = kind === 'assist' ? '下发的协查请求（或跨省核对请求）工作簿' : '下发的核对疑点工作簿';
    const wrongType = () => new HttpError(415, '文件类型不符', `只接受 Excel 工作簿（.xlsx）。请上传${expected}，不要另存为 .xls 或其他格式。`);
    if (!/\.xlsx$/i.test(baseName) || !data.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) throw wrongType();
    const sha256 = createHash('sha256').update(data).digest('hex');
    const action = kind === 'assist' ? 'portal.assist-upload' : 'portal.upload';
    try {
      await inspectWorkbookZip(data);
    } catch (e) {
      if (!(e instanceof HeduiError)) throw e;
      // refused before anything is unpacked or kept
      this.audit(r, { action: `${action}-refused`, subject: unit, detail: `${e.message} sha256=${sha256.slice(0, 16)}` });
      throw new HttpError(422, '工作簿无法接收', `${e.message}。请上传${expected}。`);
    }
    const folder = uploadFolder(kind, unit);
    const dir = join(this.o.dataDir, 'feedback', folder);
    const path = join(dir, `${sha256}.xlsx`);
    const saved = `${folder}/${sha256}.xlsx`;
    let created = false;
    if (!(await stat(path).catch(() => undefined))) {
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.${sha256}.${randomBytes(4).toString('hex')}.part`);
      await writeFile(tmp, data);
      await rename(tmp, path);
      created = true;
    }
    const id = queueUpload(this.state, { county_code: unit, username: account.username, remote: r.remote, sha256, file: saved, size: data.length, received_at: now, created_file: created ? 1 : 0 });
    this.audit(r, { action, subject: unit, detail: `queued file=${saved} bytes=${data.length}` });
    return id;
  }

  /**
   * An upload's page: waiting (refreshing itself every few seconds), then the import's result. Only
   * its unit sees it: the county's accounts a workbook, the league's (or the region's) an answered
   * request workbook (uploadUnitOf).
   */
  private uploadPage(r: Request, account: Account, id: string): void {
    const u = uploadById(this.state, id);
    if (!u || u.county_code !== uploadUnitOf(account)) throw notFound();
    if (u.state === 'queued' || u.state === 'importing') {
      const ahead = aheadOf(this.state, u);
      return this.send(
        r,
        202,
        page(
          { title: '已接收，正在导入', user: r.user },
          html`<p class="ok">已接收，正在导入（文件 ${u.file}）。${ahead ? `前面还有 ${ahead} 个文件。` : ''}</p>
<p>本页每 3 秒自动刷新；也可以稍后在本期${uploadKind(u.file) === 'assist' ? '协查请求' : ''}页面的"上传记录"中查看结果。</p><p><a href="/">返回首页</a></p>`,
        ),
        { Refresh: '3' },
      );
    }
    const outcome = JSON.parse(u.result ?? '{}') as UploadOutcome;
    if ('assist' in outcome) return this.send(r, outcome.assist.status === 'refused' ? 422 : 200, this.assistResult(r, u.file, outcome.assist));
    const result = 'result' in outcome ? outcome.result : undefined;
    const failure = 'failure' in outcome ? outcome.failure : undefined;
    this.send(r, result?.status === 'refused' || failure ? 422 : 200, this.uploadResult(r, u.file, result, failure));
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
    return page({ title: '上传结果', user: r.user }, html`${body}<p><a href="/">返回首页</a></p>`);
  }

  // --- cross-league 协查请求 and cross-province 跨省核对请求 (pipeline/assist) ---

  /** The link to a period's request workbooks, for the accounts that have some (a league, the region). */
  private assistLink(account: Account, period: string, separator = ' · '): Html | string {
    if (!assistTargetsOf(account).length) return '';
    return html`${separator}<a href="/p/${period}/assist">${account.scope === 'region' ? '协查请求与跨省核对请求' : '协查请求'}</a>`;
  }

  private assistUploadForm(r: Request): Html {
    return html`<div class="box"><form method="post" action="/assist/upload" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${csrfOf(r.tokenHash!)}">
上传已填写核对结果的回复工作簿（.xlsx，不超过 ${Math.floor(this.o.maxUploadBytes / 1024 / 1024)} MB）：
<input type="file" name="file" accept=".xlsx,${XLSX_TYPE}"> <input type="submit" value="上传">
</form>
<p class="note">请在下载的工作簿"核对请求"表中逐行填写核对结果、回复单位、回复日期后上传整个工作簿，不要另存为其他格式。</p></div>`;
  }

  /**
   * A period's request workbooks for a league (its own 协查请求) or the region (跨省核对请求 and
   * every league's 协查请求): each one's download link when the release holds it, else 本期无…; the
   * form to upload an answered one; the unit's uploads of such workbooks in the last 30 days with
   * their results. A county: 404 (audited as denied), like any page it may not see.
   */
  private async assistPage(r: Request, account: Account, period: string): Promise<void> {
    if (!(await publishedPeriods(this.o.dataDir)).includes(period)) throw notFound();
    const targets = assistTargetsOf(account);
    const unit = uploadUnitOf(account);
    if (!targets.length || !unit) return this.denied(r, 'assist', period);
    const books = [];
    for (const target of targets) {
      const found = await stat(assistPath(this.o.dataDir, period, target)).catch(() => undefined);
      books.push({ target, fileName: found?.isFile() ? assistFileName(period, target) : undefined });
    }
    const region = account.scope === 'region';
    this.send(
      r,
      200,
      page(
        { title: `${period} ${region ? '协查请求与跨省核对请求' : '协查请求'}`, user: r.user },
        html`<p>${region ? '跨省核对请求：在保家庭成员经常居住在区外，由自治区民政厅转请居住地省份核对。协查请求：成员居住在其他盟市，由居住地盟市协助核对。' : '本盟市协助核对的请求：其他盟市在保家庭的成员经常居住在本盟市。'}</p>
${assistWorkbooksTable(period, books)}
${this.assistUploadForm(r)}
<h3>上传记录（近 ${REQUEST_UPLOAD_DAYS} 天）</h3>
${assistUploadsTable(assistUploadsOf(this.state, unit, this.o.clock() - REQUEST_UPLOAD_DAYS * 86_400_000))}
<p class="note">工作簿含家庭成员的身份证号与姓名，仅用于核对，请妥善保管。${region ? '' : '只接受本盟市的协查请求工作簿。'}</p>
<p><a href="/p/${period}">返回 ${period}</a> · <a href="/">返回首页</a></p>`,
      ),
    );
  }

  /**
   * A request workbook: (period, `province` | league code), the target one of the account's own
   * (assistTargetsOf: else 404, audited as denied); the path built by assistWorkbookPath from the
   * checked period and target. Audited before the first byte; not in the release: 404.
   */
  private async assistDownload(r: Request, account: Account, period: string, segment: string): Promise<void> {
    if (!(await publishedPeriods(this.o.dataDir)).includes(period)) throw notFound();
    const target = mayDownloadAssist(account, segment);
    if (!target) return this.denied(r, `assist/${segment}`, period);
    const fileName = assistFileName(period, target);
    return this.sendFile(r, assistPath(this.o.dataDir, period, target), fileName, { action: 'portal.assist-download', subject: `${target.kind}/${target.code}`, detail: fileName, period });
  }

  /**
   * An answered request workbook by a league account (its own league's 协查请求 only: the importer
   * is given expectLeague) or the region (any): checked, saved and queued as a county's workbook
   * is (receive), under feedback/assist/<unit>/, and imported by the same child process.
   */
  private async assistUpload(r: Request, account: Account): Promise<void> {
    const unit = uploadUnitOf(account);
    if (!assistTargetsOf(account).length || !unit) throw notFound();
    this.checkOrigin(r);
    if (!boundaryOf(r.req.headers['content-type'])) throw new HttpError(400, '上传失败', '请使用页面上的上传表单提交文件。');
    const now = this.o.clock();
    if (uploadsSince(this.state, unit, now - 3600_000) >= this.o.uploadsPerHour) {
      throw new HttpError(429, '上传过于频繁', `本单位一小时内最多上传 ${this.o.uploadsPerHour} 次，请稍后再试。`, { 'Retry-After': '600' });
    }
    const id = await this.whileReceiving(unit, () => this.receive(r, account, unit, now, 'assist'));
    this.imports.kick();
    this.redirect(r, `/upload/${id}`);
  }

  private assistResult(r: Request, savedName: string, result: AssistImportResult): string {
    const back = result.period ? html`<a href="/p/${result.period}/assist">返回 ${result.period} 协查请求</a> · ` : '';
    return page({ title: '上传结果', user: r.user }, html`${assistResultTable(savedName, result)}<p>${back}<a href="/">返回首页</a></p>`);
  }

  // --- check requests (逢救必核) ---

  private requestUploadForm(r: Request): Html {
    return html`<div class="box"><form method="post" action="/requests/upload" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${csrfOf(r.tokenHash!)}">
上传核对委托文件（.xlsx、.xls 或 .csv，不超过 ${Math.floor(this.o.maxUploadBytes / 1024 / 1024)} MB）：
<input type="file" name="file" accept=".xlsx,.xls,.csv"> <input type="submit" value="上传">
</form>
<p class="note">每行一名家庭成员，同一委托的委托编号、委托单位、委托日期、核对类型各行相同；委托单位须为本旗县市区。家庭成员均须已签署核对授权书（填写授权书签署日期），否则整个委托退回。</p></div>`;
  }

  /**
   * The check requests an account may see, from out/requests/index.json, each with its state on the
   * portal's day. A county: the upload form, its uploads of the last 30 days (waiting for the
   * nightly run, or what the run made of them) and its requests; a league and the region: per-county
   * totals and their counties' requests.
   */
  private async requestsPage(r: Request, account: Account): Promise<void> {
    const index = await readRequestIndex(this.o.dataDir);
    const today = this.today();
    const counties = countiesOf(account);
    const county = account.scope === 'county' ? counties[0] : undefined;
    const requests = index ? requestsOf(index, counties, today) : [];
    const shown = requests.slice(0, REQUESTS_SHOWN);
    const list = !index
      ? html`<p class="note">尚无核对委托的处理记录（夜间核对读取委托文件后显示）。</p>`
      : html`<p>核对委托情况更新于 ${index.asOf}（夜间核对），状态按今天（${today}）计。</p>
${requests.length ? requestsTable(shown, today, !county) : html`<p>没有核对委托。</p>`}
${requests.length > shown.length ? html`<p class="note">仅列出最近收到的 ${shown.length} 个委托（共 ${requests.length} 个）。</p>` : ''}`;
    const body = county
      ? html`${this.requestUploadForm(r)}
<h3>已上传的委托文件（近 ${REQUEST_UPLOAD_DAYS} 天）</h3>
${requestUploadsTable(requestUploadsOf(this.state, county.code, this.o.clock() - REQUEST_UPLOAD_DAYS * 86_400_000))}
<h3>核对委托</h3>
${list}`
      : html`${index ? html`<h3>各旗县市区核对委托情况</h3>${requestTotalsTable(totalsOf(requests, counties))}` : ''}
<h3>核对委托</h3>
${list}`;
    this.send(
      r,
      200,
      page(
        { title: '核对委托（逢救必核）', user: r.user },
        html`${body}
<p class="note">收到委托后 15 日内出具核对报告（应完成日期遇节假日顺延）。核对报告是核对发现，不是审批结论。退回的委托请按原因修改后，以同一委托编号重新上传。</p>
<p><a href="/">返回首页</a></p>`,
      ),
    );
  }

  /**
   * A county's check-request file: the file part of a multipart form (form token, size limit as the
   * workbook upload), an .xlsx (its zip directory checked as a workbook's), .xls or CSV text. Saved
   * under a generated name in inbox/requests/<today>/<county>/, written whole (a dot-name .part
   * first, which the requests run ignores, then renamed), and audited; the county is sent to the
   * upload's page. The same content uploaded again by the county is not saved again (the run reads
   * a content once per county folder).
   */
  private async requestUpload(r: Request, account: Account): Promise<void> {
    if (account.scope !== 'county' || !account.scopeCode) throw notFound();
    this.checkOrigin(r);
    const county = countiesOf(account)[0];
    if (!boundaryOf(r.req.headers['content-type'])) throw new HttpError(400, '上传失败', '请使用页面上的上传表单提交文件。');
    const now = this.o.clock();
    if (requestUploadsSince(this.state, county.code, now - 3600_000) >= this.o.uploadsPerHour) {
      throw new HttpError(429, '上传过于频繁', `本旗县市区一小时内最多上传 ${this.o.uploadsPerHour} 个核对委托文件，请稍后再试。`, { 'Retry-After': '600' });
    }
    const saved = await this.whileReceiving(county.code, () => this.receiveRequest(r, county, now));
    if ('earlier' in saved) {
      return this.send(
        r,
        409,
        page(
          { title: '文件此前已上传', user: r.user },
          html`<p>内容相同的文件已于 ${saved.earlier.at} 上传（保存为 ${saved.earlier.file.slice(saved.earlier.file.lastIndexOf('/') + 1)}），不再重复保存。</p>
<p>如需更正委托，请修改文件后重新上传。</p><p><a href="/requests">查看核对委托</a> · <a href="/">返回首页</a></p>`,
        ),
      );
    }
    this.redirect(r, `/requests/received/${saved.name}`);
  }

  private async receiveRequest(r: Request, county: County, now: number): Promise<{ name: string } | { earlier: { file: string; at: string } }> {
    const { fileName, data } = await this.uploadedFile(r, '核对委托文件');
    const kind = requestFileKind(fileName, data);
    if (typeof kind !== 'string') throw new HttpError(415, '文件类型不符', kind.refused);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (kind === 'xlsx') {
      try {
        await inspectWorkbookZip(data);
      } catch (e) {
        if (!(e instanceof HeduiError)) throw e;
        // refused before anything is unpacked or kept: the nightly run would have to unpack it
        this.audit(r, { action: 'portal.request-upload-refused', subject: county.code, detail: `${e.message} sha256=${sha256.slice(0, 16)}` });
        throw new HttpError(422, '文件无法接收', `${e.message}。请上传核对委托工作簿。`);
      }
    }
    const earlier = earlierUpload(this.state, county.code, sha256);
    if (earlier) {
      this.audit(r, { action: 'portal.request-upload-refused', subject: county.code, detail: `same content as ${earlier.file}` });
      return { earlier };
    }
    const day = todayInChina(new Date(now));
    const name = requestUploadName(now, sha256, kind);
    // built from the county's own code, today and the generated name: nothing the client sent
    const dir = join(this.o.dataDir, 'inbox', 'requests', day, county.code);
    const path = join(dir, name);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.part`);
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
    try {
      this.audit(r, { action: REQUEST_UPLOAD_ACTION, subject: requestUploadFile(day, county.code, name), detail: `bytes=${data.length} sha256=${sha256}` });
    } catch (e) {
      await rm(path, { force: true }); // an upload that cannot be audited is not kept
      throw e;
    }
    return { name };
  }

  /** An uploaded request file's page: received, read in the next nightly run; or what the run made of it. Only its county sees it. */
  private requestReceived(r: Request, account: Account, name: string): void {
    if (account.scope !== 'county' || !account.scopeCode) throw notFound();
    const u = requestUploadByName(this.state, account.scopeCode, name);
    if (!u) throw notFound();
    this.send(
      r,
      200,
      page(
        { title: '核对委托文件已收到', user: r.user },
        html`<table>
<tr><th>上传时间</th><td>${u.at}</td></tr>
<tr><th>保存的文件名</th><td>${u.name}</td></tr>
<tr><th>状态</th><td>${requestUploadState(u)}</td></tr>
</table>
${u.read.state === 'waiting' ? html`<p class="ok">核对委托文件已收到，将在下一次夜间核对时读取并出具核对报告（管理员也可运行 <code>hedui requests run</code> 立即处理）。</p>` : ''}
<p>处理结果（每个委托的状态、核对报告或退回原因）见<a href="/requests">核对委托</a>页面。</p><p><a href="/">返回首页</a></p>`,
      ),
    );
  }

  /**
   * An answered request's 核对报告: (county code, 委托编号). The county must be one of COUNTIES and
   * the account's (else 404, audited as denied); the number, percent-decoded, must be a valid
   * 委托编号 that the index lists as answered for that county, with its report where the requests
   * run writes it; the path is built from those checked values. Audited before the first byte.
   */
  private async requestDownload(r: Request, account: Account, code: string, rawNo: string): Promise<void> {
    const county = COUNTIES.find((c) => c.code === code) && mayDownload(account, code);
    if (!county) this.denied(r, code);
    let requestNo: string;
    try {
      requestNo = decodeURIComponent(rawNo);
    } catch {
      throw notFound();
    }
    const index = await readRequestIndex(this.o.dataDir);
    const request = index && answeredRequest(index, county, requestNo, this.today());
    if (!request) throw notFound();
    const fileName = `核对报告_${request.requestNo}.xlsx`;
    return this.sendFile(r, join(this.o.dataDir, reportFileOf(county.code, request.requestNo)), fileName, {
      action: 'portal.request-download',
      subject: `${county.code}/${request.requestNo}`,
      detail: fileName,
    });
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
        server.close(() => void portal.close().then(resolve));
      }),
  };
}
