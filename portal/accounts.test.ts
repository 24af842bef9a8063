/**
 * Accounts on the state store: hashing and its upgrade, the password rules, generated passwords
 * that must be changed, login throttling without enumeration or lock-out, session timeouts, the
 * operators' commands (hedui accounts …, hedui audit --verify), and the multipart parser — all
 * without a server, on a temp data folder.
 *
 * Every scrypt costs ~0.3–0.6 s at the OWASP cost, so accounts are mostly seeded with one hash
 * made once, and only the logins under test hash.
 */
import { afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { Command } from 'commander';
import Database from 'better-sqlite3';
import { randomBytes, scryptSync } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AuditChainError, UsageError } from '../base/errors.ts';
import { recordAudit } from '../pipeline/audit.ts';
import { acquireLock } from '../pipeline/lock.ts';
import { openState, statePath, type StateDb } from '../pipeline/state.ts';
import {
  addAccount,
  changePassword,
  disableAccount,
  enableAccount,
  hashPassword,
  IDLE_MINUTES,
  listAccounts,
  listSessions,
  login,
  needsRehash,
  passwordProblem,
  passwordProblemZh,
  PasswordRefusedError,
  revokeSessions,
  SCRYPT,
  scryptCostForTests,
  scopeOf,
  SESSION_HOURS,
  sessionAccount,
  setPassword,
  sha256Hex,
  THROTTLE,
  unlockAccount,
  verifyPassword,
  type LoginOutcome,
} from './accounts.ts';
import { isLoopbackHost, registerPortalCommands } from '../cli/portal-commands.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';
import { multipart, TEST_SCRYPT } from './testing.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const PW = 'lz7-Wuhai-gobi-Tal'; // passes the strength check
const MIN = 60_000;

/** A folder with inbox/: what existingDataDir accepts. */
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hedui-accounts-'));
  await mkdir(join(dir, 'inbox'));
  return dir;
}

async function freshState(): Promise<StateDb> {
  return openState(await dataDir());
}

/** An account with a hash made beforehand: only the logins under test pay for scrypt. */
function seed(db: StateDb, username: string, hash: string, o: { mustChange?: boolean; scopeCode?: string } = {}): void {
  db.prepare('insert into accounts (username, scope, scope_code, password_hash, must_change_password, created_at) values (?, ?, ?, ?, ?, ?)').run(
    username,
    'county',
    o.scopeCode ?? '150102',
    hash,
    o.mustChange ? 1 : 0,
    T0,
  );
}

/**
 * For a test about something else than hashing (the first-login flow, the operators' commands): a
 * cheap scrypt cost for the hashes it makes and checks (portal/accounts.ts scryptCostForTests). The
 * tests of hashing, re-hashing and throttling run at the real cost.
 */
function atTestScryptCost(): void {
  scryptCostForTests(TEST_SCRYPT);
  onTestFinished(() => scryptCostForTests(undefined));
}

/** A session as login leaves it, without the login's scrypt. */
function seedSession(db: StateDb, username: string, token: string, now = T0, remote = '10.0.0.1'): void {
  db.prepare('insert into sessions values (?, ?, ?, ?, ?, ?)').run(sha256Hex(token), username, now, now, now + SESSION_HOURS * 3600_000, remote);
}

let PW_HASH: string;
beforeAll(async () => {
  PW_HASH = await hashPassword(PW);
});

describe('passwords', () => {
  it("are stored as 'scrypt$131072$8$1$salt$hash' (OWASP's cost) with a fresh salt, and verify", async () => {
    const other = await hashPassword(PW);
    expect(PW_HASH).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(other).not.toBe(PW_HASH);
    expect(await verifyPassword(PW, PW_HASH)).toBe(true);
    expect(await verifyPassword(PW + 'x', PW_HASH)).toBe(false);
    expect(await verifyPassword(PW, 'plain')).toBe(false);
    // a stored cost beyond the current one is refused, not computed (it could take gigabytes)
    expect(await verifyPassword(PW, PW_HASH.replace('$131072$', '$1048576$'))).toBe(false);
    expect(needsRehash(PW_HASH)).toBe(false);
  });

  it('an older N=16384 hash verifies at login and is re-hashed at the current cost', async () => {
    const db = await freshState();
    const salt = randomBytes(16);
    const old = `scrypt$16384$8$1$${salt.toString('base64')}$${scryptSync(PW, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')}`;
    seed(db, 'xc', old);
    expect(needsRehash(old)).toBe(true);
    expect((await login(db, 'xc', PW, '10.0.0.1', T0)).ok).toBe(true);
    const stored = db.prepare<[], { password_hash: string }>('select password_hash from accounts').get()!.password_hash;
    expect(stored).toMatch(new RegExp(`^scrypt\\$${SCRYPT.N}\\$8\\$1\\$`));
    expect(needsRehash(stored)).toBe(false);
    expect((await login(db, 'xc', PW, '10.0.0.1', T0 + MIN)).ok).toBe(true);
  });
});

describe('password rules', () => {
  const cases: { description: string; password: string; username: string; expect: string | undefined }[] = [
    { description: 'one letter repeated', password: 'aaaaaaaaaa', username: 'xc', expect: 'too-weak' },
    { description: 'a common password with digits', password: 'password123', username: 'xc', expect: 'too-weak' },
    { description: 'a keyboard walk', password: 'Qwerty123456', username: 'xc', expect: 'too-weak' },
    { description: 'the username inside, other case', password: 'Tq9v-XC-150102-Kp4w', username: 'xc-150102', expect: 'contains-username' },
    { description: 'the username itself', password: 'hhht-league', username: 'hhht-league', expect: 'contains-username' },
    { description: 'too short', password: 'Tq9v!Kp4', username: 'xc', expect: 'too-short' },
    { description: 'too long', password: 'Tq9v!Kp4'.repeat(129), username: 'xc', expect: 'too-long' },
    { description: 'ten characters counted as characters, not bytes', password: '内蒙古呼和浩特新城区核', username: 'xc', expect: undefined },
    { description: 'several unrelated words', password: PW, username: 'xc', expect: undefined },
    { description: 'a generated one', password: 'Tq9vRm2xKp4wLs7n', username: 'xc', expect: undefined },
  ];
  for (const c of cases) {
    it(`${c.expect ?? 'accepted'}: ${c.description}`, async () => {
      expect(await passwordProblem(c.password, c.username)).toBe(c.expect);
    });
  }

  it('refuse with a UsageError that names the rule, never the password, and has Chinese for the portal', async () => {
    const db = await freshState();
    const refusal = await addAccount(db, { username: 'xc', scope: 'county', scopeCode: '150102', password: 'password123' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(UsageError);
    expect(refusal).toBeInstanceOf(PasswordRefusedError);
    expect((refusal as PasswordRefusedError).reason).toBe('too-weak');
    expect((refusal as Error).message).not.toContain('password123');
    expect(passwordProblemZh('too-weak')).toMatch(/密码/);
    expect(passwordProblemZh('throttled', 8)).toContain('8 秒');
    expect(listAccounts(db)).toEqual([]);
  });
});

describe('generated passwords', () => {
  it('must be changed at the first login: mustChangePassword until changePassword, which ends the other sessions', async () => {
    atTestScryptCost();
    const db = await freshState();
    const generated = 'Tq9vRm2xKp4wLs7n';
    seed(db, 'xc', await hashPassword(generated), { mustChange: true }); // as `accounts add` without --password-stdin leaves it
    const first = await login(db, 'xc', generated, '10.0.0.1', T0);
    if (!first.ok) throw new Error('login failed');
    expect(first.mustChangePassword).toBe(true);
    expect(sessionAccount(db, sha256Hex(first.token), T0)?.mustChangePassword).toBe(true);
    seedSession(db, 'xc', 'another-browser');

    await expect(changePassword(db, 'xc', generated, generated, T0)).rejects.toMatchObject({ reason: 'unchanged' });
    await expect(changePassword(db, 'xc', 'not-the-password', PW, T0)).rejects.toMatchObject({ reason: 'wrong-current' });
    await expect(changePassword(db, 'xc', generated, 'aaaaaaaaaa', T0)).rejects.toMatchObject({ reason: 'too-weak' });
    expect(await changePassword(db, 'xc', generated, PW, T0 + MIN, { keepSession: sha256Hex(first.token), remote: '10.0.0.1' })).toEqual({ sessionsEnded: 1 });

    expect(sessionAccount(db, sha256Hex(first.token), T0 + MIN)?.mustChangePassword).toBe(false);
    expect(sessionAccount(db, sha256Hex('another-browser'), T0 + MIN)).toBeUndefined();
    expect(listAccounts(db)[0]).toMatchObject({ username: 'xc', must_change_password: false, password_changed_at: '2026-11-20 08:01:00' });
    expect(await verifyPassword(PW, db.prepare<[], { password_hash: string }>('select password_hash from accounts').get()!.password_hash)).toBe(true);
  });
});

describe('login throttling', () => {
  const answers = (outcomes: LoginOutcome[]) => outcomes.map((o) => (o.ok ? 'ok' : `${o.reason}${o.retryAfterSeconds ? ` ${o.retryAfterSeconds}s` : ''}`));

  it('answers and throttles a known and an unknown username alike, with growing delays, never locking the account', async () => {
    const db = await freshState();
    seed(db, 'xc', PW_HASH);
    const tries = async (username: string, remote: string) => {
      const out: LoginOutcome[] = [];
      for (let i = 0; i < 8; i++) out.push(await login(db, username, `wrong-${i}`, remote, T0));
      return answers(out);
    };
    // side by side, as an attacker would compare them (scrypt runs two at a time)
    const [known, unknown] = await Promise.all([tries('xc', '10.0.0.1'), tries('nobody', '10.0.0.2')]);
    expect(known).toEqual(['invalid', 'invalid', 'invalid 1s', 'throttled 1s', 'throttled 1s', 'throttled 1s', 'throttled 1s', 'throttled 1s']);
    expect(unknown).toEqual(known);
    // the same for the name in another case: throttled per name as typed, any case
    expect(answers([await login(db, 'XC', PW, '10.0.0.1', T0)])).toEqual(['throttled 1s']);
    // no name is kept, known or not (one typed into the wrong field may be a password)
    expect(JSON.stringify(db.prepare('select * from login_throttle').all())).not.toMatch(/xc|nobody/i);

    // the delay doubles with each failure past the free ones …
    const grow: LoginOutcome[] = [];
    let t = T0 + 1000;
    for (const wait of [2, 4]) {
      grow.push(await login(db, 'xc', 'wrong', '10.0.0.1', t));
      grow.push(await login(db, 'xc', PW, '10.0.0.1', t + 1)); // the right password, too early: not even checked
      t += wait * 1000;
    }
    expect(answers(grow)).toEqual(['invalid 2s', 'throttled 2s', 'invalid 4s', 'throttled 4s']);
    // … up to five minutes
    db.prepare("update login_throttle set failures = 40 where user_key <> '*'").run();
    expect(answers([await login(db, 'xc', 'wrong', '10.0.0.1', t)])).toEqual([`invalid ${THROTTLE.maxDelaySeconds}s`]);

    // the county still logs in from its own address: someone else's failures lock nobody out
    expect((await login(db, 'xc', PW, '10.9.9.9', t)).ok).toBe(true);
    // once the wait is over the right password works, and clears that address's failures
    t += THROTTLE.maxDelaySeconds * 1000;
    expect((await login(db, 'xc', PW, '10.0.0.1', t)).ok).toBe(true);
    expect(answers([await login(db, 'xc', 'wrong', '10.0.0.1', t)])).toEqual(['invalid']);
    // failures are forgotten a day after the last one ('nobody' failed 3 times at T0)
    expect(answers([await login(db, 'nobody', 'wrong', '10.0.0.2', T0 + THROTTLE.perUser.forgetAfterMs)])).toEqual(['invalid']);
  });

  it('slows an address that tries many usernames (password spraying), not other addresses', async () => {
    const db = await freshState();
    seed(db, 'xc', PW_HASH);
    // 29 earlier failures from the office's address, across usernames, within the window
    db.prepare("insert into login_throttle values ('*', '10.0.0.1', ?, ?, 0)").run(THROTTLE.perAddress.free - 1, T0 - MIN);
    expect(answers([await login(db, 'spray-1', 'wrong', '10.0.0.1', T0)])).toEqual(['invalid 1s']);
    expect(answers([await login(db, 'xc', PW, '10.0.0.1', T0)])).toEqual(['throttled 1s']);
    expect((await login(db, 'xc', PW, '10.0.0.2', T0)).ok).toBe(true);
    // failures more than 15 minutes apart start the count again
    expect((await login(db, 'xc', PW, '10.0.0.1', T0 + THROTTLE.perAddress.windowMs + 1)).ok).toBe(true);
  });

  it('a disabled account answers invalid to the right password; enabled, it logs in; unlock clears its failures', async () => {
    const db = await freshState();
    seed(db, 'xc', PW_HASH);
    seedSession(db, 'xc', 'a');
    seedSession(db, 'xc', 'b');
    expect(disableAccount(db, 'xc', T0)).toEqual({ sessionsEnded: 2 });
    expect(sessionAccount(db, sha256Hex('a'), T0)).toBeUndefined();
    expect(answers([await login(db, 'xc', PW, '10.0.0.1', T0)])).toEqual(['invalid']);
    expect(listAccounts(db)[0].disabled_at).toBe('2026-11-20 08:00:00');
    enableAccount(db, 'xc');
    expect(listAccounts(db)[0].disabled_at).toBeNull();
    expect(() => disableAccount(db, 'nobody')).toThrow(UsageError);
    expect(() => enableAccount(db, 'nobody')).toThrow(UsageError);

    for (let i = 0; i < 2; i++) await login(db, 'xc', 'wrong', '10.0.0.1', T0);
    expect(answers([await login(db, 'xc', PW, '10.0.0.1', T0)])).toEqual(['throttled 1s']);
    expect(unlockAccount(db, 'xc')).toEqual({ cleared: 1 });
    expect((await login(db, 'xc', PW, '10.0.0.1', T0)).ok).toBe(true);
  });
});

describe('sessions', () => {
  it('store only the sha256 of the token; end after 30 idle minutes; last seen written at most once a minute', async () => {
    const db = await freshState();
    seed(db, 'xc', PW_HASH);
    const outcome = await login(db, 'xc', PW, '10.0.0.1', T0);
    if (!outcome.ok) throw new Error('login failed');
    const hash = sha256Hex(outcome.token);
    expect(db.prepare('select token_sha256 from sessions').all()).toEqual([{ token_sha256: hash }]);
    expect(sessionAccount(db, outcome.token, T0)).toBeUndefined(); // the token itself is not a key
    const lastSeen = () => db.prepare<[], { last_seen_at: number }>('select last_seen_at from sessions').get()?.last_seen_at;

    expect(sessionAccount(db, hash, T0 + 30_000)).toMatchObject({ account: { username: 'xc', scope: 'county', scopeCode: '150102' }, expiresAt: T0 + SESSION_HOURS * 3600_000 });
    expect(lastSeen()).toBe(T0);
    expect(sessionAccount(db, hash, T0 + 29 * MIN)).toBeDefined();
    expect(lastSeen()).toBe(T0 + 29 * MIN);
    expect(sessionAccount(db, hash, T0 + 58 * MIN)).toBeDefined(); // 29 minutes after the last request
    expect(sessionAccount(db, hash, T0 + (58 + IDLE_MINUTES + 1) * MIN)).toBeUndefined();
    expect(lastSeen()).toBeUndefined(); // an idle session is deleted when it is refused
  });

  it('end 8 hours after the login however busy, and login prunes ended sessions', async () => {
    const db = await freshState();
    seed(db, 'xc', PW_HASH);
    seedSession(db, 'xc', 'busy');
    seedSession(db, 'xc', 'forgotten');
    let t = T0;
    for (; t < T0 + SESSION_HOURS * 3600_000; t += 20 * MIN) expect(sessionAccount(db, sha256Hex('busy'), t), new Date(t).toISOString()).toBeDefined();
    expect(sessionAccount(db, sha256Hex('busy'), T0 + SESSION_HOURS * 3600_000)).toBeUndefined();
    expect((await login(db, 'xc', PW, '10.0.0.1', t)).ok).toBe(true);
    expect(db.prepare('select count(*) as n from sessions').get()).toEqual({ n: 1 });
  });

  it('are listed live only by an id of 12 hex digits, and revoked by id or by account', async () => {
    const db = await freshState();
    seed(db, 'xc', PW_HASH);
    seed(db, 'bt', PW_HASH, { scopeCode: '150203' });
    seedSession(db, 'xc', 'one');
    seedSession(db, 'xc', 'two', T0 + MIN, '10.0.0.2');
    seedSession(db, 'bt', 'three');
    seedSession(db, 'bt', 'idle', T0 - IDLE_MINUTES * MIN);
    const now = T0 + 2 * MIN;
    const listed = listSessions(db, now);
    expect(listed.map((s) => [s.username, s.id, s.created_at, s.expires_at, s.remote])).toEqual([
      ['bt', sha256Hex('three').slice(0, 12), '2026-11-20 08:00:00', '2026-11-20 16:00:00', '10.0.0.1'],
      ['xc', sha256Hex('one').slice(0, 12), '2026-11-20 08:00:00', '2026-11-20 16:00:00', '10.0.0.1'],
      ['xc', sha256Hex('two').slice(0, 12), '2026-11-20 08:01:00', '2026-11-20 16:01:00', '10.0.0.2'],
    ]);
    expect(revokeSessions(db, { id: listed[1].id })).toBe(1);
    expect(sessionAccount(db, sha256Hex('one'), now)).toBeUndefined();
    expect(sessionAccount(db, sha256Hex('two'), now)).toBeDefined();
    expect(revokeSessions(db, { username: 'bt' })).toBe(2);
    expect(listSessions(db, now).map((s) => s.username)).toEqual(['xc']);
    expect(() => revokeSessions(db, {})).toThrow(UsageError);
    expect(() => revokeSessions(db, { id: 'abc' })).toThrow(UsageError);
  });

  it('end when an operator sets a new password', async () => {
    const db = await freshState();
    seed(db, 'xc', PW_HASH);
    seedSession(db, 'xc', 'one');
    await expect(setPassword(db, 'xc', 'password123', { mustChange: false }, T0)).rejects.toMatchObject({ reason: 'too-weak' });
    expect(await setPassword(db, 'xc', 'Tq9vRm2xKp4wLs7n', { mustChange: true }, T0)).toEqual({ sessionsEnded: 1 });
    expect(listAccounts(db)[0].must_change_password).toBe(true);
    await expect(setPassword(db, 'nobody', 'Tq9vRm2xKp4wLs7n', { mustChange: true })).rejects.toThrow(UsageError);
  });
});

describe('scopes', () => {
  it('take exactly one of county, league, region, with codes of Inner Mongolia', () => {
    expect(scopeOf({ county: '150102' })).toEqual({ scope: 'county', scopeCode: '150102' });
    expect(scopeOf({ league: '1501' })).toEqual({ scope: 'league', scopeCode: '1501' });
    expect(scopeOf({ region: true })).toEqual({ scope: 'region', scopeCode: null });
    expect(() => scopeOf({ county: '110101' })).toThrow(UsageError); // Beijing
    expect(() => scopeOf({ county: '1501' })).toThrow(UsageError);
    expect(() => scopeOf({ league: '150102' })).toThrow(UsageError);
    expect(() => scopeOf({ county: '150102', region: true })).toThrow(UsageError);
    expect(() => scopeOf({})).toThrow(UsageError);
  });
});

describe('multipart', () => {
  it('parses fields and files as browsers send them', () => {
    const file = Buffer.from('PK\x03\x04\r\n--not-the-boundary\r\n\x00\xff', 'binary');
    const { body, contentType } = multipart([
      { name: 'csrf', value: 'abc' },
      { name: 'file', value: file, filename: '核对表 %22甲%22.xlsx', type: 'application/octet-stream' },
    ]);
    const parts = parseMultipart(body, boundaryOf(contentType)!);
    expect(parts.map((p) => p.name)).toEqual(['csrf', 'file']);
    expect(parts[0].data.toString()).toBe('abc');
    expect(parts[1].data.equals(file)).toBe(true);
    expect(parts[1].filename).toBe('核对表 %22甲%22.xlsx'); // browsers escape '"' as %22
    expect(boundaryOf('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(boundaryOf('application/x-www-form-urlencoded')).toBeUndefined();
    expect(() => parseMultipart(body.subarray(0, body.length - 20), boundaryOf(contentType)!)).toThrow();
  });
});

describe('commands', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Runs hedui in this process; `stdin`: what is piped in. */
  async function hedui(args: string[], stdin?: string): Promise<string> {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    if (stdin !== undefined) vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([Buffer.from(stdin)]) as unknown as typeof process.stdin);
    const cli = new Command('hedui').exitOverride();
    registerPortalCommands(cli);
    try {
      await cli.parseAsync(args, { from: 'user' });
    } finally {
      vi.restoreAllMocks();
    }
    return out.join('');
  }

  /** Every row of every table, as text: to look for a password anywhere. */
  const everything = (dir: string) => {
    const db = new Database(statePath(dir), { readonly: true });
    try {
      const tables = db.prepare<[], { name: string }>("select name from sqlite_master where type = 'table'").all();
      return JSON.stringify(tables.map((t) => db.prepare(`select * from "${t.name}"`).all()));
    } finally {
      db.close();
    }
  };

  it('accounts add, list, passwd, disable, enable, unlock, sessions: state store only, audited, no password kept', async () => {
    atTestScryptCost();
    const empty = await mkdtemp(join(tmpdir(), 'hedui-accounts-'));
    await expect(hedui(['accounts', 'list', '--data-dir', empty])).rejects.toThrow(/not a hedui data folder/);
    const dir = await dataDir();
    // the nightly run holds the warehouse's lock: the accounts and audit commands do not need it
    const release = await acquireLock(dir, 'nightly');
    try {
      const added = await hedui(['accounts', 'add', 'xc', '--county', '150102', '--data-dir', dir]);
      const generated = /password \(shown once[^)]*\): (\S+)/.exec(added)?.[1];
      expect(generated).toMatch(/^[A-HJ-NP-Za-km-z2-9]{16}$/);
      await expect(hedui(['accounts', 'add', 'xc', '--region', '--data-dir', dir])).rejects.toThrow(/exists already/);
      await expect(hedui(['accounts', 'add', 'bad', '--county', '999999', '--data-dir', dir])).rejects.toThrow(UsageError);
      await expect(hedui(['accounts', 'add', 'all', '--region', '--password-stdin', '--data-dir', dir], 'password123\n')).rejects.toThrow(/too easy to guess/);
      expect(await hedui(['accounts', 'add', 'all', '--region', '--password-stdin', '--data-dir', dir], `${PW}\n`)).toBe('added all (region)\n');

      const list = JSON.parse(await hedui(['accounts', 'list', '--json', '--data-dir', dir])) as Record<string, unknown>[];
      expect(list.map((a) => [a.username, a.scope, a.scope_code, a.disabled_at, a.must_change_password])).toEqual([
        ['all', 'region', null, null, false],
        ['xc', 'county', '150102', null, true],
      ]);
      expect(JSON.stringify(list)).not.toMatch(/scrypt/);

      const db = openState(dir);
      try {
        expect(await login(db, 'xc', generated!, '10.0.0.1')).toMatchObject({ ok: true, mustChangePassword: true });
        await login(db, 'all', 'wrong', '10.0.0.1');
      } finally {
        db.close();
      }
      const sessions = JSON.parse(await hedui(['accounts', 'sessions', '--json', '--data-dir', dir])) as { id: string; username: string }[];
      expect(sessions.map((s) => s.username)).toEqual(['xc']);
      expect(await hedui(['accounts', 'sessions', 'revoke', sessions[0].id, '--data-dir', dir])).toBe('1 sessions ended\n');
      expect(await hedui(['accounts', 'sessions', 'revoke', '--user', 'xc', '--data-dir', dir])).toBe('0 sessions ended\n');

      const reset = await hedui(['accounts', 'passwd', 'all', '--data-dir', dir]);
      const regenerated = /password \(shown once[^)]*\): (\S+)/.exec(reset)?.[1];
      expect(regenerated).toHaveLength(16);
      expect(await hedui(['accounts', 'unlock', 'all', '--data-dir', dir])).toBe('unlocked all (1 addresses cleared)\n');
      expect(await hedui(['accounts', 'disable', 'xc', '--data-dir', dir])).toBe('disabled xc (0 sessions ended)\n');
      expect(await hedui(['accounts', 'enable', 'xc', '--data-dir', dir])).toBe('enabled xc\n');
      await expect(hedui(['accounts', 'disable', 'nobody', '--data-dir', dir])).rejects.toThrow(UsageError);

      const audit = JSON.parse(await hedui(['audit', '--json', '--data-dir', dir])) as { actor: string; action: string; subject: string }[];
      expect(audit.map((r) => [r.actor, r.action, r.subject])).toEqual(
        [
          ['accounts.add', 'xc'],
          ['accounts.add', 'all'],
          ['accounts.sessions.revoke', 'xc'],
          ['accounts.sessions.revoke', 'xc'],
          ['accounts.passwd', 'all'],
          ['accounts.unlock', 'all'],
          ['accounts.disable', 'xc'],
          ['accounts.enable', 'xc'],
        ].map(([action, subject]) => [`cli:${userInfo().username}`, action, subject]),
      );
      expect(JSON.parse(await hedui(['audit', '--json', '--period', '2026-10', '--data-dir', dir]))).toEqual([]);
      await expect(hedui(['audit', '--period', 'x', '--data-dir', dir])).rejects.toThrow(UsageError);
    } finally {
      await release();
    }
    const kept = everything(dir);
    for (const secret of [PW]) expect(kept).not.toContain(secret);
    expect(kept).not.toMatch(/Tq9v|password123/);
  });

  it('audit --verify passes on a clean chain and fails after a row was changed or the last one deleted', async () => {
    const dir = await dataDir();
    const db = openState(dir);
    for (const [i, subject] of ['xc', 'bt', 'wc'].entries()) recordAudit(db, { actor: 'cli:test', action: 'accounts.add', subject, detail: 'county' }, T0 + i * MIN);
    db.close();

    const clean = await hedui(['audit', '--verify', '--data-dir', dir]);
    expect(clean).toMatch(/^3 rows checked, head [0-9a-f]{64}\n$/);
    expect(JSON.parse(await hedui(['audit', '--verify', '--json', '--data-dir', dir]))).toMatchObject({ ok: true, rows: 3, problems: [] });
    await expect(hedui(['audit', '--verify', '--period', '2026-10', '--data-dir', dir])).rejects.toThrow(UsageError);

    const tamper = (sql: string) => {
      const raw = new Database(statePath(dir));
      raw.prepare(sql).run();
      raw.close();
    };
    tamper("update audit set detail = 'region' where seq = 2");
    const changed = await hedui(['audit', '--verify', '--data-dir', dir]).catch((e: unknown) => e);
    expect(changed).toBeInstanceOf(AuditChainError);
    expect(changed).not.toBeInstanceOf(UsageError); // exit 1, not 2
    tamper("update audit set detail = 'county' where seq = 2");
    expect(await hedui(['audit', '--verify', '--data-dir', dir])).toMatch(/^3 rows checked/);

    tamper('delete from audit where seq = 3');
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    const cli = new Command('hedui').exitOverride();
    registerPortalCommands(cli);
    await expect(cli.parseAsync(['audit', '--verify', '--data-dir', dir], { from: 'user' })).rejects.toThrow(AuditChainError);
    vi.restoreAllMocks();
    expect(out.join('')).toMatch(/^2 rows checked, head [0-9a-f]{64}\n {2}row 3: rows 3–3 at the end are missing\n$/);
  });

  it('serve --insecure-http only with a loopback host', async () => {
    expect(['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].filter((h) => !isLoopbackHost(h))).toEqual([]);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.org', '128.0.0.1'].filter((h) => isLoopbackHost(h))).toEqual([]);
    const dir = await dataDir();
    await expect(hedui(['serve', '--insecure-http', '--host', '0.0.0.0', '--port', '0', '--data-dir', dir])).rejects.toThrow(/--insecure-http: only with a loopback --host/);
  });
});
