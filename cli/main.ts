/**
 * The hedui command line. It only declares commands: each parses its options, calls one pipeline
 * function and prints. Errors are typed; this file alone turns them into words and exit codes.
 *
 * Exit codes: 0 done · 1 failure · 2 usage or configuration · 3 a gate held publication ·
 *             4 another run holds the data folder
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { ConfigError, GateHeldError, HeduiError, LockHeldError, UsageError } from '../base/errors.ts';
import { formatMonthReport, formatNightlyReport, formatRequestsReport } from './report.ts';
import { registerPortalCommands } from './portal-commands.ts';
import { FEEDS } from '../adapters/index.ts';
import { checkDateOptions, commandDataDir, configOption, dataDirOption, print, session, today } from './common.ts';
// The pipeline (DuckDB, exceljs, the calendar …) is loaded by the command that needs it, not at
// start: `hedui --help` and a usage error need none of it (docs/measured-choices.md).
const pipeline = {
  run: () => import('../pipeline/run.ts'),
  nightly: () => import('../pipeline/quiet-night.ts'),
  status: () => import('../pipeline/status.ts'),
  whitelist: () => import('../pipeline/whitelist.ts'),
  feedback: () => import('../pipeline/feedback.ts'),
  periodIndex: () => import('../pipeline/publish/period-index.ts'),
  pull: () => import('../pipeline/pull.ts'),
  kpi: () => import('../pipeline/kpi.ts'),
  requestsRun: () => import('../pipeline/requests/run.ts'),
  requestsStatus: () => import('../pipeline/requests/status.ts'),
  assistAnswers: () => import('../pipeline/assist/answers.ts'),
  assistStatus: () => import('../pipeline/assist/status.ts'),
};
import { formatCsv } from './csv.ts';

// Owner-only from the start: every folder and file a command creates in the data folder (warehouse,
// logs, workbooks, the lock) holds or names personal data. bin/hedui.js sets it before loading this
// file; this line covers `npm run hedui` (node --import tsx cli/main.ts). No import above creates a file.
process.umask(0o077);

// A reader that stops early (`hedui status | head`) closes the pipe. The rest of the output is
// dropped and the command still finishes with its own exit code: a run must not stop mid-month
// because its reader left. Before, the write's EPIPE ended the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

export const EXIT = { ok: 0, failure: 1, usage: 2, held: 3, locked: 4 } as const;

/** The package's version (package.json beside the sources, and copied into dist/ by the build). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The operator's login name, for the record of their word; some service accounts have none. */
function loginName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'operator';
  }
}

/**
 * Runs a command whose report must reach the operator also when a gate holds: the held run's
 * report goes to stdout (as text or JSON) before the error's words go to stderr with exit 3.
 */
async function reporting<T, R>(json: boolean | undefined, format: (report: R) => string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof GateHeldError && e.report) process.stdout.write(json ? JSON.stringify(e.report, null, 2) + '\n' : format(e.report as R));
    throw e;
  }
}

export function program(): Command {
  const cli = new Command('hedui')
    .exitOverride()
    .version(packageVersion(), '-V, --version', 'print the version')
    .description('社会救助家庭经济状况核对 — match department feeds against the assistance roster and publish county workbooks')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Examples:
  hedui fixtures --scale tiny --seed 1 --period 2026-10 --out data   sample data in the inbox layout
  hedui run --period 2026-10                                         load, match and publish October
  hedui run --period 2026-10 --accept-drift vehicles                 accept a vehicles snapshot that moved >30%
  hedui nightly                                                      what cron runs
  hedui status --period 2026-10 --json
  hedui quarantine --period 2026-10 --feed vehicles > 退回机动车.csv
  hedui whitelist import 白名单.xlsx

Exit codes: 0 done, 1 failure, 2 usage or configuration, 3 a gate held publication, 4 another run holds the data folder.`,
    );

  cli
    .command('run')
    .description('load what the inbox holds for the month, match and publish it (a re-run replaces the month); ends with a report of every feed')
    .requiredOption('--period <YYYY-MM>', 'the month (it must have ended, China Standard Time)')
    .option('--accept-drift <feed...>', 'accept a snapshot whose row count moved past the gate')
    .option('--use-previous <feed...>', "publish with the feed's previous snapshot when its delivery for the month was rejected (or, for the roster, not delivered); recorded with --by and the time")
    .option('--accept-unauthorized-rise', 'accept a rise in the share of households waiting for authorization past the gate')
    .option('--allow-unfinished', 'run a month that has not ended yet')
    .option('--keep-intermediate', 'keep the int_* and pub_* tables in the warehouse (schema debug_<period>) for inspection; also HEDUI_KEEP_INTERMEDIATE=1')
    .option('--today <date>', 'the day of the run (default today, China Standard Time): whether the month has ended, and the issue date (下发日期) of the flags it issues first')
    .option('--by <who>', 'who gives the word for --use-previous (default: the login name)', loginName())
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--json', 'print the report as JSON')
    .action(async (o) => {
      const { runMonth } = await pipeline.run();
      const report = await reporting(o.json, formatMonthReport, () =>
        session('run', o, (s) =>
          runMonth(s, o.period, { acceptDrift: o.acceptDrift, usePrevious: o.usePrevious, acceptUnauthorizedRise: o.acceptUnauthorizedRise, allowUnfinished: o.allowUnfinished, by: o.by, keepIntermediate: o.keepIntermediate, today: o.today }),
        ),
      );
      if (o.json) return print(report, true);
      process.stdout.write(formatMonthReport(report));
    });

  cli
    .command('nightly')
    .description('pull, load new feed files, re-run every ended month whose inputs changed or that a gate holds; nothing new, nothing done')
    .option('--today <date>', 'judge due days as of this day, and date the flags it issues first by it (default today, China Standard Time)')
    .option(
      '--wait <minutes>',
      'wait up to this long for another run (or an import) holding the data folder to finish, then exit 4 naming it; 0 = do not wait',
      (value: string) => {
        if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError('expected a number of minutes, 0 or more, e.g. 30');
        return Number(value);
      },
      30,
    )
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--json', 'print the report as JSON')
    .action(async (o) => {
      const { nightlyCommand, nothingNew } = await pipeline.nightly();
      const report = await reporting(o.json, formatNightlyReport, () =>
        nightlyCommand({ dataDir: commandDataDir(o), configPath: o.config, lockWaitMs: o.wait * 60_000 }, { today: o.today }),
      );
      if (o.json) return print(report, true);
      if (nothingNew(report)) return void process.stdout.write('nothing new\n');
      process.stdout.write(formatNightlyReport(report));
    });

  cli
    .command('pull')
    .description('fetch new files from the configured sources (exchange folders, HTTP) into the inbox')
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--json', 'print the report as JSON')
    .action(async (o) => {
      const { pull } = await pipeline.pull();
      const report = await session('pull', o, (s) => pull(s.w, s.dataDir, s.config.config));
      if (o.json) print(report, true);
      else {
        process.stdout.write(`${report.pulled.length} files pulled, ${report.unchanged} unchanged, ${report.waiting.length} waiting for their control file, ${report.failed.length} failed\n`);
        for (const f of report.failed) process.stdout.write(`  ${f.feed} ${f.file}: ${f.reason}\n`);
      }
      if (report.failed.length) process.exitCode = EXIT.failure;
    });

  cli
    .command('status')
    .description('runs, loads and flag counts; with --period, the report of that month (or the deliveries of a quarter) as the warehouse stands')
    .option('--period <period>', 'a month (YYYY-MM) or a quarter (YYYYQn)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--json', 'print as JSON')
    .action(async (o) => {
      const [{ periodReport }, { status }] = await Promise.all([pipeline.run(), pipeline.status()]);
      const { report, ...tables } = await session('status', o, async (s) => ({ report: o.period ? await periodReport(s, o.period) : undefined, ...(await status(s.w, o.period)) }));
      if (o.json) return print({ report, ...tables }, true);
      if (report) process.stdout.write(formatMonthReport(report));
      // a blank line between sections, none above the first
      Object.entries(tables).forEach(([title, rows], i) => {
        process.stdout.write(`${report || i > 0 ? '\n' : ''}${title}\n`);
        print(rows, false);
      });
    });

  cli
    .command('quarantine')
    .description('what to send back to the departments for a month: quarantined rows and files refused whole, as CSV for Excel (UTF-8 with BOM, Chinese headers)')
    .requiredOption('--period <YYYY-MM>', 'the month')
    .addOption(new Option('--feed <feed>', 'one feed only').choices(FEEDS.map((f) => f.id)))
    .addOption(dataDirOption())
    .option('--json', 'print as JSON instead of CSV (reason code and text)')
    .action(async (o) => {
      const { quarantineReport, QUARANTINE_CSV_COLUMNS } = await pipeline.status();
      const rows = await session('quarantine', o, (s) => quarantineReport(s.w, o.period, o.feed));
      if (o.json) return print(rows, true);
      process.stdout.write(formatCsv(rows, QUARANTINE_CSV_COLUMNS));
    });

  const whitelist = cli.command('whitelist').description('people whose department data is known to be wrong (白名单)');
  whitelist
    .command('add')
    .description('add an entry')
    .requiredOption('--id <id-number>', 'the person (身份证号)')
    .requiredOption('--scope <rule-or-feed>', 'a rule id or a feed')
    .option('--record <key>', 'one record only: plate, credit code, employer')
    .option('--fingerprint <hex>', 'only while the evidence is unchanged (the flag’s fingerprint)')
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--by <who>', 'who decided')
    .option('--from <date>', 'valid from (default today)')
    .option('--until <date>', 'valid until (default: from + whitelist_default_months)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .action(async (o) => {
      const { addEntry } = await pipeline.whitelist();
      const r = await session('whitelist add', o, (s) =>
        addEntry(s.w, { state: s.state }, { personId: o.id, scope: o.scope, recordKey: o.record, fingerprint: o.fingerprint, reason: o.reason, addedBy: o.by, validFrom: o.from ?? today(), validUntil: o.until }, s.config.config),
      );
      process.stdout.write(r.added ? `added ${r.entryId}\n` : `unchanged: ${r.entryId} already exists\n`);
    });
  whitelist
    .command('list')
    .description('entries and their state (people shown by a hashed key)')
    .addOption(dataDirOption())
    .option('--json', 'print as JSON')
    .action(async (o) => {
      const { listEntries } = await pipeline.whitelist();
      print(await session('whitelist list', o, (s) => listEntries(s.w, today())), Boolean(o.json));
    });
  whitelist
    .command('revoke <entry-id>')
    .description('revoke an entry (it stays in the history)')
    .requiredOption('--by <who>', 'who revokes')
    .requiredOption('--reason <text>', 'why')
    .addOption(dataDirOption())
    .action(async (entryId, o) => {
      const { revokeEntry } = await pipeline.whitelist();
      await session('whitelist revoke', o, (s) => revokeEntry(s.w, s.state, entryId, o.by, o.reason));
      process.stdout.write(`revoked ${entryId}\n`);
    });
  whitelist
    .command('import <file>')
    .description('import entries from CSV or xlsx (身份证号,规则编号,记录,证据指纹,原因,登记人,生效日期,失效日期)')
    .option('--by <who>', 'who imports (for entries without 登记人)', 'import')
    .addOption(dataDirOption())
    .addOption(configOption())
    .action(async (file, o) => {
      const { importEntries } = await pipeline.whitelist();
      const r = await session('whitelist import', o, (s) => importEntries(s.w, s.state, resolve(file), s.config.config, o.by));
      process.stdout.write(`${r.file}: ${r.rows} rows, ${r.added} added, ${r.unchanged} unchanged, ${r.rejected.length} rejected\n`);
      for (const x of r.rejected) process.stdout.write(`  line ${x.line}: ${x.reason}\n`);
      if (r.rejected.length) process.exitCode = EXIT.failure;
    });
  whitelist
    .command('export <file>')
    .description('write all entries to a CSV or xlsx file')
    .option('--by <who>', 'who exports', 'export')
    .addOption(dataDirOption())
    .action(async (file, o) => {
      const { exportEntries } = await pipeline.whitelist();
      const n = await session('whitelist export', o, (s) => exportEntries(s.w, s.state, resolve(file), o.by));
      process.stdout.write(`${n} entries written to ${file}\n`);
    });

  const feedback = cli.command('feedback').description('counties’ returned workbooks (核实结果)');
  feedback
    .command('import <files...>')
    .description('read returned county workbooks: dispositions, whitelist entries for data errors; the last file imported for a county and period is its answer (importing an earlier file again makes it current again; the current one again is a no-op)')
    .option('--county <code>', 'refuse workbooks of any other county')
    .option('--received-on <date>', 'the day the workbooks reached the region (default today)')
    .option('--by <who>', 'who imports', 'import')
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--json', 'print the results as JSON')
    .action(async (files: string[], o) => {
      const [{ importFeedback }, { refreshPeriodIndex }] = await Promise.all([pipeline.feedback(), pipeline.periodIndex()]);
      const results = await session('feedback import', o, async (s) => {
        const out = [];
        try {
          for (const f of files) out.push(await importFeedback(s.w, resolve(f), { config: s.config.config, state: s.state, actor: o.by, expectCounty: o.county, receivedOn: o.receivedOn }));
        } finally {
          // the portal's status pages read each month's index.json, not the warehouse
          for (const period of new Set(out.flatMap((r) => (r.period ? [r.period] : [])))) await refreshPeriodIndex(s.w, s.dataDir, period, s.config.config);
        }
        return out;
      });
      if (o.json) print(results, true);
      else {
        for (const r of results) {
          process.stdout.write(
            r.status === 'refused'
              ? `${r.file}: refused — ${r.reason}\n`
              : `${r.file}: ${r.status === 'reinstated' ? 'reinstated (imported before; the current answer again, as first imported)' : r.status}, county ${r.county} ${r.period}: ${r.accepted} accepted, ${r.rejected.length} rejected, ${r.unanswered} unanswered, ${r.whitelisted} whitelisted${r.supersedes ? `; replaces ${r.supersedes}` : ''}\n`,
          );
          for (const x of r.rejected) process.stdout.write(`  row ${x.row}: ${x.reason}\n`);
        }
      }
      if (results.some((r) => r.status === 'refused' || r.rejected.length)) process.exitCode = EXIT.failure;
    });

  const requests = cli.command('requests').description('check requests for applicants (逢救必核): each answered with a 核对报告 within the deadline');
  requests
    .command('run')
    .description('read new request files from inbox/requests/<date>/ and answer every open request against the latest snapshot of every feed (nightly does this too)')
    .option('--today <date>', 'the day of the reports (default today, China Standard Time)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--json', 'print the report as JSON')
    .action(async (o) => {
      const { runRequests } = await pipeline.requestsRun();
      const report = await session('requests run', o, (s) => runRequests(s.w, s.dataDir, { config: s.config.config, state: s.state, actor: loginName(), today: o.today ?? today() }));
      if (o.json) return print(report, true);
      process.stdout.write(formatRequestsReport(report));
    });
  requests
    .command('status')
    .description('every request with its state: 核对中 (open), 逾期未出具 (overdue), 已出具 (answered), 逾期出具 (late), 退回 (refused, with row numbers and reasons)')
    .option('--county <code>', 'one county')
    .option('--as-of <date>', 'judge overdue as of this day (default today)')
    .option('--totals', 'per county: received, answered on time / late, open, overdue, refused')
    .addOption(dataDirOption())
    .option('--json', 'print as JSON')
    .action(async (o) => {
      const asOf = o.asOf ?? today();
      const { requestStatuses, requestTotals, REQUEST_STATE_TITLES } = await pipeline.requestsStatus();
      const rows = await session('requests status', o, (s) => requestStatuses(s.w, asOf, o.county));
      if (o.totals) return print(requestTotals(rows), Boolean(o.json));
      if (o.json) return print(rows, true);
      print(
        rows.map((r) => ({ county: `${r.county} ${r.countyName}`, request: r.requestNo, kind: r.kind, requested: r.requestedOn, due: r.dueOn, state: REQUEST_STATE_TITLES[r.state], answered: r.answeredOn ?? '', report: r.report ?? r.refusal ?? '' })),
        false,
      );
    });

  const assist = cli.command('assist').description('cross-province (跨省核对请求) and cross-league (协查请求) checks of members living outside their league: sent with each published month');
  assist
    .command('import <files...>')
    .description('read returned request workbooks: each answered row records its request’s 核对结果; a later answer to the same request replaces the earlier one')
    .option('--league <code>', 'refuse any workbook but this league’s 协查请求')
    .option('--received-on <date>', 'the day the answers reached the region (default today)')
    .option('--by <who>', 'who imports', 'import')
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--json', 'print the results as JSON')
    .action(async (files: string[], o) => {
      const { importAssistAnswers } = await pipeline.assistAnswers();
      const results = await session('assist import', o, async (s) => {
        const out = [];
        for (const f of files) out.push(await importAssistAnswers(s.w, resolve(f), { config: s.config.config, state: s.state, actor: o.by, expectLeague: o.league, receivedOn: o.receivedOn }));
        return out;
      });
      if (o.json) print(results, true);
      else {
        for (const r of results) {
          process.stdout.write(
            r.status === 'refused'
              ? `${r.file}: refused — ${r.reason}\n`
              : `${r.file}: ${r.status}, ${r.kind} ${r.targetCode} ${r.period}: ${r.accepted} answered, ${r.rejected.length} rejected, ${r.unanswered} unanswered\n`,
          );
          for (const x of r.rejected) process.stdout.write(`  row ${x.row}: ${x.reason}\n`);
        }
      }
      if (results.some((r) => r.status === 'refused' || r.rejected.length)) process.exitCode = EXIT.failure;
    });
  assist
    .command('status')
    .description('every request with its state: 未发出 (unsent), 待回复 (waiting), 逾期未回复 (overdue: past assist.cross_province_days / cross_league_days), 已回复 (answered), 已重新请求 (asked again after recheck_months)')
    .option('--period <YYYY-MM>', 'the requests of one month')
    .addOption(new Option('--kind <kind>', 'one kind').choices(['province', 'league']))
    .option('--target <code>', 'one place asked: a province (2 digits) or league (4 digits)')
    .option('--as-of <date>', 'judge overdue as of this day (default today)')
    .option('--totals', 'per place asked: requests, unsent, waiting, overdue, answered, superseded, answers reporting something (assist.found)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--json', 'print as JSON')
    .action(async (o) => {
      const asOf = o.asOf ?? today();
      const { assistStatuses, assistTotals, ASSIST_STATE_TITLES } = await pipeline.assistStatus();
      const { rows, config } = await session('assist status', o, async (s) => ({
        rows: await assistStatuses(s.w, s.config.config, asOf, { period: o.period, kind: o.kind, target: o.target }),
        config: s.config.config,
      }));
      if (o.totals) return print(assistTotals(rows, config), Boolean(o.json));
      if (o.json) return print(rows, true);
      print(
        rows.map((r) => ({ request: r.requestId, period: r.period, asked: `${r.targetCode} ${r.targetName}`, county: `${r.county} ${r.countyName}`, sent: r.sentOn ?? '', days: r.days ?? '', state: ASSIST_STATE_TITLES[r.state], answered: r.answeredOn ?? '', result: r.result ?? '' })),
        false,
      );
    });

  cli
    .command('kpi')
    .description('the 15-day record of a period’s flags per county and league (考核): each flag judged by its own due date')
    .requiredOption('--period <YYYY-MM>', 'the issuing month')
    .option('--as-of <date>', 'count answers received up to this day (default today)')
    .option('--league', 'league totals instead of counties')
    .option('--requests', "the record of check requests instead: those whose 委托日期 is in the month, per county — reports on time, late, open, overdue, refused")
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--json', 'print as JSON')
    .action(async (o) => {
      const asOf = o.asOf ?? today();
      if (o.requests) {
        const { parseMonth } = await import('../pipeline/period.ts');
        const month = parseMonth(o.period);
        const { requestStatuses, requestTotals } = await pipeline.requestsStatus();
        const statuses = await session('kpi', o, (s) => requestStatuses(s.w, asOf));
        if (!o.json) process.stdout.write(`check requests with 委托日期 in ${o.period}, as of ${asOf}: on time = the 核对报告 written on or before its due day (委托日期 + deadline days, the next working day)\n`);
        return print(requestTotals(statuses, month.start, month.end), Boolean(o.json));
      }
      const { kpiBasis, kpiByLeague, kpiReport } = await pipeline.kpi();
      const { rows, deadlineDays } = await session('kpi', o, async (s) => ({ rows: await kpiReport(s.w, o.period, asOf, s.config.config), deadlineDays: s.config.config.deadline_days }));
      if (!o.json) process.stdout.write(`${kpiBasis(o.period, asOf, deadlineDays)}\n`);
      print(o.league ? kpiByLeague(rows) : rows, Boolean(o.json));
    });

  cli
    .command('fixtures')
    .description('write synthetic sample data in the inbox layout, with its answer key')
    .addOption(new Option('--scale <scale>', 'how much').choices(['tiny', 'county', 'province']).default('tiny'))
    .option('--seed <n>', 'random seed (same seed, same bytes)', '1')
    .option('--period <YYYY-MM>', 'the month', '2026-10')
    .requiredOption('--out <dir>', 'where (a data folder)')
    .action(async (o) => {
      const { generateFixtures } = await import('../fixtures/generate/index.ts');
      const summary = await generateFixtures({ scale: o.scale, seed: Number(o.seed), period: o.period, out: resolve(o.out) });
      process.stdout.write(`fixtures (${o.scale}, seed ${o.seed}, ${o.period}) written to ${o.out}\n`);
      if (summary && typeof summary === 'object' && 'files' in summary) {
        for (const f of (summary as { files: { path: string; dataRows?: number }[] }).files) process.stdout.write(`  ${f.path}\n`);
      }
    });

  registerPortalCommands(cli);
  checkDateOptions(cli);
  return cli;
}

/** Words and exit codes for errors. Messages are ours (typed) and carry no personal data. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (e instanceof LockHeldError) return EXIT.locked;
  if (e instanceof GateHeldError) return EXIT.held;
  if (e instanceof UsageError || e instanceof ConfigError) return EXIT.usage;
  return EXIT.failure;
}

async function main(): Promise<void> {
  try {
    await program().parseAsync(process.argv);
  } catch (e) {
    const code = exitCodeOf(e);
    if (e instanceof CommanderError) {
      process.exitCode = code; // commander has already printed its message and the help
      return;
    }
    const message = e instanceof HeduiError ? e.message : `internal error (${(e as Error)?.name ?? 'unknown'}); see data/logs for the stage`;
    process.stderr.write(`hedui: ${message}\n`);
    process.exitCode = code;
  }
}

await main();
