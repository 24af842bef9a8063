/**
 * The portal's commands, added to the hedui program by cli/main.ts:
 *
 *   hedui serve [--port 8080] [--host 127.0.0.1] [--trust-proxy] [--insecure-http]
 *   hedui accounts add <username> (--county CODE | --league CODE | --region) [--password-stdin]
 *   hedui accounts list [--json] | disable <u> | enable <u> | unlock <u> | passwd <u> [--password-stdin]
 *   hedui accounts sessions [--json] | accounts sessions revoke (<id> | --user <u>)
 *   hedui audit [--period P] [--json] [--verify]
 *
 * Thin, like the rest of cli/main.ts, and sharing its options, data-folder check and printing
 * (cli/common.ts): parse, call one function, print; errors are typed (base/errors.ts) and
 * cli/main.ts alone turns them into exit codes. The accounts and audit commands open only the
 * state store (`withState`), never the warehouse or its lock: they work while the portal runs and
 * while the nightly run holds the warehouse. Every account change is audited with the operator's
 * login name; never a password.
 */
import type { Command } from 'commander';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { userInfo } from 'node:os';
import { AuditChainError, UsageError } from '../base/errors.ts';
import { logger } from '../base/log.ts';
import { auditReport, recordAudit, verifyAudit } from '../pipeline/audit.ts';
import { isMonthName } from '../pipeline/period.ts';
import type { StateDb } from '../pipeline/state.ts';
import { commandDataDir, configOption, dataDirOption, print, withState } from './common.ts';
import {
  addAccount,
  checkPasswordStrength,
  disableAccount,
  enableAccount,
  generatePassword,
  listAccounts,
  listSessions,
  revokeSessions,
  scopeOf,
  setPassword,
  unlockAccount,
  validateUsername,
} from '../portal/accounts.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin: pipe the password in (echo … | hedui accounts …)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port ${v}: not a port number`);
  return n;
};

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6'); // BlockList also matches ::ffff:127.x.y.z against the IPv4 subnet

/** Whether a --host binds only this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  if (h.toLowerCase() === 'localhost') return true;
  if (isIPv4(h)) return LOOPBACK.check(h, 'ipv4');
  return isIPv6(h) && LOOPBACK.check(h, 'ipv6');
}

/** The operator of a command, as the audit names them; some service accounts have no login name. */
function operator(): string {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    name = process.env.USER ?? 'operator';
  }
  return `cli:${name}`;
}

const audited = (db: StateDb, action: string, subject: string, detail?: string) => recordAudit(db, { actor: operator(), action, subject, detail: detail ?? null });

const scopeText = (s: { scope: string; scopeCode: string | null }) => (s.scopeCode ? `${s.scope} ${s.scopeCode}` : s.scope);

export function registerPortalCommands(cli: Command): void {
  cli
    .command('serve')
    .description('the download portal: counties download their workbooks and upload their answers (binds 127.0.0.1; put TLS in a reverse proxy)')
    .option('--port <n>', 'port', '8080')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--trust-proxy', 'take the client address from X-Forwarded-For (only behind your own proxy)')
    .option('--insecure-http', 'send the session cookie without Secure, for a trial over plain http on this machine (only with a loopback --host)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .action(async (o) => {
      // a cookie without Secure goes over plain http; only the machine itself may be that client
      if (o.insecureHttp && !isLoopbackHost(o.host)) throw new UsageError(`--insecure-http: only with a loopback --host (127.0.0.1, ::1, localhost), not ${o.host}`);
      const dataDir = commandDataDir(o);
      const { startPortal } = await import('../portal/server.ts'); // the server's modules load when it starts, not with every command
      const running = await startPortal({
        dataDir,
        configPath: o.config,
        port: port(o.port),
        host: o.host,
        insecureHttp: Boolean(o.insecureHttp),
        trustProxy: Boolean(o.trustProxy),
      });
      logger().info({ url: running.url, insecureHttp: Boolean(o.insecureHttp) }, 'portal listening');
      process.stdout.write(`hedui portal on ${running.url} (data: ${dataDir})\n`);
      await new Promise<void>((done) => {
        const stop = () => void running.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  const accounts = cli.command('accounts').description('portal accounts: a county, a league (its counties) or the region (all)');
  accounts
    .command('add <username>')
    .description('add an account; without --password-stdin a password is generated, printed once, and must be changed at the first login')
    .option('--county <code>', 'a county account (6-digit code, e.g. 150102)')
    .option('--league <code>', 'a league account (4-digit code, e.g. 1501)')
    .option('--region', 'a region account (all counties and summary.xlsx)')
    .option('--password-stdin', 'read the password from standard input (it must pass the strength check)')
    .addOption(dataDirOption())
    .action(async (username: string, o) => {
      const scope = scopeOf(o);
      validateUsername(username);
      const generated = !o.passwordStdin;
      const password = generated ? generatePassword(16, username) : await readStdin();
      if (!generated) await checkPasswordStrength(password, username); // before the data folder is touched
      await withState(o, async (db) => {
        await addAccount(db, { username, ...scope, password, mustChange: generated });
        audited(db, 'accounts.add', username, `${scopeText(scope)}; password ${generated ? 'generated, must change' : 'given'}`);
      });
      process.stdout.write(`added ${username} (${scopeText(scope)})\n`);
      if (generated) process.stdout.write(`password (shown once, to be changed at the first login): ${password}\n`);
    });
  accounts
    .command('list')
    .description('accounts: username, scope, created, password changed, disabled, must change password (no password hashes)')
    .addOption(dataDirOption())
    .option('--json', 'print as JSON')
    .action(async (o) => print(await withState(o, (db) => listAccounts(db)), Boolean(o.json)));
  accounts
    .command('disable <username>')
    .description('disable an account and end its sessions at once (accounts are never deleted)')
    .addOption(dataDirOption())
    .action(async (username: string, o) => {
      const { sessionsEnded } = await withState(o, (db) => {
        const r = disableAccount(db, username);
        audited(db, 'accounts.disable', username, `sessions ended: ${r.sessionsEnded}`);
        return r;
      });
      process.stdout.write(`disabled ${username} (${sessionsEnded} sessions ended)\n`);
    });
  accounts
    .command('enable <username>')
    .description('enable a disabled account again')
    .addOption(dataDirOption())
    .action(async (username: string, o) => {
      await withState(o, (db) => {
        enableAccount(db, username);
        audited(db, 'accounts.enable', username);
      });
      process.stdout.write(`enabled ${username}\n`);
    });
  accounts
    .command('unlock <username>')
    .description("forget an account's failed logins from every address (its next login is not delayed)")
    .addOption(dataDirOption())
    .action(async (username: string, o) => {
      const { cleared } = await withState(o, (db) => {
        const r = unlockAccount(db, username);
        audited(db, 'accounts.unlock', username, `addresses cleared: ${r.cleared}`);
        return r;
      });
      process.stdout.write(`unlocked ${username} (${cleared} addresses cleared)\n`);
    });
  accounts
    .command('passwd <username>')
    .description('set a new password and end the sessions; without --password-stdin one is generated, printed once, and must be changed at the next login')
    .option('--password-stdin', 'read the password from standard input (it must pass the strength check)')
    .addOption(dataDirOption())
    .action(async (username: string, o) => {
      const generated = !o.passwordStdin;
      const password = generated ? generatePassword(16, username) : await readStdin();
      if (!generated) await checkPasswordStrength(password, username);
      const { sessionsEnded } = await withState(o, async (db) => {
        const r = await setPassword(db, username, password, { mustChange: generated });
        audited(db, 'accounts.passwd', username, `password ${generated ? 'generated, must change' : 'given'}; sessions ended: ${r.sessionsEnded}`);
        return r;
      });
      process.stdout.write(`new password for ${username} (${sessionsEnded} sessions ended)\n`);
      if (generated) process.stdout.write(`password (shown once, to be changed at the next login): ${password}\n`);
    });

  const sessions = accounts
    .command('sessions')
    .description('live portal sessions: id, username, created, last seen, expires, address')
    .addOption(dataDirOption())
    .option('--json', 'print as JSON')
    .action(async (o) => print(await withState(o, (db) => listSessions(db)), Boolean(o.json)));
  sessions
    .command('revoke [id]')
    .description('end one session (its id from `hedui accounts sessions`) or every session of --user')
    .option('--user <username>', 'every session of this account')
    .action(async (id: string | undefined, _o, command: Command) => {
      // --data-dir belongs to `sessions`: commander hands a parent's options to the parent wherever they stand
      const o = command.optsWithGlobals<{ user?: string; dataDir?: string }>();
      const ended = await withState(o, (db) => {
        // the audit names the account whose session ended, also when it was named by its id
        const owner = id === undefined ? o.user : listSessions(db).find((s) => s.id === id)?.username;
        const n = revokeSessions(db, { id, username: o.user });
        audited(db, 'accounts.sessions.revoke', owner ?? `session ${id}`, `${id === undefined ? 'all sessions' : `session ${id}`}; ended: ${n}`);
        return n;
      });
      process.stdout.write(`${ended} sessions ended\n`);
    });

  cli
    .command('audit')
    .description('the audit trail: logins, downloads, uploads, account changes, whitelist changes, feedback imports; --verify checks its hash chain')
    .option('--period <YYYY-MM>', 'one month only')
    .option('--verify', 'check that no row was changed or deleted (exit 1 if one was); prints the head hash to keep elsewhere')
    .addOption(dataDirOption())
    .option('--json', 'print as JSON')
    .action(async (o) => {
      if (o.period !== undefined && !isMonthName(o.period)) throw new UsageError(`--period ${o.period}: expected YYYY-MM`);
      if (o.verify && o.period !== undefined) throw new UsageError('--verify checks the whole trail: leave out --period');
      if (!o.verify) return print(await withState(o, (db) => auditReport(db, o.period)), Boolean(o.json));
      const v = await withState(o, (db) => verifyAudit(db));
      if (o.json) print(v, true);
      else {
        process.stdout.write(`${v.rows} rows checked, head ${v.head}\n`);
        for (const p of v.problems) process.stdout.write(`  row ${p.seq}: ${p.problem}\n`);
      }
      if (!v.ok) throw new AuditChainError(`the audit trail does not verify: ${v.problems.length} problem(s), listed above (a row was changed or deleted after it was written)`);
    });
}
