/**
 * What every command shares, for cli/main.ts and cli/portal-commands.ts alike: the data-folder and
 * config options, the check that the data folder is one, the session a command runs in, calendar
 * date options, and printing (JSON or a plain text table).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../base/errors.ts';
import { startLogging } from '../base/log.ts';
import type { Session } from '../pipeline/run.ts';
import type { StateDb } from '../pipeline/state.ts';
import { todayInChina } from '../pipeline/period.ts';
import { formatTable } from './table.ts';

export const dataDirOption = () => new Option('--data-dir <dir>', 'the data folder (default: $HEDUI_DATA_DIR or ./data)');
export const configOption = () => new Option('--config <file>', 'region configuration (default: the shipped Inner Mongolia configuration)');
export const dataDirOf = (o: { dataDir?: string }) => resolve(o.dataDir ?? process.env.HEDUI_DATA_DIR ?? 'data');
/** Today where counties and departments live (UTC+8). */
export const today = () => todayInChina();

/**
 * The data folder of a command, refused (UsageError) unless it exists and holds the inbox or the
 * warehouse: a mistyped --data-dir must not start a new, empty data folder beside the real one.
 * Nothing is created before this check; only `hedui fixtures --out` makes a new data folder.
 */
export function existingDataDir(o: { dataDir?: string }): string {
  const dir = dataDirOf(o);
  const named = o.dataDir !== undefined ? `--data-dir ${dir}` : process.env.HEDUI_DATA_DIR ? `data folder ${dir} ($HEDUI_DATA_DIR)` : `data folder ${dir} (the default; give --data-dir)`;
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`${named}: no such folder (a data folder holds inbox/ and hedui.duckdb; hedui fixtures --out DIR writes a sample one)`);
  if (!stat.isDirectory()) throw new UsageError(`${named}: not a folder`);
  if (!existsSync(join(dir, 'inbox')) && !existsSync(join(dir, 'hedui.duckdb'))) {
    throw new UsageError(`${named}: not a hedui data folder, it holds neither inbox/ nor hedui.duckdb (create inbox/ in it for the departments' files)`);
  }
  return dir;
}

/** The data folder of a command about to run (checked as `existingDataDir`), with logging started there. */
export function commandDataDir(o: { dataDir?: string }): string {
  const dataDir = existingDataDir(o);
  startLogging(dataDir);
  return dataDir;
}

/**
 * Commands that only read: they take the lock and open the warehouse like the others but leave no
 * row in the run history, which keeps the history to what changed the data folder. Commands that
 * write audit rows (whitelist export) are recorded. The accounts and audit commands are not here:
 * they open only the state store (`withState`) and leave no run either.
 */
export const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set(['status', 'quarantine', 'kpi', 'whitelist list', 'requests status']);

/**
 * A command's session: check the data folder, start logging there, then lock, warehouse and run
 * history. `lockWaitMs`: how long to wait for another process's lock (default: refuse at once).
 */
export async function session<T>(command: string, o: { dataDir?: string; config?: string; period?: string; lockWaitMs?: number }, fn: (s: Session) => Promise<T>): Promise<T> {
  const dataDir = commandDataDir(o);
  const { withSession } = await import('../pipeline/run.ts'); // loaded when a command runs, not at start
  return withSession({ dataDir, configPath: o.config, command, period: o.period, recordRun: !READ_ONLY_COMMANDS.has(command), lockWaitMs: o.lockWaitMs }, fn);
}

/**
 * A command that needs only the state store (accounts, sessions, the audit trail): check the data
 * folder, start logging there, open state.sqlite, run, close. It never opens the warehouse or
 * takes its lock, so it works while the portal runs and while the nightly run holds the warehouse.
 */
export async function withState<T>(o: { dataDir?: string }, fn: (db: StateDb, dataDir: string) => T | Promise<T>): Promise<T> {
  const dataDir = commandDataDir(o);
  const { openState } = await import('../pipeline/state.ts');
  const db = openState(dataDir);
  try {
    return await fn(db, dataDir);
  } finally {
    db.close();
  }
}

/** A value of a `<date>` option: a real calendar day written YYYY-MM-DD (2026-02-30 is refused). */
export function calendarDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!day || day.toISOString().slice(0, 10) !== value) throw new InvalidArgumentError('expected a calendar date YYYY-MM-DD, e.g. 2026-11-30');
  return value;
}

/**
 * Every option of the program written `--x <date>` takes a calendar date: checked while commander
 * parses, so a bad one is a usage error (exit 2) naming the option before anything runs.
 */
export function checkDateOptions(cli: Command): void {
  for (const option of cli.options as Option[]) if (/<date>$/.test(option.flags)) option.argParser(calendarDate);
  for (const sub of cli.commands) checkDateOptions(sub);
}

/** JSON, or rows as a plain text table. */
export function print(value: unknown, json: boolean): void {
  if (!json && Array.isArray(value)) return void process.stdout.write(formatTable(value as Record<string, unknown>[]));
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
