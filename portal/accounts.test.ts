/**
 * Accounts and their commands (hedui accounts …, hedui audit), password hashing, and the
 * multipart parser — without a server.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../base/errors.ts';
import { withWarehouse } from '../pipeline/warehouse.ts';
import { addAccount, hashPassword, listAccounts, login, scopeOf, sessionAccount, sha256Hex, verifyPassword } from './accounts.ts';
import { registerPortalCommands } from '../cli/portal-commands.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';
import { multipart } from './testing.ts';

describe('passwords', () => {
  it("are stored as 'scrypt$N$r$p$salt$hash' with a fresh salt, and verify", async () => {
    const a = await hashPassword('a long password');
    const b = await hashPassword('a long password');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long password', a)).toBe(true);
    expect(await verifyPassword('a long passwort', a)).toBe(false);
    expect(await verifyPassword('a long password', 'plain')).toBe(false);
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

describe('login', () => {
  it('creates a session stored only as the sha256 of its token, with an expiry', () =>
    withWarehouse(async (w) => {
      await addAccount(w, { username: 'xc', scope: 'county', scopeCode: '150102', password: 'x-password-1' });
      const now = Date.parse('2026-11-20T00:00:00Z');
      const outcome = await login(w, 'xc', 'x-password-1', '127.0.0.1', now);
      if (!outcome.ok) throw new Error('login failed');
      const stored = await w.rows<{ token_sha256: string }>('t', 'select token_sha256 from portal_sessions');
      expect(stored).toEqual([{ token_sha256: sha256Hex(outcome.token) }]);
      expect(await sessionAccount(w, sha256Hex(outcome.token), now + 7 * 3600_000)).toMatchObject({ account: { username: 'xc', scope: 'county', scopeCode: '150102' } });
      expect(await sessionAccount(w, sha256Hex(outcome.token), now + 8 * 3600_000 + 1)).toBeUndefined();
      expect(await sessionAccount(w, outcome.token, now)).toBeUndefined(); // the token itself is not a key
    }));

  it('keeps no unknown username (perhaps a password typed in the wrong field) in login_failures', () =>
    withWarehouse(async (w) => {
      const r = await login(w, 'my-Secret-Passw0rd', 'x', '10.1.1.1', Date.now());
      expect(r).toEqual({ ok: false, reason: 'invalid', known: false });
      expect(await w.rows('t', 'select username, remote from login_failures')).toEqual([{ username: null, remote: '10.1.1.1' }]);
    }));
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

  async function hedui(args: string[]): Promise<string> {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    const cli = new Command('hedui').exitOverride();
    registerPortalCommands(cli);
    try {
      await cli.parseAsync(args, { from: 'user' });
    } finally {
      vi.restoreAllMocks();
    }
    return out.join('');
  }

  it('accounts add prints a generated password once; list shows no hashes; disable; audit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hedui-accounts-'));
    await expect(hedui(['accounts', 'list', '--data-dir', dir])).rejects.toThrow(/not a hedui data folder/);
    await mkdir(join(dir, 'inbox')); // a data folder: commands refuse any other
    const added = await hedui(['accounts', 'add', 'xc', '--county', '150102', '--data-dir', dir]);
    const password = /password \(shown once\): (\S+)/.exec(added)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
    await expect(hedui(['accounts', 'add', 'xc', '--region', '--data-dir', dir])).rejects.toThrow(/exists already/);
    await expect(hedui(['accounts', 'add', 'bad', '--county', '999999', '--data-dir', dir])).rejects.toThrow(UsageError);
    await hedui(['accounts', 'add', 'all', '--region', '--data-dir', dir]);

    const list = JSON.parse(await hedui(['accounts', 'list', '--json', '--data-dir', dir])) as Record<string, unknown>[];
    expect(list.map((a) => [a.username, a.scope, a.scope_code, a.disabled_at])).toEqual([
      ['all', 'region', null, null],
      ['xc', 'county', '150102', null],
    ]);
    expect(JSON.stringify(list)).not.toMatch(/scrypt|password/);

    expect(await hedui(['accounts', 'disable', 'xc', '--data-dir', dir])).toBe('disabled xc\n');
    await expect(hedui(['accounts', 'disable', 'nobody', '--data-dir', dir])).rejects.toThrow(UsageError);
    const after = JSON.parse(await hedui(['accounts', 'list', '--json', '--data-dir', dir])) as Record<string, unknown>[];
    expect(after.find((a) => a.username === 'xc')?.disabled_at).toMatch(/^\d{4}-/);
    expect(JSON.parse(await hedui(['audit', '--json', '--period', '2026-10', '--data-dir', dir]))).toEqual([]);
    await expect(hedui(['audit', '--period', 'x', '--data-dir', dir])).rejects.toThrow(UsageError);
    // the generated password is in no table (the run history records results)
    const { withSession } = await import('../pipeline/run.ts');
    const runs = await withSession({ dataDir: dir, command: 't', recordRun: false }, async (s) => ({
      runs: await s.w.rows('t', 'select * from runs'),
      accounts: await listAccounts(s.w),
    }));
    expect(JSON.stringify(runs)).not.toContain(password);
    // what changed the folder is in the run history, what only read it is not
    const commands = new Set(runs.runs.map((r) => r.command));
    expect(commands).toContain('accounts add');
    expect(commands).not.toContain('accounts list');
    expect(commands).not.toContain('audit');
  });
});
