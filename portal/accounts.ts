/**
 * Portal accounts, passwords, sessions and login throttling, on the state store
 * (pipeline/state.ts): synchronous SQLite, so the portal and `hedui accounts` work while the
 * nightly run holds the warehouse. Only scrypt is asynchronous (it runs in libuv's thread pool).
 *
 * - passwords: scrypt at the OWASP Password Storage Cheat Sheet's cost, stored as
 *   'scrypt$N$r$p$salt$hash' (salt and hash base64); older costs verify and are re-hashed at the
 *   next successful login. New passwords must pass `checkPasswordStrength`.
 * - sessions: a random 32-byte token in the cookie, only its sha256 in `sessions`; they end after
 *   IDLE_MINUTES without a request or SESSION_HOURS after the login, whichever comes first.
 * - failed logins: growing delays per (username as typed, client address) and per address, never a
 *   lock: a hard lock per username let anyone lock a county out, and told who has an account.
 *
 * Times are integer milliseconds (UTC) passed in by the caller, so tests can move the clock.
 */
import { createHash, createHmac, randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import pLimit from 'p-limit';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { COUNTIES, LEAGUES } from '../domain/divisions.ts';
import { UsageError } from '../base/errors.ts';
import { chinaTime } from '../pipeline/period.ts';
import { metaValue, type StateDb } from '../pipeline/state.ts';

export type Scope = 'region' | 'league' | 'county';

export interface Account {
  username: string;
  scope: Scope;
  /** county code (6 digits), league code (4 digits), or null for the region */
  scopeCode: string | null;
}

/** A session ends this long after its last request … */
export const IDLE_MINUTES = 30;
/** … and at the latest this long after its login. */
export const SESSION_HOURS = 8;
/** last_seen_at is written at most this often: a page view should not always be a write. */
export const SESSION_TOUCH_SECONDS = 60;

/**
 * Failed logins. Per (username as typed, address): the first `free` failures cost nothing, then
 * the next attempt waits 2^(failures − free) seconds (1, 2, 4 … after the 3rd, 4th, 5th failure),
 * at most `maxDelaySeconds`; forgotten after `forgetAfterMs` without a new failure; a success
 * clears it. Per address across usernames (password spraying) likewise, with a higher `free`
 * because an office shares one address, counting failures that come less than `windowMs` apart.
 */
export const THROTTLE = {
  perUser: { free: 3, forgetAfterMs: 24 * 3600_000 },
  perAddress: { free: 30, windowMs: 15 * 60_000 },
  maxDelaySeconds: 300,
} as const;

/** scrypt cost of new hashes: OWASP's N = 2^17, r = 8, p = 1 (~128 MiB and ~0.3–0.6 s each). */
export const SCRYPT = { N: 2 ** 17, r: 8, p: 1, keyLength: 32 } as const;

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
}

/**
 * The cost new hashes get and a login upgrades an older hash to: SCRYPT, unless a test lowered it
 * with scryptCostForTests. Nothing else sets it: no option, no environment variable, no config key.
 */
let currentCost: ScryptCost = SCRYPT;

/**
 * Test-only: a lower scrypt cost in this process (`undefined`: SCRYPT again), so that the portal
 * tests' ~100 logins, which are about pages, sessions and uploads and not about hashing, do not
 * cost ~0.5 s of CPU each. It throws outside vitest (which sets VITEST in its workers), so no
 * command can run with it; only test files call it, and the tests of hashing, re-hashing,
 * throttling and the scrypt queue keep SCRYPT (portal/README.md).
 */
export function scryptCostForTests(cost: ScryptCost | undefined): void {
  if (!process.env.VITEST) throw new Error('scryptCostForTests: only in tests (vitest)');
  currentCost = cost ?? SCRYPT;
}

/**
 * At most this many scrypt computations at once, process-wide: each holds ~128 MiB for ~0.5 s, so a
 * flood of logins queues here instead of exhausting memory, and libuv's other threads (4 by
 * default) stay free for file reads.
 */
export const SCRYPT_CONCURRENCY = 2;
export const scryptLimit = pLimit(SCRYPT_CONCURRENCY);

export const PASSWORD_LENGTH = { min: 10, max: 1024 } as const;
/** zxcvbn score (0–4) a new password needs: 3 is "safely unguessable" against an online attack and a slow hash. */
export const MIN_PASSWORD_SCORE = 3;

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return scryptLimit(() => new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keyLength, options, (e, key) => (e ? reject(e) : resolve(key)))));
}

// Node refuses scrypt above maxmem (32 MiB by default); 128·N·r is what it needs, doubled for headroom
const maxmem = (N: number, r: number) => 256 * N * r;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = currentCost;
  const key = await scrypt(password, salt, keyLength, { N, r, p, maxmem: maxmem(N, r) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface StoredHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): StoredHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  // bounds: a stored hash must not make one login take gigabytes (older hashes have N = 16384)
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > SCRYPT.N || (N & (N - 1)) !== 0 || r > 16 || p > 4) return undefined;
  const hash = Buffer.from(parts[5], 'base64');
  return hash.length >= 16 ? { N, r, p, salt: Buffer.from(parts[4], 'base64'), hash } : undefined;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const key = await scrypt(password, h.salt, h.hash.length, { N: h.N, r: h.r, p: h.p, maxmem: maxmem(h.N, h.r) });
  return timingSafeEqual(key, h.hash);
}

/** A hash made at an older cost (or in an older form): re-hashed at the account's next successful login. */
export function needsRehash(stored: string): boolean {
  const h = parseHash(stored);
  const c = currentCost;
  return !h || h.N !== c.N || h.r !== c.r || h.p !== c.p || h.hash.length !== c.keyLength;
}

// What an unknown username is checked against, so that it takes as long as a known one. It needs no
// password behind it (the comparison is meant to fail), so it costs no scrypt to make. At the
// current cost (a test may have lowered it), like the hashes of known names.
const dummyHashes = new Map<ScryptCost, string>();
const dummyHash = () => {
  const c = currentCost;
  if (!dummyHashes.has(c)) dummyHashes.set(c, `scrypt$${c.N}$${c.r}$${c.p}$${randomBytes(16).toString('base64')}$${randomBytes(c.keyLength).toString('base64')}`);
  return dummyHashes.get(c)!;
};

/** A password to print once: 16 characters without look-alikes (0/O, 1/l/I), never containing `avoid` (the username). */
export function generatePassword(length = 16, avoid?: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  for (;;) {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
    // a 2-letter username turns up in ~2 % of random passwords, and checkPasswordStrength refuses those
    if (!avoid || !s.toLowerCase().includes(avoid.toLowerCase())) return s;
  }
}

export function validateUsername(username: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(username)) {
    throw new UsageError(`username "${username}": 2–64 characters, letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
}

// ---------------------------------------------------------------------------------------------
// password rules

/** Why a password was refused; the portal shows `passwordProblemZh(reason)`, the CLI the English message. */
export type PasswordProblem = 'too-short' | 'too-long' | 'contains-username' | 'too-weak' | 'unchanged' | 'wrong-current' | 'throttled';

const PROBLEM_EN: Record<PasswordProblem, string> = {
  'too-short': `the password needs at least ${PASSWORD_LENGTH.min} characters`,
  'too-long': `the password is too long (at most ${PASSWORD_LENGTH.max} characters)`,
  'contains-username': 'the password must not contain the username',
  'too-weak': 'the password is too easy to guess: take a longer one, e.g. several unrelated words, or let hedui generate one',
  unchanged: 'the new password must differ from the current one',
  'wrong-current': 'the current password is wrong',
  throttled: 'too many wrong passwords: try again later',
};

const PROBLEM_ZH: Record<PasswordProblem, string> = {
  'too-short': `密码至少需要 ${PASSWORD_LENGTH.min} 个字符。`,
  'too-long': `密码最多 ${PASSWORD_LENGTH.max} 个字符。`,
  'contains-username': '密码不能包含用户名。',
  'too-weak': '密码太容易被猜到，请换一个更长的密码，例如几个互不相关的词语组合。',
  unchanged: '新密码不能与当前密码相同。',
  'wrong-current': '当前密码不正确。',
  throttled: '密码错误次数过多，请稍后再试。',
};

/** What a county's staff read on the portal's page for a refused password. */
export function passwordProblemZh(reason: PasswordProblem, retryAfterSeconds?: number): string {
  return reason === 'throttled' && retryAfterSeconds ? `密码错误次数过多，请 ${retryAfterSeconds} 秒后再试。` : PROBLEM_ZH[reason];
}

/** A new password refused (or a wrong current one): a UsageError (exit 2) that carries its reason for the portal. */
export class PasswordRefusedError extends UsageError {
  constructor(
    readonly reason: PasswordProblem,
    readonly retryAfterSeconds?: number,
  ) {
    super(reason === 'throttled' && retryAfterSeconds ? `too many wrong passwords: try again in ${retryAfterSeconds} s` : PROBLEM_EN[reason]);
  }
}

// loaded at the first password check, not at import: the dictionaries take ~100 ms and most
// commands never check a password
let meter: Promise<ZxcvbnFactory> | undefined;
function strengthMeter(): Promise<ZxcvbnFactory> {
  meter ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    // no Levenshtein matching: it costs ~250 ms of blocked event loop per check
    return new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  })().catch((e: unknown) => {
    meter = undefined;
    throw e;
  });
  return meter;
}

/**
 * The reason a new password is refused, or undefined: 10–1024 characters, not containing the
 * username (any case), and a zxcvbn score of at least 3 with the username and the site's name as
 * words an attacker would try first.
 */
export async function passwordProblem(password: string, username: string): Promise<PasswordProblem | undefined> {
  const length = [...password].length;
  if (length < PASSWORD_LENGTH.min) return 'too-short';
  if (length > PASSWORD_LENGTH.max) return 'too-long';
  if (password.toLowerCase().includes(username.toLowerCase())) return 'contains-username';
  const { score } = (await strengthMeter()).check(password, [username, 'hedui']);
  return score < MIN_PASSWORD_SCORE ? 'too-weak' : undefined;
}

/** Throws PasswordRefusedError (a UsageError) unless the password may be set; never echoes it. */
export async function checkPasswordStrength(password: string, username: string): Promise<void> {
  const problem = await passwordProblem(password, username);
  if (problem) throw new PasswordRefusedError(problem);
}

// ---------------------------------------------------------------------------------------------
// accounts

/** The scope of a new account from the command's options; exactly one of county, league, region. */
export function scopeOf(o: { county?: string; league?: string; region?: boolean }): { scope: Scope; scopeCode: string | null } {
  const given = [o.county !== undefined, o.league !== undefined, Boolean(o.region)].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of --county CODE, --league CODE, --region');
  if (o.county !== undefined) {
    if (!COUNTIES.some((c) => c.code === o.county)) throw new UsageError(`--county ${o.county}: not a county code of Inner Mongolia (6 digits, e.g. 150102)`);
    return { scope: 'county', scopeCode: o.county };
  }
  if (o.league !== undefined) {
    if (!LEAGUES.some((l) => l.code === o.league)) throw new UsageError(`--league ${o.league}: not a league code of Inner Mongolia (4 digits, e.g. 1501)`);
    return { scope: 'league', scopeCode: o.league };
  }
  return { scope: 'region', scopeCode: null };
}

interface AccountRow {
  username: string;
  scope: Scope;
  scope_code: string | null;
  password_hash: string;
  must_change_password: number;
  created_at: number;
  password_changed_at: number | null;
  disabled_at: number | null;
}

const accountRow = (db: StateDb, username: string) => db.prepare<[string], AccountRow>('select * from accounts where username = ?').get(username);

/** Whether a username is an account (the audit names a failed login's username only then). */
export const isAccount = (db: StateDb, username: string) => accountRow(db, username) !== undefined;

function existingAccount(db: StateDb, username: string): AccountRow {
  const row = accountRow(db, username);
  if (!row) throw new UsageError(`no account ${username}`);
  return row;
}

const accountOf = (row: AccountRow): Account => ({ username: row.username, scope: row.scope, scopeCode: row.scope_code });

/**
 * Adds an account. `mustChange`: the password was generated and shown to an operator, so the
 * account changes it at its first login.
 */
export async function addAccount(db: StateDb, a: Account & { password: string; mustChange?: boolean }, now = Date.now()): Promise<void> {
  validateUsername(a.username);
  if (accountRow(db, a.username)) throw new UsageError(`account ${a.username} exists already`);
  await checkPasswordStrength(a.password, a.username);
  const hash = await hashPassword(a.password);
  try {
    db.prepare(
      `insert into accounts (username, scope, scope_code, password_hash, must_change_password, created_at, password_changed_at, disabled_at)
       values (?, ?, ?, ?, ?, ?, ?, null)`,
    ).run(a.username, a.scope, a.scopeCode, hash, a.mustChange ? 1 : 0, now, now);
  } catch (e) {
    // another process added it while this one hashed
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new UsageError(`account ${a.username} exists already`);
    throw e;
  }
}

export interface AccountListing {
  username: string;
  scope: Scope;
  scope_code: string | null;
  /** China Standard Time, 'YYYY-MM-DD HH:MM:SS' */
  created_at: string;
  password_changed_at: string | null;
  disabled_at: string | null;
  must_change_password: boolean;
}

/** Accounts without their password hashes, times in China Standard Time. */
export function listAccounts(db: StateDb): AccountListing[] {
  return db
    .prepare<[], AccountRow>('select * from accounts order by username')
    .all()
    .map((r) => ({
      username: r.username,
      scope: r.scope,
      scope_code: r.scope_code,
      created_at: chinaTime(r.created_at),
      password_changed_at: r.password_changed_at === null ? null : chinaTime(r.password_changed_at),
      disabled_at: r.disabled_at === null ? null : chinaTime(r.disabled_at),
      must_change_password: r.must_change_password === 1,
    }));
}

const endSessionsOf = (db: StateDb, username: string, keep?: string) =>
  db.prepare('delete from sessions where username = ? and token_sha256 is not ?').run(username, keep ?? null).changes;

/** Disables an account (never deleted) and ends its sessions at once. */
export function disableAccount(db: StateDb, username: string, now = Date.now()): { sessionsEnded: number } {
  return db.transaction(() => {
    existingAccount(db, username);
    db.prepare('update accounts set disabled_at = coalesce(disabled_at, ?) where username = ?').run(now, username);
    return { sessionsEnded: endSessionsOf(db, username) };
  }).immediate();
}

export function enableAccount(db: StateDb, username: string): void {
  existingAccount(db, username);
  db.prepare('update accounts set disabled_at = null where username = ?').run(username);
}

/** An operator's new password for an account (generated ⇒ `mustChange`); ends all its sessions. */
export async function setPassword(db: StateDb, username: string, password: string, o: { mustChange: boolean }, now = Date.now()): Promise<{ sessionsEnded: number }> {
  existingAccount(db, username);
  await checkPasswordStrength(password, username);
  const hash = await hashPassword(password);
  return db.transaction(() => {
    db.prepare('update accounts set password_hash = ?, must_change_password = ?, password_changed_at = ? where username = ?').run(hash, o.mustChange ? 1 : 0, now, username);
    return { sessionsEnded: endSessionsOf(db, username) };
  }).immediate();
}

/**
 * The account's own change of its password (the portal): the current one must be right (a wrong
 * one counts as a failed login from `remote`, so a stolen session cannot guess it at full speed),
 * the new one must pass the rules and differ. Ends the account's other sessions (`keepSession`:
 * the token hash of the one making the change) and clears must_change_password.
 */
export async function changePassword(
  db: StateDb,
  username: string,
  current: string,
  next: string,
  now = Date.now(),
  o: { keepSession?: string; remote?: string } = {},
): Promise<{ sessionsEnded: number }> {
  const remote = o.remote ?? 'local';
  const attempt = beginAttempt(db, username, remote, now);
  if (attempt.retryAfterSeconds !== undefined) throw new PasswordRefusedError('throttled', attempt.retryAfterSeconds);
  const row = accountRow(db, username);
  const valid = await verifyPassword(current.slice(0, PASSWORD_LENGTH.max), row?.password_hash ?? dummyHash());
  if (!row || !valid || row.disabled_at !== null) throw new PasswordRefusedError('wrong-current');
  attemptSucceeded(db, attempt);
  if (next === current) throw new PasswordRefusedError('unchanged');
  await checkPasswordStrength(next, username);
  const hash = await hashPassword(next);
  return db.transaction(() => {
    db.prepare('update accounts set password_hash = ?, must_change_password = 0, password_changed_at = ? where username = ?').run(hash, now, username);
    return { sessionsEnded: endSessionsOf(db, username, o.keepSession) };
  }).immediate();
}

// ---------------------------------------------------------------------------------------------
// throttling

// The per-address rows of login_throttle: a user_key no HMAC (64 hex digits) can equal.
const ANY_USER = '*';

interface ThrottleRow {
  failures: number;
  last_failure_at: number;
  next_allowed_at: number;
}

const delayMs = (failures: number, free: number) => (failures < free ? 0 : Math.min(2 ** (failures - free), THROTTLE.maxDelaySeconds) * 1000);

/** The username as typed, keyed: unknown names are counted like known ones without keeping what was typed. */
function userKey(db: StateDb, username: string): string {
  const secret = metaValue(db, 'throttle-key', () => randomBytes(32).toString('hex'));
  return createHmac('sha256', secret).update(username.toLowerCase()).digest('hex');
}

interface Attempt {
  userKey: string;
  remote: string;
  /** set when the attempt must wait: the password is not checked */
  retryAfterSeconds?: number;
  /** when the next attempt of this (user, address) may come, as this attempt's failure left it */
  nextAllowedAt: number;
}

/**
 * Starts a login attempt: refused while the (user, address) or the address must wait; otherwise
 * counted as a failure at once, in the same transaction, and taken back if the password proves
 * right. Counting first means concurrent attempts cannot all pass the check before any of them
 * has failed (the password check takes ~0.5 s).
 */
function beginAttempt(db: StateDb, username: string, remote: string, now: number): Attempt {
  const key = userKey(db, username);
  return db.transaction((): Attempt => {
    db.prepare('delete from login_throttle where last_failure_at <= ?').run(now - THROTTLE.perUser.forgetAfterMs);
    const get = db.prepare<[string, string], ThrottleRow>('select failures, last_failure_at, next_allowed_at from login_throttle where user_key = ? and remote = ?');
    const user = get.get(key, remote);
    const addressRow = get.get(ANY_USER, remote);
    const address = addressRow && addressRow.last_failure_at > now - THROTTLE.perAddress.windowMs ? addressRow : undefined;
    const wait = Math.max(user?.next_allowed_at ?? 0, address?.next_allowed_at ?? 0) - now;
    if (wait > 0) return { userKey: key, remote, retryAfterSeconds: Math.ceil(wait / 1000), nextAllowedAt: now + wait };
    const put = db.prepare('insert or replace into login_throttle (user_key, remote, failures, last_failure_at, next_allowed_at) values (?, ?, ?, ?, ?)');
    const userFailures = (user?.failures ?? 0) + 1;
    const addressFailures = (address?.failures ?? 0) + 1;
    const userNext = now + delayMs(userFailures, THROTTLE.perUser.free);
    const addressNext = now + delayMs(addressFailures, THROTTLE.perAddress.free);
    put.run(key, remote, userFailures, now, userNext);
    put.run(ANY_USER, remote, addressFailures, now, addressNext);
    return { userKey: key, remote, nextAllowedAt: Math.max(userNext, addressNext) };
  }).immediate();
}

/**
 * The password was right: the (user, address) row goes, and the address gets its attempt back. The
 * address's failures stay: else one valid account would let an address wipe its spraying record.
 */
function attemptSucceeded(db: StateDb, a: Attempt): void {
  db.transaction(() => {
    db.prepare('delete from login_throttle where user_key = ? and remote = ?').run(a.userKey, a.remote);
    const address = db.prepare<[string, string], ThrottleRow>('select failures, last_failure_at, next_allowed_at from login_throttle where user_key = ? and remote = ?').get(ANY_USER, a.remote);
    if (!address) return;
    const failures = address.failures - 1;
    if (failures <= 0) db.prepare('delete from login_throttle where user_key = ? and remote = ?').run(ANY_USER, a.remote);
    else db.prepare('update login_throttle set failures = ?, next_allowed_at = ? where user_key = ? and remote = ?').run(failures, address.last_failure_at + delayMs(failures, THROTTLE.perAddress.free), ANY_USER, a.remote);
  }).immediate();
}

/** Clears an account's failed logins from every address (its per-address rows stay: other names share them). */
export function unlockAccount(db: StateDb, username: string): { cleared: number } {
  existingAccount(db, username);
  return { cleared: db.prepare('delete from login_throttle where user_key = ?').run(userKey(db, username)).changes };
}

// ---------------------------------------------------------------------------------------------
// login and sessions

export type LoginOutcome =
  | { ok: true; account: Account; token: string; mustChangePassword: boolean; expiresAt: number }
  /** the same for an unknown username, a wrong password and a disabled account; `retryAfterSeconds` when the next attempt must wait */
  | { ok: false; reason: 'invalid' | 'throttled'; retryAfterSeconds?: number };

/**
 * Checks a login and opens a session. While the (username as typed, address) or the address must
 * wait, the answer is 'throttled' without checking the password. Unknown username, wrong password
 * and disabled account all answer 'invalid' after the same work (a dummy hash for the unknown one)
 * and count alike, so neither the answer nor the throttling tells whether a name exists.
 */
export async function login(db: StateDb, username: string, password: string, remote: string, now = Date.now()): Promise<LoginOutcome> {
  const attempt = beginAttempt(db, username, remote, now);
  if (attempt.retryAfterSeconds !== undefined) return { ok: false, reason: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
  const row = accountRow(db, username);
  // no password is longer than the maximum, and hashing megabytes of one is work for nothing
  const valid = await verifyPassword(password.slice(0, PASSWORD_LENGTH.max), row?.password_hash ?? dummyHash());
  if (!row || !valid || row.disabled_at !== null) {
    const wait = attempt.nextAllowedAt - now;
    return wait > 0 ? { ok: false, reason: 'invalid', retryAfterSeconds: Math.ceil(wait / 1000) } : { ok: false, reason: 'invalid' };
  }
  attemptSucceeded(db, attempt);
  if (needsRehash(row.password_hash)) {
    const upgraded = await hashPassword(password);
    // only if the hash is still the one just verified: a change meanwhile wins
    db.prepare('update accounts set password_hash = ? where username = ? and password_hash = ?').run(upgraded, username, row.password_hash);
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + SESSION_HOURS * 3600_000;
  db.transaction(() => {
    db.prepare('delete from sessions where expires_at <= ? or last_seen_at <= ?').run(now, now - IDLE_MINUTES * 60_000);
    db.prepare('insert into sessions (token_sha256, username, created_at, last_seen_at, expires_at, remote) values (?, ?, ?, ?, ?, ?)').run(sha256Hex(token), username, now, now, expiresAt, remote);
  }).immediate();
  return { ok: true, account: accountOf(row), token, mustChangePassword: row.must_change_password === 1, expiresAt };
}

export interface SessionState {
  account: Account;
  /** the password was generated by an operator: nothing but changing it until it is changed */
  mustChangePassword: boolean;
  /** the absolute end (ms); the idle end moves with each request */
  expiresAt: number;
}

/** The account behind a session token hash, if the session is live (not expired, not idle) and the account enabled. */
export function sessionAccount(db: StateDb, tokenHash: string, now = Date.now()): SessionState | undefined {
  const row = db
    .prepare<[string], AccountRow & { last_seen_at: number; expires_at: number }>(
      `select a.*, s.last_seen_at, s.expires_at from sessions s join accounts a on a.username = s.username where s.token_sha256 = ?`,
    )
    .get(tokenHash);
  if (!row || row.disabled_at !== null) return undefined;
  if (row.expires_at <= now || row.last_seen_at <= now - IDLE_MINUTES * 60_000) {
    endSession(db, tokenHash);
    return undefined;
  }
  if (now - row.last_seen_at >= SESSION_TOUCH_SECONDS * 1000) db.prepare('update sessions set last_seen_at = ? where token_sha256 = ?').run(now, tokenHash);
  return { account: accountOf(row), mustChangePassword: row.must_change_password === 1, expiresAt: row.expires_at };
}

export function endSession(db: StateDb, tokenHash: string): void {
  db.prepare('delete from sessions where token_sha256 = ?').run(tokenHash);
}

export interface SessionListing {
  /** the first 12 hex digits of the token's sha256: names the session, opens nothing */
  id: string;
  username: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  remote: string | null;
}

/** Live sessions (not expired, not idle), by username; times in China Standard Time. */
export function listSessions(db: StateDb, now = Date.now()): SessionListing[] {
  return db
    .prepare<[number, number], { token_sha256: string; username: string; created_at: number; last_seen_at: number; expires_at: number; remote: string | null }>(
      'select * from sessions where expires_at > ? and last_seen_at > ? order by username, created_at',
    )
    .all(now, now - IDLE_MINUTES * 60_000)
    .map((s) => ({
      id: s.token_sha256.slice(0, 12),
      username: s.username,
      created_at: chinaTime(s.created_at),
      last_seen_at: chinaTime(s.last_seen_at),
      expires_at: chinaTime(s.expires_at),
      remote: s.remote,
    }));
}

/** Ends one session (its id as `listSessions` shows it) or all of an account's; returns how many ended. */
export function revokeSessions(db: StateDb, which: { id?: string; username?: string }): number {
  if ((which.id === undefined) === (which.username === undefined)) throw new UsageError('give either a session id (hedui accounts sessions shows them) or --user USERNAME');
  if (which.id !== undefined) {
    if (!/^[0-9a-f]{12}$/.test(which.id)) throw new UsageError(`session id ${which.id}: 12 hex digits, as hedui accounts sessions shows them`);
    return db.prepare("delete from sessions where substr(token_sha256, 1, 12) = ?").run(which.id).changes;
  }
  return endSessionsOf(db, which.username!);
}
