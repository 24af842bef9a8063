/**
 * Portal accounts, passwords, sessions and the failed-login rate limit. Everything here runs
 * inside a short warehouse session (the caller's `withSession`); SQL goes through the warehouse
 * with bound parameters only.
 *
 * - passwords: scrypt, stored as 'scrypt$N$r$p$salt$hash' (salt and hash base64);
 * - sessions: a random 32-byte token in the cookie, only its sha256 in `portal_sessions`;
 * - failed logins: rows in `login_failures`, counted per username and per address over a window.
 *
 * Times are computed in JS (UTC) and passed in, so tests can move the clock.
 */
import { createHash, randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { COUNTIES, LEAGUES } from '../domain/divisions.ts';
import { UsageError } from '../base/errors.ts';
import type { Warehouse } from '../pipeline/warehouse.ts';

export type Scope = 'region' | 'league' | 'county';

export interface Account {
  username: string;
  scope: Scope;
  /** county code (6 digits), league code (4 digits), or null for the region */
  scopeCode: string | null;
}

export const LIMITS = {
  /** failed logins per username within the window before refusing (429) */
  perUsername: 5,
  /** failed logins per client address within the window (higher: an office shares one address) */
  perAddress: 20,
  windowMs: 15 * 60_000,
  /** failures older than this are pruned */
  keepMs: 24 * 3600_000,
} as const;

export const SESSION_HOURS = 8;

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keyLength, options, (e, key) => (e ? reject(e) : resolve(key))));
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, what a DuckDB TIMESTAMP column takes. */
export const sqlTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const key = await scrypt(password, salt, keyLength, { N, r, p, maxmem: 128 * N * r * 2 });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 128 * N * r * 2 });
  return timingSafeEqual(key, expected);
}

/** A hash to verify against when the username is unknown, so both cases take the same time. */
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));

/** A password to print once: 16 characters without look-alikes (0/O, 1/l/I). */
export function generatePassword(length = 16): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

export function validateUsername(username: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(username)) {
    throw new UsageError(`username "${username}": 2–64 characters, letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
}

export function validatePassword(password: string): void {
  if (password.length < 10) throw new UsageError('the password needs at least 10 characters');
  if (password.length > 1024) throw new UsageError('the password is too long (at most 1024 characters)');
}

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

export async function addAccount(w: Warehouse, a: Account & { password: string }, now = Date.now()): Promise<void> {
  validateUsername(a.username);
  validatePassword(a.password);
  const existing = await w.one('accounts:exists', 'select 1 as x from accounts where username = $username', { username: a.username });
  if (existing) throw new UsageError(`account ${a.username} exists already`);
  await w.exec('accounts:add', 'insert into accounts values ($username, $scope, $code, $hash, $now::timestamp, null)', {
    username: a.username,
    scope: a.scope,
    code: a.scopeCode,
    hash: await hashPassword(a.password),
    now: sqlTime(now),
  });
}

export interface AccountListing {
  username: string;
  scope: Scope;
  scope_code: string | null;
  created_at: string;
  disabled_at: string | null;
}

/** Accounts without their password hashes. */
export async function listAccounts(w: Warehouse): Promise<AccountListing[]> {
  return w.rows<AccountListing>(
    'accounts:list',
    `select username, scope, scope_code, strftime(created_at, '%Y-%m-%d %H:%M:%S') as created_at,
            strftime(disabled_at, '%Y-%m-%d %H:%M:%S') as disabled_at
     from accounts order by username`,
  );
}

/** Disables an account and ends its sessions (a server's session cache forgets it within a minute). */
export async function disableAccount(w: Warehouse, username: string, now = Date.now()): Promise<void> {
  const existing = await w.one<{ disabled: boolean }>('accounts:exists', 'select disabled_at is not null as disabled from accounts where username = $username', { username });
  if (!existing) throw new UsageError(`no account ${username}`);
  if (!existing.disabled) await w.exec('accounts:disable', 'update accounts set disabled_at = $now::timestamp where username = $username', { username, now: sqlTime(now) });
  await w.exec('sessions:end-all', 'delete from portal_sessions where username = $username', { username });
}

export type LoginOutcome =
  | { ok: true; account: Account; token: string; expiresAt: number }
  | { ok: false; reason: 'invalid' | 'rate-limited'; known: boolean };

/**
 * Checks a login. Refused without looking at the password while the username or the address has
 * too many recent failures; an unknown user, a wrong password and a disabled account all look
 * the same to the client ('invalid') and all count as failures. `known` tells the caller whether
 * the username is an account, so that an unknown one (perhaps a password typed in the wrong
 * field) is not written to the audit.
 */
export async function login(w: Warehouse, username: string, password: string, remote: string, now: number, sessionHours = SESSION_HOURS): Promise<LoginOutcome> {
  const since = sqlTime(now - LIMITS.windowMs);
  const recent = await w.one<{ by_user: number; by_address: number }>(
    'login:failures',
    `select count(*) filter (where username = $username)::integer as by_user,
            count(*) filter (where remote = $remote)::integer as by_address
     from login_failures where occurred_at > $since::timestamp`,
    { username, remote, since },
  );
  const row = await w.one<{ username: string; scope: Scope; scope_code: string | null; password_hash: string; disabled: boolean }>(
    'login:account',
    'select username, scope, scope_code, password_hash, disabled_at is not null as disabled from accounts where username = $username',
    { username },
  );
  if ((recent?.by_user ?? 0) >= LIMITS.perUsername || (recent?.by_address ?? 0) >= LIMITS.perAddress) return { ok: false, reason: 'rate-limited', known: Boolean(row) };
  const valid = await verifyPassword(password.slice(0, 1024), row?.password_hash ?? (await dummy()));
  if (!row || !valid || row.disabled) {
    // an unknown username is not kept (it may be a password typed in the wrong field): it counts per address only
    await w.exec('login:failure', 'insert into login_failures values ($username, $remote, $now::timestamp)', { username: row ? username : null, remote, now: sqlTime(now) });
    await w.exec('login:prune', 'delete from login_failures where occurred_at < $before::timestamp', { before: sqlTime(now - LIMITS.keepMs) });
    return { ok: false, reason: 'invalid', known: Boolean(row) };
  }
  await w.exec('login:clear', 'delete from login_failures where username = $username', { username });
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + sessionHours * 3600_000;
  await w.exec('session:create', 'insert into portal_sessions values ($hash, $username, $now::timestamp, $expires::timestamp, $remote)', {
    hash: sha256Hex(token),
    username,
    now: sqlTime(now),
    expires: sqlTime(expiresAt),
    remote,
  });
  await w.exec('session:prune', 'delete from portal_sessions where expires_at < $now::timestamp', { now: sqlTime(now) });
  return { ok: true, account: { username: row.username, scope: row.scope, scopeCode: row.scope_code }, token, expiresAt };
}

/** The account behind a session token hash, if the session is live and the account enabled. */
export async function sessionAccount(w: Warehouse, tokenHash: string, now: number): Promise<{ account: Account; expiresAt: number } | undefined> {
  const row = await w.one<{ username: string; scope: Scope; scope_code: string | null; expires_ms: number }>(
    'session:lookup',
    `select a.username, a.scope, a.scope_code, epoch_ms(s.expires_at)::double as expires_ms
     from portal_sessions s join accounts a on a.username = s.username
     where s.token_sha256 = $hash and s.expires_at > $now::timestamp and a.disabled_at is null`,
    { hash: tokenHash, now: sqlTime(now) },
  );
  return row && { account: { username: row.username, scope: row.scope, scopeCode: row.scope_code }, expiresAt: Number(row.expires_ms) };
}

export async function endSession(w: Warehouse, tokenHash: string): Promise<void> {
  await w.exec('session:end', 'delete from portal_sessions where token_sha256 = $hash', { hash: tokenHash });
}
