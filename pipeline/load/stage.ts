/**
 * Stages one department file: decode → map headers → DuckDB read_csv (every column VARCHAR) →
 * generic checks → the feed's staging SQL → duplicates → one Parquet file of every row read with
 * its problem (the staged file) and the quarantine rows, with the row accounting
 * read = staged + quarantined checked for every file.
 *
 * A file that cannot be read at all, whose quarantined share passes the gate, that disagrees with
 * its control file (control.ts) or that re-sends the records of a file already staged (resent.ts)
 * is rejected whole: a loads row says why and nothing of it is staged. The caller runs this inside
 * a transaction, so a crash never leaves half a file.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FeedAdapter } from '../../adapters/feed.ts';
import type { ColumnSpec } from '../../adapters/columns.ts';
import { decodeFile, type DecodedFile } from './decode.ts';
import { matchHeader } from './sheets.ts';
import { lineShifts, type LineShift } from './lines.ts';
import { genericChecksSql } from './checks.ts';
import { checkControlDigests, controlCountProblem, readControlFile, type ControlFileRef } from './control.ts';
import { DEFAULT_MAX_RESENT_SHARE, markResentRows, type ResentCheck } from './resent.ts';
import type { Warehouse } from '../warehouse.ts';
import { ident, literal } from '../sql.ts';
import { STAGED_PARQUET, stagedFileOf, stagedRoot } from '../staged.ts';
import { FileRejectedError, WarehouseError } from '../../base/errors.ts';
import { logger } from '../../base/log.ts';

export interface SourceFile {
  feed: FeedAdapter;
  period: string;
  path: string;
  /** path relative to the data folder: what messages and tables name */
  relPath: string;
  sha256: string;
  bytes: number;
  mtimeMs: number;
  /** its control file (`<name>.ok` / `<name>.chk`), when the delivery has one */
  control?: ControlFileRef;
}

export interface StageOutcome {
  loadId: string;
  file: string;
  status: 'staged' | 'rejected';
  reason?: string;
  rowsRead: number;
  rowsStaged: number;
  rowsQuarantined: number;
  format?: string;
  encoding?: string;
  /** the staged Parquet file, relative to the data folder (staged files only) */
  stagedFile?: string;
  /** workbooks: rows above the header, trailing footer rows set aside, the sheets read (decode.ts, sheets.ts) */
  rowsAboveHeader?: number;
  footerRows?: number;
  sheets?: string;
  /** what a person should know of a load that was read: a footer's count that disagrees with the rows read */
  note?: string;
}

/**
 * A load is a file's content in a feed and period, and its control file's content when it has one:
 * a control file that arrives or changes after the file was loaded makes it a new load, which
 * checks the file again (the earlier load is superseded, as for any file that left the folder).
 */
export const loadIdOf = (f: SourceFile) =>
  `${f.feed.id}:${f.period}:${f.sha256.slice(0, 16)}${f.control ? `:${f.control.sha256.slice(0, 16)}` : ''}`;

/** Which column of the file holds each staged column; fails the file naming a missing required column. */
export function mapHeaders(columns: readonly ColumnSpec[], header: string[], file: string): Map<string, number> {
  const { mapping, missing } = matchHeader(columns, header);
  if (missing.length) throw new FileRejectedError(file, `缺少必需列 ${missing.join('、')} (missing required column)`);
  return mapping;
}

export interface PreparedFile {
  file: SourceFile;
  outcome: StageOutcome;
  /**
   * The checked rows, every one of them with its `problem` (NULL for a clean row), as a Parquet
   * file: absolute path; under a temporary name until writeStagedFile gives it its staged name.
   */
  checkedPath?: string;
}

/** Starts decoding a file (see decode.ts); the loader starts these early so JS decoding overlaps DuckDB's work. */
export function startDecode(file: SourceFile, tmpDir: string): Promise<DecodedFile> {
  return decodeFile(file.path, file.relPath, tmpDir, file.sha256.slice(0, 16), file.feed.columns);
}

/**
 * Reads and checks a file, writing its checked rows to a temporary Parquet file and nothing to the
 * warehouse: a file that cannot be read fails here, outside the caller's transaction, and becomes
 * a rejected outcome.
 *
 * The rows go from the check straight to Parquet in one pass: holding them in a temp table first
 * and copying the clean ones out cost more time and held them all in memory (docs/measured-choices.md).
 */
export async function prepareFile(
  w: Warehouse,
  file: SourceFile,
  decoding: Promise<DecodedFile>,
  maxQuarantineShare: number,
  resent: ResentCheck = { maxShare: DEFAULT_MAX_RESENT_SHARE, peers: [] },
): Promise<PreparedFile> {
  const feed = file.feed;
  const loadId = loadIdOf(file);
  const checkedPath = join(stagedRoot(w), `${stagedFileOf(feed, loadId)}.tmp`);
  let decoded: DecodedFile | undefined;
  let read = 0;
  try {
    decoded = await decoding;
    // the loader waited for this file's background hashing and decoding up to here
    logger().debug({ feed: feed.id, file: file.relPath }, 'file ready');
    const control = file.control && (await readControlFile(file.control, file.relPath));
    if (control) await checkControlDigests(control, file.control!, file);
    const mapping = mapHeaders(feed.columns, decoded.header, file.relPath);
    await readRaw(w, file, decoded);
    read = (await w.one<{ n: number }>(`${feed.id}:count`, 'select count(*)::integer as n from raw_file'))!.n;
    // a file cut after a whole row reads cleanly: only the sender's count tells
    const countProblem = control && controlCountProblem(control, file.control!, read);
    if (countProblem) throw new FileRejectedError(file.relPath, countProblem);
    if (read === 0) throw new FileRejectedError(file.relPath, '没有数据行 (the file has a header but no data rows)');
    const shifts = decoded.hasLineColumn ? [] : await lineShifts(file.path, decoded.lines, read);
    await createRawFeed(w, file, decoded, mapping, shifts);
    await w.exec(`${feed.id}:typed`, `create or replace temp view typed_${feed.table.slice(4)} as ${genericChecksSql(feed.columns, 'raw_feed')}`);
    await mkdir(dirname(checkedPath), { recursive: true });
    await w.exec(
      `${feed.id}:check`,
      // exact duplicates: every row after the first with the same hash of all its fields
      `copy (
         with duplicated as (
           select row_hash, min(line) as first_line from raw_feed group by row_hash having count(*) > 1
         )
         select ${literal(loadId)} as load_id, staged.* exclude (problem, row_hash),
           coalesce(staged.problem, case when staged.line > duplicated.first_line then 'duplicate_row|' end) as problem
         from (${feed.stagingSql}) staged
         left join duplicated using (row_hash)
       ) to ${literal(checkedPath)} ${STAGED_PARQUET}`,
    );
    let counts = await countChecked(w, file, checkedPath, read);
    const again = await markResentRows(w, feed.id, checkedPath, read, resent);
    if (again.reason) {
      await rm(checkedPath, { force: true });
      return {
        file,
        outcome: { loadId, file: file.relPath, status: 'rejected', reason: again.reason, rowsRead: read, rowsStaged: 0, rowsQuarantined: 0, format: decoded.format, encoding: decoded.encoding, ...workbookOutcome(file, decoded) },
      };
    }
    if (again.duplicates > 0) counts = await countChecked(w, file, checkedPath, read);
    // records another staged file holds are no fault of this file's rows: they do not count towards the gate
    const share = (counts.quarantined - again.duplicates) / read;
    const rejected = share > maxQuarantineShare;
    return {
      file,
      checkedPath,
      outcome: {
        loadId,
        file: file.relPath,
        status: rejected ? 'rejected' : 'staged',
        reason: rejected
          ? `问题行占比 ${(share * 100).toFixed(1)}% 超过 ${(maxQuarantineShare * 100).toFixed(0)}%，整个文件退回 (quarantined share ${counts.quarantined - again.duplicates}/${read} exceeds the gate)`
          : undefined,
        rowsRead: read,
        rowsStaged: rejected ? 0 : counts.clean,
        rowsQuarantined: counts.quarantined,
        format: decoded.format,
        encoding: decoded.encoding,
        ...workbookOutcome(file, decoded),
      },
    };
  } catch (e) {
    await rm(checkedPath, { force: true });
    if (!(e instanceof FileRejectedError)) throw e;
    return {
      file,
      outcome: {
        loadId,
        file: file.relPath,
        status: 'rejected',
        reason: e.message.slice(file.relPath.length + 2),
        rowsRead: read,
        rowsStaged: 0,
        rowsQuarantined: 0,
        format: decoded?.format,
        encoding: decoded?.encoding,
        ...workbookOutcome(file, decoded),
      },
    };
  } finally {
    await w.exec('cleanup-raw', 'drop view if exists raw_feed; drop table if exists raw_file; drop table if exists line_shifts');
  }
}

/** What a workbook's reading adds to its outcome (sheets.ts): none for CSV text. */
function workbookOutcome(file: SourceFile, decoded: DecodedFile | undefined): Pick<StageOutcome, 'rowsAboveHeader' | 'footerRows' | 'sheets' | 'note'> {
  const s = decoded?.sheets;
  if (!s) return {};
  const note = s.notes.length ? s.notes.join('; ') : undefined;
  // the sheet names and counts only: no cell of the file
  if (note) logger().warn({ feed: file.feed.id, file: file.relPath, sheets: s.sheets, footerRows: s.footerRows }, 'footer count differs from the rows read');
  return { rowsAboveHeader: s.rowsAboveHeader, footerRows: s.footerRows, sheets: s.sheets.join(', '), note };
}

/** Clean and quarantined rows of a checked file; every row read is one of them, once (the check's joins lost or doubled none). */
async function countChecked(w: Warehouse, file: SourceFile, checkedPath: string, read: number): Promise<{ clean: number; quarantined: number }> {
  const counts = (await w.one<{ clean: number; quarantined: number }>(
    `${file.feed.id}:counts`,
    `select count(*) filter (where problem is null)::integer as clean, count(problem)::integer as quarantined from read_parquet(${literal(checkedPath)})`,
  ))!;
  if (counts.clean + counts.quarantined !== read) {
    throw new WarehouseError(`row accounting failed for ${file.relPath}: read ${read}, clean ${counts.clean}, quarantined ${counts.quarantined}`);
  }
  return counts;
}

/**
 * Gives a staged file's checked rows their staged name (a rename: the file either is whole or is
 * not there). Run before the transaction that records the load; a file no staged load names is
 * removed by the next load. The stg_/snap_ views read its clean rows (pipeline/staged.ts).
 */
export async function writeStagedFile(w: Warehouse, p: PreparedFile): Promise<void> {
  const { file, outcome, checkedPath } = p;
  if (!checkedPath || outcome.status !== 'staged') return;
  const relPath = stagedFileOf(file.feed, outcome.loadId);
  const path = join(stagedRoot(w), relPath);
  await rename(checkedPath, path);
  p.checkedPath = path;
  outcome.stagedFile = relPath;
}

/** Records a prepared file: its quarantine rows and its loads row. Run inside a transaction. */
export async function commitFile(w: Warehouse, p: PreparedFile): Promise<void> {
  const { file, outcome, checkedPath } = p;
  // a load seen before (a file put back, a control file removed again) replaces its loads row: its quarantine rows too
  await w.exec(`${file.feed.id}:quarantine-clear`, 'delete from quarantine where load_id = $load_id', { load_id: outcome.loadId });
  if (checkedPath) {
    await w.exec(
      `${file.feed.id}:quarantine`,
      `insert into quarantine select $load_id, $feed, $file, line, split_part(problem, '|', 1), nullif(split_part(problem, '|', 2), '')
       from read_parquet(${literal(checkedPath)}) where problem is not null`,
      { load_id: outcome.loadId, feed: file.feed.id, file: file.relPath },
    );
  }
  await recordLoad(w, file, outcome);
}

/** Removes what a prepared file left that no load names: the checked rows of a rejected file. */
export async function dropPrepared(p: PreparedFile): Promise<void> {
  if (p.checkedPath && !p.outcome.stagedFile) await rm(p.checkedPath, { force: true });
}

/**
 * DuckDB reads the (decoded) CSV into raw_file, every column VARCHAR, in the file's order, with
 * `row_hash`: the hash of all its fields as read, by which the check finds exact duplicates. It is
 * computed here once: as an expression of raw_feed it was computed twice, once for the duplicates
 * and once for the rows, each pass also reading every column (docs/measured-choices.md).
 */
async function readRaw(w: Warehouse, file: SourceFile, decoded: DecodedFile): Promise<void> {
  const offset = decoded.hasLineColumn ? 1 : 0;
  const width = decoded.header.length + offset;
  const columns = Array.from({ length: width }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const dataCols = Array.from({ length: decoded.header.length }, (_, i) => `c${i + offset}`);
  try {
    // The line number of a CSV row is its rowid in raw_file: this one statement must keep the
    // file's order. Everything else may write in any order (the warehouse's default).
    await w.exec('order:keep', 'set preserve_insertion_order = true');
    await w.exec(
      `${file.feed.id}:read_csv`,
      `create or replace temp table raw_file as select *, hash(${dataCols.join(', ')}) as row_hash from read_csv(${literal(decoded.csvPath)},
         header = false, skip = 1, all_varchar = true, auto_detect = false, columns = {${columns}},
         delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false)`,
    );
  } catch (e) {
    // DuckDB's CSV errors quote the offending line: keep only the line number and the kind of fault.
    const message = (e as Error).message;
    const line = /on Line: (\d+)/i.exec(message)?.[1];
    const where = line ? `第 ${line} 行：` : '';
    const kind = /Expected Number of Columns/i.test(message)
      ? '列数与表头不符，文件可能被截断或分隔符有误 (column count differs from the header: truncated or malformed)'
      : /quote/i.test(message)
        ? '引号不成对 (unterminated quote)'
        : /unicode|utf-?8/i.test(message)
          ? '含有无效的 UTF-8 字节 (invalid UTF-8)'
          : 'CSV 格式错误 (malformed CSV)';
    throw new FileRejectedError(file.relPath, `${where}${kind}`);
  } finally {
    await w.exec('order:free', 'set preserve_insertion_order = false');
  }
}

/**
 * raw_feed: the staged names over raw_file, each row with its line: the sheet row for xlsx; for
 * CSV the record's rowid + 2, moved by the shifts where empty lines or values holding line breaks
 * put records further down the file (lines.ts).
 */
async function createRawFeed(w: Warehouse, file: SourceFile, decoded: DecodedFile, mapping: Map<string, number>, shifts: LineShift[]): Promise<void> {
  const offset = decoded.hasLineColumn ? 1 : 0;
  const select = file.feed.columns.map((col) => {
    const index = mapping.get(col.name);
    return index === undefined ? `null::varchar as ${ident(col.name)}` : `nullif(${trimmed(`c${index + offset}`)}, '') as ${ident(col.name)}`;
  });
  let line = decoded.hasLineColumn ? 'c0::integer' : '(rowid + 2)::integer';
  let from = 'raw_file';
  if (shifts.length) {
    await w.exec(
      `${file.feed.id}:line-shifts`,
      `create or replace temp table line_shifts as
       select unnest(from_json($from, '["BIGINT"]')) as from_record, unnest(from_json($delta, '["INTEGER"]')) as delta`,
      { from: JSON.stringify(shifts.map((s) => s.fromRecord)), delta: JSON.stringify(shifts.map((s) => s.delta)) },
    );
    line = '(raw_file.rowid + 2 + coalesce(line_shifts.delta, 0))::integer';
    from = 'raw_file asof left join line_shifts on raw_file.rowid >= line_shifts.from_record';
  }
  await w.exec(
    `${file.feed.id}:raw`,
    `create or replace temp view raw_feed as select ${line} as line, raw_file.row_hash, ${select.join(', ')} from ${from}`,
  );
}

/**
 * A value without the spaces around it. DuckDB's trim() (Unicode space separators) copies every
 * value, trimmed or not, a cost paid on every value of every file (docs/measured-choices.md). Prefix and suffix
 * tests are byte comparisons, so only values that begin or end with a space exports carry (ASCII
 * space, no-break space, ideographic space) are trimmed. One that begins and ends with another
 * space separator only (U+2002 and the like) is kept as written; ID numbers and dates clean their
 * own text whatever it holds (domain/).
 */
function trimmed(column: string): string {
  const ends = [' ', '\u00a0', '\u3000'].flatMap((space) => [`${column} like '${space}%'`, `${column} like '%${space}'`]);
  return `case when ${ends.join(' or ')} then trim(${column}) else ${column} end`;
}

async function recordLoad(w: Warehouse, file: SourceFile, o: StageOutcome): Promise<void> {
  await w.exec(
    'record-load',
    `insert or replace into loads (load_id, feed, period, file, sha256, bytes, mtime_ms, format, encoding, rows_read, rows_staged, rows_quarantined, status, reason, loaded_at, staged_file,
       rows_above_header, footer_rows, sheets, note)
     values ($load_id, $feed, $period, $file, $sha256, $bytes, $mtime, $format, $encoding, $read, $staged, $quarantined, $status, $reason, now(), $staged_file,
       $rows_above_header, $footer_rows, $sheets, $note)`,
    {
      load_id: o.loadId,
      feed: file.feed.id,
      period: file.period,
      file: file.relPath,
      sha256: file.sha256,
      bytes: file.bytes,
      mtime: Math.round(file.mtimeMs),
      format: o.format ?? null,
      encoding: o.encoding ?? null,
      read: o.rowsRead,
      staged: o.rowsStaged,
      quarantined: o.rowsQuarantined,
      status: o.status,
      reason: o.reason ?? null,
      staged_file: o.stagedFile ?? null,
      rows_above_header: o.rowsAboveHeader ?? null,
      footer_rows: o.footerRows ?? null,
      sheets: o.sheets ?? null,
      note: o.note ?? null,
    },
  );
}

