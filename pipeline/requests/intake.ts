/**
 * Taking check requests in (逢救必核, docs/check-requests.md): every file of
 * `inbox/requests/<YYYY-MM-DD>/` (the day it was received), or of `inbox/requests/<date>/<county>/`
 * (the portal puts a county account's upload there: its requests must be that county's), is read
 * once by the loader's own reading and checks (pipeline/load/stage.ts) and recorded:
 *   request_files       the file, read or rejected whole (unreadable, a required column missing)
 *   check_requests      one row per request (county, 委托编号): open, or refused with its reasons
 *   check_request_rows  every row read, with its problem
 * A request is refused whole when any of its rows has a problem — a member without a signed
 * authorization above all: nothing is matched for a family one of whose members has not agreed
 * (law 1). A row that names no request it could belong to is kept with its problem only.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Config } from '../../config/config.ts';
import { countyOf } from '../../domain/divisions.ts';
import type { Warehouse } from '../warehouse.ts';
import type { StateDb } from '../state.ts';
import { recordAudit } from '../audit.ts';
import { isDeliveredFile, sha256Of } from '../load/inbox.ts';
import { prepareFile, startDecode, type SourceFile } from '../load/stage.ts';
import { literal } from '../sql.ts';
import { issueDates } from '../match.ts';
import { quarantineReasonText } from '../quarantine-reasons.ts';
import { logger } from '../../base/log.ts';
import { REQUEST_REASON_TEXTS, requestColumns, requestForm } from './form.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Why a file none of whose rows names a request is rejected (for the county: the portal shows it). */
const NO_REQUEST = '没有可识别的委托：每行须有委托单位和委托编号';

export interface RequestFileOutcome {
  file: string;
  status: 'read' | 'rejected';
  reason?: string;
  rowsRead: number;
  /** requests recorded open, and refused */
  open: number;
  refused: number;
}

export interface IntakeOptions {
  config: Config;
  state: StateDb;
  /** who: the operator, or 'nightly' */
  actor: string;
}

/** A delivered request file: its day folder and, when the portal put it there, its county folder. */
interface RequestFile {
  path: string;
  relPath: string;
  receivedOn: string;
  folderCounty?: string;
}

/** The files of inbox/requests/, oldest day first. */
export async function listRequestFiles(dataDir: string): Promise<RequestFile[]> {
  const root = join(dataDir, 'inbox', 'requests');
  const files: RequestFile[] = [];
  const filesIn = async (dir: string, receivedOn: string, folderCounty?: string) => {
    for (const e of (await readdir(dir, { withFileTypes: true }).catch(() => [])).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isFile() && isDeliveredFile(e.name)) files.push({ path: join(dir, e.name), relPath: relative(dataDir, join(dir, e.name)), receivedOn, folderCounty });
      else if (e.isDirectory() && !folderCounty && countyOf(e.name)?.code === e.name) await filesIn(join(dir, e.name), receivedOn, e.name);
    }
  };
  for (const day of (await readdir(root).catch(() => [] as string[])).filter((d) => DAY.test(d)).sort()) await filesIn(join(root, day), day);
  return files;
}

interface FormRow {
  line: number;
  request_key: string | null;
  request_no: string | null;
  county_code: string | null;
  requested_on: string | null;
  kind: string | null;
  program: string | null;
  program_urban_rural: string | null;
  household_ref: string | null;
  person_id: string | null;
  is_applicant: boolean | null;
  problem: string | null;
}

interface DecidedRequest {
  key: string;
  /** the county it is recorded under: its 委托单位, or the county folder's when it named another */
  county: string;
  rows: FormRow[];
  /** the rows' problems and the request's own, in words with their codes; empty: open */
  refusal: string[];
  /** the request's own problem, recorded on its rows that have none */
  ownProblem?: string;
}

/** 第3行 成员未签署核对授权书 (missing_authorization): a row's problem as a county reads it. */
export function problemText(problem: string, line?: number): string {
  const [code, field] = problem.split('|');
  const text = REQUEST_REASON_TEXTS[code] ? `${REQUEST_REASON_TEXTS[code]} (${code})` : quarantineReasonText(code);
  const column = requestColumns.find((c) => c.name === field)?.headers[0];
  return `${line === undefined ? '' : `第${line}行 `}${text}${column ? `：${column}` : ''}`;
}

/**
 * What becomes of each request of a file (pure): refused when a row has a problem, when its rows
 * disagree on the request's fields, when it is dated after the day it was received, when it has no
 * single applicant (本人), when a member appears twice, when it is not the county folder's, or when
 * its 委托编号 was already answered.
 */
export function decideRequests(rows: FormRow[], file: Pick<RequestFile, 'folderCounty' | 'receivedOn'>, answered: ReadonlySet<string>): DecidedRequest[] {
  const byKey = new Map<string, FormRow[]>();
  for (const r of rows) if (r.request_key) byKey.set(r.request_key, [...(byKey.get(r.request_key) ?? []), r]);
  return [...byKey.entries()].map(([key, of]) => {
    const refusal = of.filter((r) => r.problem).map((r) => problemText(r.problem!, r.line));
    const first = of[0];
    const same = (f: (r: FormRow) => unknown) => of.every((r) => r.problem || f(r) === f(first));
    let ownProblem: string | undefined;
    if (file.folderCounty && first.county_code !== file.folderCounty) ownProblem = 'county_folder|county_code';
    else if (answered.has(key)) ownProblem = 'already_answered|request_no';
    else if (!same((r) => r.requested_on) || !same((r) => r.kind) || !same((r) => `${r.program}|${r.program_urban_rural}`)) ownProblem = 'inconsistent_request|requested_on';
    else if (first.requested_on !== null && first.requested_on > file.receivedOn) ownProblem = 'requested_after_receipt|requested_on';
    else if (of.filter((r) => r.is_applicant).length !== 1) ownProblem = 'no_applicant|relation';
    else if (new Set(of.map((r) => r.person_id)).size !== of.length) ownProblem = 'duplicate_member|person_id';
    if (ownProblem) refusal.unshift(problemText(ownProblem));
    // a request in a county's folder that names another county is the folder county's to see refused
    const county = ownProblem === 'county_folder|county_code' ? file.folderCounty! : first.county_code!;
    return { key: `${county}/${first.request_no}`, county, rows: of, refusal, ownProblem };
  });
}

/** Reads every request file not read before; returns what became of each. */
export async function takeRequests(w: Warehouse, dataDir: string, options: IntakeOptions): Promise<RequestFileOutcome[]> {
  const outcomes: RequestFileOutcome[] = [];
  // a file is read once; the same content in a county's folder is read again, as that county's
  const recorded = await w.rows<{ file: string; bytes: number; mtime_ms: number; sha256: string; folder_county: string | null }>(
    'requests:known',
    'select file, bytes::double as bytes, mtime_ms::double as mtime_ms, sha256, folder_county from request_files',
  );
  const known = new Set(recorded.map((r) => `${r.sha256}|${r.folder_county ?? ''}`));
  const unchanged = new Set(recorded.map((r) => `${r.file}|${r.bytes}|${r.mtime_ms}`));
  const tmpDir = join(dataDir, 'tmp', 'requests');
  for (const f of await listRequestFiles(dataDir)) {
    const s = await stat(f.path);
    if (unchanged.has(`${f.relPath}|${s.size}|${Math.round(s.mtimeMs)}`)) continue; // read before: not even hashed again
    const sha256 = await sha256Of(f.path);
    const seen = `${sha256}|${f.folderCounty ?? ''}`;
    if (known.has(seen)) continue;
    known.add(seen);
    await mkdir(tmpDir, { recursive: true });
    const outcome = await takeFile(w, f, { sha256, bytes: s.size, mtimeMs: s.mtimeMs }, tmpDir, options).finally(() => rm(tmpDir, { recursive: true, force: true }));
    outcomes.push(outcome);
    logger().info({ file: f.relPath, status: outcome.status, rows: outcome.rowsRead, open: outcome.open, refused: outcome.refused }, 'check requests read');
    recordAudit(options.state, {
      actor: options.actor,
      action: outcome.status === 'read' ? 'requests.receive' : 'requests.reject',
      subject: f.relPath,
      detail: outcome.status === 'read' ? `${outcome.rowsRead} rows, ${outcome.open} open, ${outcome.refused} refused` : outcome.reason,
    });
  }
  return outcomes;
}

async function takeFile(w: Warehouse, f: RequestFile, content: { sha256: string; bytes: number; mtimeMs: number }, tmpDir: string, options: IntakeOptions): Promise<RequestFileOutcome> {
  const source: SourceFile = { feed: requestForm, period: f.receivedOn, path: f.path, relPath: f.relPath, ...content };
  // a request is refused by its own rows, never a file by its share of bad rows
  const prepared = await prepareFile(w, source, startDecode(source, tmpDir), 1);
  const record = (status: 'read' | 'rejected', reason: string | null, rowsRead: number, requests: number) =>
    w.exec('requests:file', 'insert or replace into request_files values ($file, $sha256, $bytes, $mtime_ms, $received_on, $folder_county, $status, $reason, $rows, $requests, now())', {
      file: f.relPath,
      sha256: content.sha256,
      bytes: content.bytes,
      mtime_ms: Math.round(content.mtimeMs),
      received_on: f.receivedOn,
      folder_county: f.folderCounty ?? null,
      status,
      reason,
      rows: rowsRead,
      requests,
    });
  const checked = prepared.checkedPath;
  if (!checked || prepared.outcome.status === 'rejected') {
    await record('rejected', prepared.outcome.reason ?? 'rejected', prepared.outcome.rowsRead, 0);
    return { file: f.relPath, status: 'rejected', reason: prepared.outcome.reason, rowsRead: prepared.outcome.rowsRead, open: 0, refused: 0 };
  }
  try {
    const rows = await w.rows<FormRow>(
      'requests:rows',
      `select line, request_key, request_no, county_code, strftime(requested_on, '%Y-%m-%d') as requested_on, kind, program, program_urban_rural,
              household_ref, person_id, is_applicant, problem
       from read_parquet(${literal(checked)}) order by line`,
    );
    const answered = new Set((await w.rows<{ request_key: string }>('requests:answered', "select request_key from check_requests where status = 'answered'")).map((r) => r.request_key));
    const decided = decideRequests(rows, f, answered);
    await w.transaction('requests:record', async () => {
      // each row with its own problem, or its request's
      const own = decided.filter((d) => d.ownProblem).flatMap((d) => d.rows.map((r) => `(${r.line}, ${literal(d.ownProblem!)}, ${literal(d.key)})`));
      await w.exec(
        'requests:rows',
        `insert into check_request_rows
         select $file, c.line, coalesce(own.request_key, c.request_key), c.person_id, c.name, c.relation, c.is_applicant, c.authorization_signed_on,
                coalesce(c.problem, own.problem)
         from read_parquet(${literal(checked)}) c
         left join (${own.length ? `values ${own.join(', ')}` : 'select null::integer, null::varchar, null::varchar where false'}) own(line, problem, request_key) using (line)`,
        { file: f.relPath },
      );
      for (const d of decided) {
        const first = d.rows.find((r) => !r.problem) ?? d.rows[0];
        // a later file with the same request, before it is answered, corrects it
        await w.exec('requests:replace', "update check_requests set status = 'replaced' where request_key = $key and status in ('open', 'refused')", { key: d.key });
        const requestedOn = first.requested_on ?? f.receivedOn;
        await w.exec(
          'requests:insert',
          `insert into check_requests values ($key, $county, $no, $file, $received_on, $requested_on, $due_on, $kind, $program, $urban_rural,
             $household_ref, $members, $status, $refusal, null, null, now())`,
          {
            key: d.key,
            county: d.county,
            no: first.request_no!,
            file: f.relPath,
            received_on: f.receivedOn,
            requested_on: requestedOn,
            due_on: issueDates(requestedOn, options.config.deadline_days).dueOn,
            kind: first.kind ?? '',
            program: first.program ?? '',
            urban_rural: first.program_urban_rural,
            household_ref: first.household_ref,
            members: d.rows.length,
            status: d.refusal.length ? 'refused' : 'open',
            refusal: d.refusal.length ? d.refusal.join('；') : null,
          },
        );
      }
      await record(decided.length ? 'read' : 'rejected', decided.length ? null : NO_REQUEST, rows.length, decided.length);
    });
    const refused = decided.filter((d) => d.refusal.length).length;
    if (!decided.length) return { file: f.relPath, status: 'rejected', reason: NO_REQUEST, rowsRead: rows.length, open: 0, refused: 0 };
    return { file: f.relPath, status: 'read', rowsRead: rows.length, open: decided.length - refused, refused };
  } finally {
    await rm(checked, { force: true });
  }
}
