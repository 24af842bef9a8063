/**
 * The audit trail: who did what, when, from where — in the state store (pipeline/state.ts), so the
 * portal and the operators' commands write it while the nightly run holds the warehouse.
 *
 * Rows are hash-chained: each row's hash covers the previous row's hash and its own fields, so
 * `hedui audit --verify` finds a row edited (its hash no longer matches), deleted in the middle
 * (a gap in seq, the next row's prev_hash dangles) or deleted at the end (SQLite's AUTOINCREMENT
 * counter is past the last row). It proves nothing against someone who rewrites the whole chain
 * and the counter: for that, the head hash `--verify` prints belongs somewhere else too (the
 * nightly log records it).
 *
 * Subjects are entry ids, file names, counties; details are counts and codes. Free text from a
 * workbook never goes in verbatim: `freeText` cuts it and masks digit runs that could be an ID
 * or a phone number.
 */
import { createHash } from 'node:crypto';
import type { StateDb } from './state.ts';
import { chinaTime } from './period.ts';

export interface AuditEvent {
  /** the logged-in account, or the operator of a command — never text from a file */
  actor: string;
  action: string; // whitelist.add, feedback.import, portal.login, portal.download, portal.upload …
  subject?: string | null;
  detail?: string | null;
  remote?: string | null;
  period?: string | null;
}

export interface AuditRow {
  seq: number;
  occurred_at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
  remote: string | null;
  period: string | null;
}

const GENESIS = '0'.repeat(64);

function rowHash(prev: string, r: AuditRow): string {
  return createHash('sha256')
    .update(prev)
    .update(JSON.stringify([r.seq, r.occurred_at, r.actor, r.action, r.subject, r.detail, r.remote, r.period]))
    .digest('hex');
}

// digit runs of 11 or more (an ID number, a mobile phone number, a bank account; county codes and
// counts are shorter), unless inside a hex word such as a sha256 file name, which holds such runs by chance
const LONG_DIGITS = /(?<![0-9A-Fa-f])\d{10,}[\dXx](?![0-9A-Fa-f])/g;

/** Text from a workbook cell or another person, as the audit may keep it: cut, digit runs masked. */
export function freeText(text: string, max = 40): string {
  const masked = text.replace(LONG_DIGITS, (m) => '*'.repeat(m.length)).replace(/\s+/g, ' ').trim();
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
}

const clean = (s: string | null | undefined) => (s === undefined || s === null ? null : s.replace(LONG_DIGITS, (m) => '*'.repeat(m.length)));

/** Appends a row to the chain (one immediate transaction: two processes never chain onto the same row). */
export function recordAudit(db: StateDb, e: AuditEvent, now = Date.now()): void {
  db.transaction(() => {
    const last = db.prepare<[], { seq: number; hash: string }>('select seq, hash from audit order by seq desc limit 1').get();
    const counter = db.prepare<[], { seq: number }>("select seq from sqlite_sequence where name = 'audit'").get();
    const row: AuditRow = {
      seq: Math.max(last?.seq ?? 0, counter?.seq ?? 0) + 1,
      occurred_at: new Date(now).toISOString(),
      actor: clean(e.actor) ?? '',
      action: e.action,
      subject: clean(e.subject),
      detail: clean(e.detail),
      remote: e.remote ?? null,
      period: e.period ?? null,
    };
    const prev = last?.hash ?? GENESIS;
    db.prepare('insert into audit values (@seq, @occurred_at, @actor, @action, @subject, @detail, @remote, @period, @prev, @hash)').run({ ...row, prev, hash: rowHash(prev, row) });
  }).immediate();
}

/** The trail (or one month of it), oldest first, times in China Standard Time. */
export function auditReport(db: StateDb, period?: string): Omit<AuditRow, 'seq'>[] {
  const rows = period
    ? db.prepare<[string], AuditRow>('select * from audit where period = ? order by seq').all(period)
    : db.prepare<[], AuditRow>('select * from audit order by seq').all();
  return rows.map((r) => ({ occurred_at: chinaTime(r.occurred_at), actor: r.actor, action: r.action, subject: r.subject, detail: r.detail, remote: r.remote, period: r.period }));
}

export interface AuditVerification {
  ok: boolean;
  rows: number;
  /** the last row's hash: kept elsewhere, it also catches a rewrite of the whole chain */
  head: string;
  problems: { seq: number; problem: string }[];
}

/** The last row's number and hash, without walking the chain (what the nightly log keeps). */
export function auditHead(db: StateDb): { rows: number; head: string } {
  const last = db.prepare<[], { seq: number; hash: string }>('select seq, hash from audit order by seq desc limit 1').get();
  return { rows: last?.seq ?? 0, head: last?.hash ?? GENESIS };
}

/** Walks the chain: every row's hash, its link to the row before, no gap, no row missing at the end. */
export function verifyAudit(db: StateDb): AuditVerification {
  const problems: AuditVerification['problems'] = [];
  let prev = GENESIS;
  let expected = 1;
  let rows = 0;
  for (const r of db.prepare<[], AuditRow & { prev_hash: string; hash: string }>('select * from audit order by seq').iterate()) {
    rows++;
    if (r.seq !== expected) problems.push({ seq: r.seq, problem: `rows ${expected}–${r.seq - 1} are missing` });
    if (r.prev_hash !== prev) problems.push({ seq: r.seq, problem: 'does not follow the row before it (a row before it was deleted or changed)' });
    if (rowHash(r.prev_hash, r) !== r.hash) problems.push({ seq: r.seq, problem: 'its content was changed after it was written' });
    prev = r.hash;
    expected = r.seq + 1;
  }
  const counter = db.prepare<[], { seq: number }>("select seq from sqlite_sequence where name = 'audit'").get()?.seq ?? 0;
  if (counter >= expected) problems.push({ seq: expected, problem: `rows ${expected}–${counter} at the end are missing` });
  return { ok: problems.length === 0, rows, head: prev, problems };
}
