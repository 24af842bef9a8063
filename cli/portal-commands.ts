/**
 * The portal's commands, added to the hedui program by cli/main.ts:
 *
 *   hedui serve [--port 8080] [--host 127.0.0.1] [--secure-cookies] [--trust-proxy]
 *   hedui accounts add <username> (--county CODE | --league CODE | --region) [--password-stdin]
 *   hedui accounts list [--json] | accounts disable <username>
 *   hedui audit [--period P] [--json]
 *
 * Thin, like the rest of cli/main.ts, and sharing its options, data-folder check, session and
 * printing (cli/common.ts): parse, call one function, print; errors are typed
 * (base/errors.ts) and cli/main.ts alone turns them into exit codes.
 */
import type { Command } from 'commander';
import { UsageError } from '../base/errors.ts';
import { logger, startLogging } from '../base/log.ts';
import { auditReport } from '../pipeline/audit.ts';
import { isMonthName } from '../pipeline/period.ts';
import { configOption, dataDirOption, existingDataDir, print, session } from './common.ts';
import { addAccount, disableAccount, generatePassword, listAccounts, scopeOf, validatePassword } from '../portal/accounts.ts';
import { startPortal } from '../portal/server.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin: pipe the password in (echo … | hedui accounts add …)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port ${v}: not a port number`);
  return n;
};

export function registerPortalCommands(cli: Command): void {
  cli
    .command('serve')
    .description('the download portal: counties download their workbooks and upload their answers (binds 127.0.0.1; put TLS in a reverse proxy)')
    .option('--port <n>', 'port', '8080')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--secure-cookies', 'mark the session cookie Secure (the proxy serves https)')
    .option('--trust-proxy', 'take the client address from X-Forwarded-For (only behind your own proxy)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .action(async (o) => {
      const dataDir = existingDataDir(o);
      startLogging(dataDir);
      const running = await startPortal({
        dataDir,
        configPath: o.config,
        port: port(o.port),
        host: o.host,
        secureCookies: Boolean(o.secureCookies),
        trustProxy: Boolean(o.trustProxy),
      });
      logger().info({ url: running.url }, 'portal listening');
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
    .description('add an account; without --password-stdin a password is generated and printed once')
    .option('--county <code>', 'a county account (6-digit code, e.g. 150102)')
    .option('--league <code>', 'a league account (4-digit code, e.g. 1501)')
    .option('--region', 'a region account (all counties and summary.xlsx)')
    .option('--password-stdin', 'read the password from standard input')
    .addOption(dataDirOption())
    .action(async (username, o) => {
      const scope = scopeOf(o);
      const generated = !o.passwordStdin;
      const password = generated ? generatePassword() : await readStdin();
      validatePassword(password);
      // the password stays out of the session's result (the run history records results)
      await session('accounts add', o, async (s) => {
        await addAccount(s.w, { username, ...scope, password });
        return { username, scope: scope.scope, scopeCode: scope.scopeCode };
      });
      process.stdout.write(`added ${username} (${scope.scope}${scope.scopeCode ? ` ${scope.scopeCode}` : ''})\n`);
      if (generated) process.stdout.write(`password (shown once): ${password}\n`);
    });
  accounts
    .command('list')
    .description('accounts: username, scope, created, disabled (no password hashes)')
    .addOption(dataDirOption())
    .option('--json', 'print as JSON')
    .action(async (o) => print(await session('accounts list', o, (s) => listAccounts(s.w)), Boolean(o.json)));
  accounts
    .command('disable <username>')
    .description('disable an account and end its sessions (accounts are never deleted)')
    .addOption(dataDirOption())
    .action(async (username, o) => {
      await session('accounts disable', o, async (s) => {
        await disableAccount(s.w, username);
        return { username };
      });
      process.stdout.write(`disabled ${username}\n`);
    });

  cli
    .command('audit')
    .description('the audit trail: logins, downloads, uploads, whitelist changes, feedback imports')
    .option('--period <YYYY-MM>', 'one month only')
    .addOption(dataDirOption())
    .option('--json', 'print as JSON')
    .action(async (o) => {
      if (o.period !== undefined && !isMonthName(o.period)) throw new UsageError(`--period ${o.period}: expected YYYY-MM`);
      print(await session('audit', o, (s) => auditReport(s.w, o.period)), Boolean(o.json));
    });
}
