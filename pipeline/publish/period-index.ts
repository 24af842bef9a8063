/**
 * A published month's index: everything the portal's status pages show about it, per county, as
 * one JSON file beside the workbooks (`out/<period>/index.json`). The portal computes its pages
 * from it in plain JS (portal/status.ts, portal/county-status.ts) and never opens the warehouse
 * while serving: the nightly run holds the warehouse's lock for minutes.
 *
 * Written by publish into the release folder before the symlink swap (workbooks and index become
 * visible together), rewritten after every feedback import (the CLI's and the portal's), and
 * written by `nightly` for months published before indexes existed. Deterministic: sorted, no
 * time of writing, so a re-run of a month on an unchanged warehouse gives the same bytes.
 *
 * What it may hold is what the pages may show: flag ids, household ids (户编号), rules, severities,
 * dates, counts, uploads (file name, account, times, refusal reason) and the refused rows of each
 * (sheet, row number, the importer's reason in words). No ID number, no name, no address, no
 * 核实说明 or 核实人 (free text a county typed), no client address.
 *
 *   { schema, period, issuedOn, dueOn, flagFields,
 *     counties: { <county code>: { flags: [[flagId, householdId, ruleId, severity, dueOn,
 *                                            answered, firstIssued, answeredOn, answer], …],
 *                                  imports: [{ importId, file, actor, …, rejections: [[sheet, row, reason], …] }, …] } } }
 *
 * Grain: one entry per county with an issued flag or an upload in the month (others are absent);
 * one flag row per issued flag of the month (carried-over ones included); one import per upload
 * filed under the county and month, newest first.
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../../config/config.ts';
import type { Severity } from '../../rules/define-rule.ts';
import { kpiFlags, type AnswerClass } from '../kpi.ts';
import { publicationDates, type IssueDates } from '../match.ts';
import { parseMonth } from '../period.ts';
import type { Warehouse } from '../warehouse.ts';
import { logger } from '../../base/log.ts';

/** Changes whenever the shape below changes; a reader refuses another one, nightly rewrites it. */
export const PERIOD_INDEX_SCHEMA = 'hedui-period-index-1';
export const PERIOD_INDEX_FILE = 'index.json';

/** The fields of a flag row, in order (written into the index too, so the file explains itself). */
export const FLAG_FIELDS = ['flagId', 'householdId', 'ruleId', 'severity', 'dueOn', 'answered', 'firstIssued', 'answeredOn', 'answer'] as const;

/**
 * One issued flag of the month, as an array (a province month holds ~10⁵ of them):
 * - answered: 1 when one of the county's current imports (of this month's workbook or an earlier
 *   one) gives it a closing answer (not config.feedback.open) — what the county's page counts;
 * - firstIssued: 1 when first issued in this month — the flags this month's record (KPI) counts;
 * - answeredOn, answer: for those, the day the earliest closing answer in a current import reached
 *   the region and its class (pipeline/kpi.ts, kpiFlags); null otherwise.
 */
export type IndexedFlag = [
  flagId: string,
  householdId: string,
  ruleId: string,
  severity: Severity,
  dueOn: string,
  answered: 0 | 1,
  firstIssued: 0 | 1,
  answeredOn: string | null,
  answer: AnswerClass | null,
];

/** One upload filed under the county and month (feedback_imports), with the rows it refused. */
export interface IndexedImport {
  importId: string;
  /** the file's name as imported (the portal saves `<sha256>.xlsx`) */
  file: string;
  /** the account or operator who sent it */
  actor: string;
  /** 'YYYY-MM-DD HH:MM:SS' */
  importedAt: string;
  /** 'YYYY-MM-DD': the day it reached the region */
  receivedOn: string;
  /** imported | refused */
  status: string;
  supersededBy: string | null;
  /** why refused (the importer's words, no personal data) */
  reason: string | null;
  accepted: number;
  rejected: number;
  unanswered: number;
  /** [sheet, sheet row, reason] by sheet and row */
  rejections: [sheet: string, row: number, reason: string][];
}

export interface CountyIndex {
  /** by due date, household, flag */
  flags: IndexedFlag[];
  /** newest first */
  imports: IndexedImport[];
}

export interface PeriodIndex {
  schema: typeof PERIOD_INDEX_SCHEMA;
  period: string;
  /** as the month's publication recorded them (pipeline/match.ts publicationDates); null: not published */
  issuedOn: string | null;
  dueOn: string | null;
  flagFields: typeof FLAG_FIELDS;
  /** by county code; a county with neither flags nor uploads is absent */
  counties: Record<string, CountyIndex>;
}

/**
 * The month's index from the warehouse. `publication`: the dates of a publication not yet recorded
 * (publish writes the index before it records them); default the recorded ones.
 */
export async function buildPeriodIndex(w: Warehouse, period: string, config: Config, publication?: IssueDates): Promise<PeriodIndex> {
  parseMonth(period);
  const dates = publication ?? (await publicationDates(w, period));
  const flags = await w.rows<{ county_code: string; flag_id: string; household_id: string; rule_id: string; severity: Severity; due_on: string; answered: boolean }>(
    'index:flags',
    `with issued as (
       select flag_id, household_id, rule_id, severity, county_code, due_on
       from flags
       where period = $period and status = 'issued'
     ),
     answered as (
       -- a closing answer in one of the county's current imports, from this period's workbook or an earlier one
       select distinct d.county_code, d.flag_id
       from dispositions d
       join feedback_imports i using (import_id)
       where i.status = 'imported' and i.superseded_by is null
         and not list_contains($open_results, d.result)
     )
     select i.county_code, i.flag_id, i.household_id, i.rule_id, i.severity, strftime(i.due_on, '%Y-%m-%d') as due_on, a.flag_id is not null as answered
     from issued i left join answered a on a.county_code = i.county_code and a.flag_id = i.flag_id
     order by i.county_code, i.due_on, i.household_id, i.flag_id`,
    { period, open_results: config.feedback.open },
  );
  const kpi = new Map((await kpiFlags(w, period, config)).map((f) => [f.flagId, f]));
  const imports = await w.rows<{
    county_code: string;
    import_id: string;
    file: string;
    actor: string;
    imported_at: string;
    received_on: string;
    status: string;
    superseded_by: string | null;
    reason: string | null;
    accepted: number;
    rejected: number;
    unanswered: number;
  }>(
    'index:imports',
    `select county_code, import_id, file, actor, strftime(imported_at, '%Y-%m-%d %H:%M:%S') as imported_at, strftime(received_on, '%Y-%m-%d') as received_on,
            status, superseded_by, reason, accepted, rejected, unanswered
     from feedback_imports
     where period = $period and county_code is not null
     -- the column, not the text of the same name above: two uploads within a second were listed in import_id order
     order by county_code, feedback_imports.imported_at desc, import_id`,
    { period },
  );
  // feedback_rejections.reason is the importer's own text (pipeline/feedback.ts: fixed words, a
  // header, a date or a count), never a cell's content
  const rejections = await w.rows<{ import_id: string; sheet: string; sheet_row: number; reason: string }>(
    'index:rejections',
    `select r.import_id, r.sheet, r.sheet_row, r.reason
     from feedback_rejections r join feedback_imports i using (import_id)
     where i.period = $period
     order by r.import_id, r.sheet, r.sheet_row`,
    { period },
  );

  const counties: Record<string, CountyIndex> = {};
  const countyOf = (code: string) => (counties[code] ??= { flags: [], imports: [] });
  for (const f of flags) {
    const k = kpi.get(f.flag_id);
    countyOf(f.county_code).flags.push([f.flag_id, f.household_id, f.rule_id, f.severity, f.due_on, f.answered ? 1 : 0, k ? 1 : 0, k?.answeredOn ?? null, k?.answer ?? null]);
  }
  const refused = new Map<string, IndexedImport['rejections']>();
  for (const r of rejections) refused.set(r.import_id, [...(refused.get(r.import_id) ?? []), [r.sheet, r.sheet_row, r.reason]]);
  for (const i of imports) {
    countyOf(i.county_code).imports.push({
      importId: i.import_id,
      file: i.file,
      actor: i.actor,
      importedAt: i.imported_at,
      receivedOn: i.received_on,
      status: i.status,
      supersededBy: i.superseded_by,
      reason: i.reason,
      accepted: i.accepted,
      rejected: i.rejected,
      unanswered: i.unanswered,
      rejections: refused.get(i.import_id) ?? [],
    });
  }
  // county codes are six digits: an object's integer-like keys iterate in ascending order, so the
  // JSON is sorted by code whatever order they were added in
  return { schema: PERIOD_INDEX_SCHEMA, period, issuedOn: dates?.issuedOn ?? null, dueOn: dates?.dueOn ?? null, flagFields: FLAG_FIELDS, counties };
}

/** Writes `path` whole or not at all: a temporary file in the same folder, flushed, renamed over it. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Writes `<dir>/index.json` for the month (atomically; `publication` as for buildPeriodIndex). */
export async function writePeriodIndex(w: Warehouse, dir: string, period: string, config: Config, publication?: IssueDates): Promise<void> {
  const index = await buildPeriodIndex(w, period, config, publication);
  await writeAtomically(join(dir, PERIOD_INDEX_FILE), JSON.stringify(index) + '\n');
}

/** Whether `period` names a month (YYYY-MM). A refused upload's period is whatever its workbook said. */
function isMonth(period: string): boolean {
  try {
    parseMonth(period);
    return true;
  } catch {
    return false;
  }
}

/** The folder a published month's files are in (what `out/<period>` points at), or undefined if not published. */
async function publishedFolder(dataDir: string, period: string): Promise<string | undefined> {
  if (!isMonth(period)) return undefined; // a path is built from it
  return realpath(join(dataDir, 'out', period)).catch(() => undefined);
}

/**
 * After a feedback import filed under `period`: rewrites the index of that month, if published, and
 * of every other published month holding a flag that a workbook of `period` answers (or answered,
 * before a newer file superseded it) — an answer closes a flag in every month it was carried into,
 * and counts for the record of the month it was first issued in. Returns the months rewritten.
 */
export async function refreshPeriodIndex(w: Warehouse, dataDir: string, period: string, config: Config): Promise<string[]> {
  if (!isMonth(period)) return [];
  const others = await w.rows<{ period: string }>(
    'index:periods-answered',
    `select distinct period from flags
     where period <> $period and status = 'issued' and flag_id in (select flag_id from dispositions where period = $period)
     order by period`,
    { period },
  );
  const written: string[] = [];
  for (const p of [period, ...others.map((o) => o.period)]) {
    const folder = await publishedFolder(dataDir, p);
    if (!folder) continue;
    await writePeriodIndex(w, folder, p, config);
    written.push(p);
  }
  return written;
}

/** Whether `<folder>/index.json` is there and of the current schema (its first key; the writer puts it first). */
async function hasCurrentIndex(folder: string): Promise<boolean> {
  const head = `{"schema":${JSON.stringify(PERIOD_INDEX_SCHEMA)},`;
  const file = await open(join(folder, PERIOD_INDEX_FILE), 'r').catch(() => undefined);
  if (!file) return false;
  try {
    const buffer = Buffer.alloc(head.length);
    await file.read(buffer, 0, head.length, 0);
    return buffer.toString('utf8') === head;
  } finally {
    await file.close();
  }
}

/**
 * Writes the index of every published month (`out/<YYYY-MM>`) that has none or one of an older
 * schema: data folders published before indexes existed, or by an older version. Returns those months.
 */
export async function indexPublishedPeriods(w: Warehouse, dataDir: string, config: Config): Promise<string[]> {
  const written: string[] = [];
  const names = await readdir(join(dataDir, 'out')).catch(() => [] as string[]);
  for (const period of names.filter((n) => /^\d{4}-\d{2}$/.test(n)).sort()) {
    const entry = await lstat(join(dataDir, 'out', period));
    if (!entry.isSymbolicLink() && !entry.isDirectory()) continue;
    const folder = await publishedFolder(dataDir, period);
    if (!folder || (await hasCurrentIndex(folder))) continue;
    await writePeriodIndex(w, folder, period, config);
    written.push(period);
  }
  if (written.length) logger().info({ periods: written }, 'period indexes written');
  return written;
}

// One parsed index per month folder, kept while the file is the same one (the portal serves many
// pages from it and parses it once per change).
const cache = new Map<string, { real: string; ino: number; mtimeMs: number; size: number; index: PeriodIndex | undefined }>();

/**
 * The published month's index (`<dataDir>/out/<period>/index.json`), or undefined when the month is
 * not published, has no index yet, or one of another schema (nightly rewrites those). Parsed once
 * per change of the file: cached by its real path, inode, mtime and size.
 */
export async function readPeriodIndex(dataDir: string, period: string): Promise<PeriodIndex | undefined> {
  parseMonth(period); // a path is built from it: refuse what is not a month
  return readIndex(dataDir, period, true);
}

async function readIndex(dataDir: string, period: string, retry: boolean): Promise<PeriodIndex | undefined> {
  const path = join(dataDir, 'out', period, PERIOD_INDEX_FILE);
  const real = await realpath(path).catch(() => undefined);
  const st = real && (await stat(real).catch(() => undefined));
  if (!real || !st) {
    cache.delete(path);
    return undefined;
  }
  const hit = cache.get(path);
  if (hit && hit.real === real && hit.ino === st.ino && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.index;
  const text = await readFile(real, 'utf8').catch((e: NodeJS.ErrnoException) => {
    // a new release swapped in and the old folder removed between the two calls: read the new one
    if (e.code === 'ENOENT' && retry) return undefined;
    throw e;
  });
  if (text === undefined) return readIndex(dataDir, period, false);
  const parsed = JSON.parse(text) as PeriodIndex;
  const index = parsed.schema === PERIOD_INDEX_SCHEMA && parsed.period === period ? parsed : undefined;
  cache.set(path, { real, ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, index });
  return index;
}
