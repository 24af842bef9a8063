/**
 * The whitelist (白名单): people whose department data is known to be wrong, so the same wrong
 * data is not issued again. An entry names a person, a scope (a rule id or a source feed), and
 * optionally one record (plate, credit code, employer…) and an evidence fingerprint; it always has
 * an expiry. Entries are never deleted: revoking stamps them. Every change is audited, with the
 * entry id and never the person's ID.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { normaliseIdNumber, isMatchable } from '../domain/id-number.ts';
import { parseDepartmentDate } from '../domain/dates.ts';
import { FEEDS } from '../adapters/index.ts';
import { RULES } from '../rules/index.ts';
import type { Config } from '../config/config.ts';
import { decodeFile } from './load/decode.ts';
import { headerKey, type ColumnSpec } from '../adapters/columns.ts';
import { UsageError } from '../base/errors.ts';
import type { Warehouse } from './warehouse.ts';
import { freeText, recordAudit } from './audit.ts';
import type { StateDb } from './state.ts';

export interface WhitelistEntryInput {
  personId: string;
  scope: string;
  recordKey?: string | null;
  fingerprint?: string | null;
  reason: string;
  addedBy: string;
  validFrom: string; // YYYY-MM-DD
  validUntil?: string | null; // default: validFrom + whitelist_default_months
}

export interface WhitelistEntry {
  entry_id: string;
  person_key: string; // a hash of the person's ID: what lists and logs show
  scope: string;
  record_key: string | null;
  fingerprint: string | null;
  reason: string;
  added_by: string;
  valid_from: string;
  valid_until: string;
  state: 'active' | 'expired' | 'not_yet_valid' | 'revoked';
}

/** The columns of the import/export file, in order. */
export const WHITELIST_HEADERS = ['身份证号', '规则编号', '记录', '证据指纹', '原因', '登记人', '生效日期', '失效日期'] as const;

/** The import file's columns as a feed's are declared: what a workbook's header row is found by (pipeline/load/sheets.ts). */
const WHITELIST_COLUMNS: readonly ColumnSpec[] = WHITELIST_HEADERS.map((h, i) => ({ name: `c${i}`, headers: [h], required: false, columnRequired: i < 2, kind: 'text' }));

export const SCOPES = (): string[] => [...RULES.map((r) => r.id), ...FEEDS.map((f) => f.id)];

/** A short hash of an ID number: what logs, CLI output and audit rows may show. */
export function personKey(personId: string): string {
  return createHash('sha256').update(`hedui-person|${personId}`).digest('hex').slice(0, 12);
}

function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

/** Checks an entry; returns it normalised or throws a UsageError naming the field (not its value). */
export function validateEntry(input: WhitelistEntryInput, config: Config): Required<WhitelistEntryInput> {
  const id = normaliseIdNumber(input.personId ?? '');
  if (!isMatchable(id.status)) throw new UsageError(`身份证号 is not a valid ID number (${id.status})`);
  if (!SCOPES().includes(input.scope)) throw new UsageError(`规则编号 must be a rule id or a feed: ${SCOPES().join(', ')}`);
  if (!input.reason?.trim()) throw new UsageError('原因 (reason) is required');
  if (!input.addedBy?.trim()) throw new UsageError('登记人 (who) is required');
  const from = parseDepartmentDate(input.validFrom ?? '');
  if (!from) throw new UsageError('生效日期 is not a date');
  const until = input.validUntil ? parseDepartmentDate(input.validUntil) : addMonths(from, config.whitelist_default_months);
  if (!until) throw new UsageError('失效日期 is not a date');
  if (until < from) throw new UsageError('失效日期 is before 生效日期');
  const fingerprint = input.fingerprint?.trim() || null;
  if (fingerprint && !/^[0-9a-f]{16}$/.test(fingerprint)) throw new UsageError('证据指纹 must be 16 hex characters (from the flag)');
  return {
    personId: id.id,
    scope: input.scope,
    recordKey: input.recordKey?.trim() || null,
    fingerprint,
    reason: input.reason.trim(),
    addedBy: input.addedBy.trim(),
    validFrom: from,
    validUntil: until,
  };
}

const entryIdOf = (e: Required<WhitelistEntryInput>) =>
  'W' + createHash('sha256').update([e.personId, e.scope, e.recordKey ?? '', e.fingerprint ?? '', e.validFrom, e.validUntil].join('|')).digest('hex').slice(0, 11);

/** Who a whitelist change is audited under: the operator of a command, or the portal account whose upload made it. */
export interface AuditedBy {
  state: StateDb;
  /** default: the entry's addedBy (an operator's --by) */
  actor?: string;
  remote?: string | null;
  period?: string | null;
}

/** Adds an entry; adding the same entry again is a no-op. Returns its id and whether it was new. */
export async function addEntry(w: Warehouse, by: AuditedBy, input: WhitelistEntryInput, config: Config): Promise<{ entryId: string; added: boolean }> {
  const e = validateEntry(input, config);
  const entryId = entryIdOf(e);
  const exists = await w.one('whitelist-exists', 'select 1 from whitelist where entry_id = $id', { id: entryId });
  if (exists) return { entryId, added: false };
  await w.transaction('whitelist-add', async () => {
    await w.exec(
      'whitelist-insert',
      'insert into whitelist values ($id, $person, $scope, $record, $fingerprint, $reason, $by, $from::date, $until::date, now(), null, null)',
      { id: entryId, person: e.personId, scope: e.scope, record: e.recordKey, fingerprint: e.fingerprint, reason: e.reason, by: e.addedBy, from: e.validFrom, until: e.validUntil },
    );
    // added_by may be a county's 核实人 text: the audit keeps it cut and masked, under the account that sent it
    const addedBy = by.actor && by.actor !== e.addedBy ? ` added_by=${freeText(e.addedBy)}` : '';
    recordAudit(by.state, {
      actor: by.actor ?? e.addedBy,
      action: 'whitelist.add',
      subject: entryId,
      detail: `scope=${e.scope} from=${e.validFrom} until=${e.validUntil}${e.fingerprint ? ' pinned' : ''}${addedBy}`,
      remote: by.remote,
      period: by.period,
    });
  });
  return { entryId, added: true };
}

export async function revokeEntry(w: Warehouse, state: StateDb, entryId: string, by: string, reason: string): Promise<void> {
  const entry = await w.one<{ revoked_at: string | null }>('whitelist-get', 'select revoked_at from whitelist where entry_id = $id', { id: entryId });
  if (!entry) throw new UsageError(`no whitelist entry ${entryId}`);
  if (entry.revoked_at) throw new UsageError(`whitelist entry ${entryId} is already revoked`);
  await w.transaction('whitelist-revoke', async () => {
    await w.exec('whitelist-revoke', 'update whitelist set revoked_at = now(), revoked_by = $by where entry_id = $id', { id: entryId, by });
    recordAudit(state, { actor: by, action: 'whitelist.revoke', subject: entryId, detail: freeText(reason, 200) });
  });
}

/** Entries with their state on `day` (default today). */
export async function listEntries(w: Warehouse, day: string): Promise<WhitelistEntry[]> {
  const rows = await w.rows<Omit<WhitelistEntry, 'person_key' | 'state'> & { person_id: string; revoked_at: string | null }>(
    'whitelist-list',
    'select entry_id, person_id, scope, record_key, fingerprint, reason, added_by, valid_from, valid_until, revoked_at from whitelist order by entry_id',
  );
  return rows.map(({ person_id, revoked_at, ...r }) => ({
    ...r,
    person_key: personKey(person_id),
    state: revoked_at ? 'revoked' : r.valid_until < day ? 'expired' : r.valid_from > day ? 'not_yet_valid' : 'active',
  }));
}

export interface ImportResult {
  file: string;
  rows: number;
  added: number;
  unchanged: number;
  rejected: { line: number; reason: string }[];
}

/** Reads a whitelist file (CSV in UTF-8 or GBK, or xlsx) into rows keyed by header, with line numbers. */
async function readTable(path: string): Promise<{ line: number; values: Record<string, string> }[]> {
  const tmp = await mkdtemp(join(tmpdir(), 'hedui-wl-'));
  try {
    const decoded = await decodeFile(path, basename(path), tmp, 'whitelist', WHITELIST_COLUMNS);
    const text = await readFile(decoded.csvPath, 'utf8');
    const records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false }) as string[][];
    const header = records[0].map((h) => headerKey(h));
    const offset = decoded.hasLineColumn ? 1 : 0;
    return records.slice(1).flatMap((r, i) => {
      if (r.every((v) => v.trim() === '')) return [];
      const values: Record<string, string> = {};
      header.forEach((h, j) => j >= offset && (values[h] = (r[j] ?? '').trim()));
      return [{ line: decoded.hasLineColumn ? Number(r[0]) : i + 2, values }];
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function importEntries(w: Warehouse, state: StateDb, path: string, config: Config, actor: string): Promise<ImportResult> {
  const rows = await readTable(path);
  const result: ImportResult = { file: basename(path), rows: rows.length, added: 0, unchanged: 0, rejected: [] };
  const get = (v: Record<string, string>, h: string) => v[headerKey(h)] ?? '';
  for (const { line, values } of rows) {
    try {
      const { added } = await addEntry(
        w,
        { state, actor },
        {
          personId: get(values, '身份证号'),
          scope: get(values, '规则编号'),
          recordKey: get(values, '记录'),
          fingerprint: get(values, '证据指纹'),
          reason: get(values, '原因'),
          addedBy: get(values, '登记人') || actor,
          validFrom: get(values, '生效日期'),
          validUntil: get(values, '失效日期'),
        },
        config,
      );
      if (added) result.added++;
      else result.unchanged++;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      result.rejected.push({ line, reason: e.message });
    }
  }
  recordAudit(state, { actor, action: 'whitelist.import', subject: result.file, detail: `rows=${result.rows} added=${result.added} unchanged=${result.unchanged} rejected=${result.rejected.length}` });
  return result;
}

/** Writes every entry (revoked ones included, marked) to a CSV or xlsx file an operator can edit and import. */
export async function exportEntries(w: Warehouse, state: StateDb, path: string, actor: string): Promise<number> {
  const rows = await w.rows<Record<string, string | null>>(
    'whitelist-export',
    `select person_id, scope, record_key, fingerprint, reason, added_by, valid_from, valid_until,
            case when revoked_at is null then '' else '已撤销' end as revoked
     from whitelist order by entry_id`,
  );
  const table = rows.map((r) => [r.person_id, r.scope, r.record_key, r.fingerprint, r.reason, r.added_by, r.valid_from, r.valid_until, r.revoked].map((v) => v ?? ''));
  const header = [...WHITELIST_HEADERS, '状态'];
  if (path.toLowerCase().endsWith('.xlsx')) {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('白名单');
    ws.addRow(header);
    for (const r of table) ws.addRow(r);
    ws.getColumn(1).numFmt = '@';
    await wb.xlsx.writeFile(path);
  } else {
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    await writeFile(path, '\uFEFF' + [header, ...table].map((r) => r.map(quote).join(',')).join('\n') + '\n');
  }
  recordAudit(state, { actor, action: 'whitelist.export', subject: basename(path), detail: `rows=${rows.length}` });
  return rows.length;
}
