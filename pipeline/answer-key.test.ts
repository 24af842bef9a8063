/**
 * The whole month on the tiny fixtures, against their answer key: every quarantined row with its
 * reason, every staged row, every flag issued and suppressed (no missing, no extra), every
 * household waiting for authorization, every household of 未发放名单, every obligor of 待补义务人授权,
 * every cross-province and cross-league request — and no ID of an unauthorized household anywhere a match could leave it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMonth, withSession, type PublishedReport } from './run.ts';
import { importEntries } from './whitelist.ts';
import { Warehouse } from './warehouse.ts';
import { createStagedViews } from './staged.ts';
import { keptSchemaOf } from './steps.ts';
import { assistWorkbookPath } from './assist/contract.ts';

const TINY = new URL('../fixtures/tiny/', import.meta.url).pathname;
const jsonl = async <T>(path: string): Promise<T[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
const byKey = <T>(rows: T[], key: (r: T) => string) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

let dataDir: string;
let report: PublishedReport;
let w: Warehouse;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hedui-tiny-'));
  await cp(TINY, dataDir, { recursive: true });
  report = await withSession({ dataDir, command: 'test' }, async (s) => {
    await importEntries(s.w, s.state, join(dataDir, 'whitelist.csv'), s.config.config, 'test');
    // intermediates kept (debug_2026_10): pub_unpaid and pub_obligor_pending are read below
    return runMonth(s, '2026-10', { keepIntermediate: true });
  });
  w = await Warehouse.open(join(dataDir, 'hedui.duckdb'));
  await createStagedViews(w);
  return () => w.close();
});

describe('the tiny fixtures, end to end, against the answer key', () => {
  it('quarantines exactly the planted dirty rows, each with its reason and field', async () => {
    type Q = { feed: string; file: string; line: number; reason: string; field: string | null };
    const expected = (await jsonl<Q & { value?: string }>(join(dataDir, 'answer-key/quarantine.jsonl'))).map(({ feed, file, line, reason, field }) => ({ feed, file, line, reason, field: reason === 'duplicate_row' ? null : field }));
    const actual = await w.rows<Q>('t', 'select feed, file, line, reason, field from quarantine');
    const key = (q: Q) => `${q.file}:${String(q.line).padStart(8, '0')}`;
    expect(byKey(actual, key)).toEqual(byKey(expected, key));
  });

  it('stages every other row: read = staged + quarantined, per file, as the answer key counts them', async () => {
    const summary = JSON.parse(await readFile(join(dataDir, 'answer-key/summary.json'), 'utf8')) as { files: { path: string; data_rows: number; expected_staged_rows: number; expected_quarantined_rows: number }[] };
    const loads = await w.rows<{ file: string; rows_read: number; rows_staged: number; rows_quarantined: number }>('t', 'select file, rows_read, rows_staged, rows_quarantined from loads order by file');
    expect(loads).toEqual(
      byKey(
        summary.files.map((f) => ({ file: f.path, rows_read: f.data_rows, rows_staged: f.expected_staged_rows, rows_quarantined: f.expected_quarantined_rows })),
        (r) => r.file,
      ),
    );
  });

  it('stages the normalisable dirty IDs with their normalised value', async () => {
    const expected = await jsonl<{ feed: string; file: string; line: number; field: string; expected: string }>(join(dataDir, 'answer-key/normalised.jsonl'));
    expect(expected.length).toBeGreaterThan(0);
    for (const n of expected) {
      const table = `stg_${n.feed.replaceAll('-', '_')}`;
      const row = await w.one<Record<string, string>>('t', `select "${n.field}" as v from ${table} s join loads l using (load_id) where l.file = $file and s.line = $line`, { file: n.file, line: n.line });
      expect({ ...n, actual: row?.v }).toEqual({ ...n, actual: n.expected });
    }
  });

  it('issues and suppresses exactly the answer key’s flags', async () => {
    type F = { rule: string; household_id: string; person_id: string; evidence_key: string; severity: string; status: string };
    const expected = (await jsonl<F>(join(dataDir, 'answer-key/flags.jsonl'))).map(({ rule, household_id, person_id, evidence_key, severity, status }) => ({ rule, household_id, person_id, evidence_key, severity, status }));
    const actual = await w.rows<F>('t', "select rule_id as rule, household_id, person_id, evidence_key, severity, status from flags where period = '2026-10'");
    const key = (f: F) => [f.rule, f.household_id, f.person_id, f.evidence_key].join('|');
    expect(byKey(actual, key)).toEqual(byKey(expected, key));
    expect(report.match.issued).toBe(expected.filter((f) => f.status === 'issued').length);
  });

  it('lists exactly the households lacking a valid authorization, and matches none of them', async () => {
    type P = { household_id: string; county_code: string; reason: string };
    const expected = await jsonl<P>(join(dataDir, 'answer-key/pending-authorization.jsonl'));
    const actual = await w.rows<P>('t', "select household_id, county_code, reason from pending_authorization where period = '2026-10'");
    expect(byKey(actual, (p) => p.household_id)).toEqual(byKey(expected, (p) => p.household_id));
    const leaked = await w.rows(
      't',
      `select f.flag_id from flags f
       where f.household_id in (select household_id from pending_authorization)
          or f.person_id in (select r.person_id from stg_roster r join pending_authorization p using (household_id))
          or exists (select 1 from stg_roster r join pending_authorization p using (household_id) where contains(f.evidence, r.person_id))`,
    );
    expect(leaked).toEqual([]);
  });

  it('lists exactly the answer key’s households in 未发放名单 (pub_unpaid)', async () => {
    type U = { household_id: string; county_code: string; program: string };
    const expected = await jsonl<U>(join(dataDir, 'answer-key/unpaid.jsonl'));
    expect(expected.length).toBeGreaterThan(0);
    const actual = await w.rows<U>('t', `select household_id, county_code, program from ${keptSchemaOf('2026-10')}.pub_unpaid order by household_id`);
    expect(actual).toEqual(expected);
  });

  it('lists exactly the answer key’s obligors waiting for their authorization (待补义务人授权, pub_obligor_pending)', async () => {
    type O = { county_code: string; household_id: string; supported_id: string; obligor_id: string; reason: string };
    const expected = await jsonl<O>(join(dataDir, 'answer-key/obligor-pending.jsonl'));
    expect(expected.length).toBeGreaterThan(0);
    const actual = await w.rows<O>(
      't',
      `select county_code, household_id, supported_id, obligor_id, reason from ${keptSchemaOf('2026-10')}.pub_obligor_pending
       order by county_code, household_id, supported_id, obligor_id`,
    );
    expect(actual).toEqual(expected);
  });

  it('asks exactly the answer key’s cross-province and cross-league requests, and publishes them in their workbooks', async () => {
    type A = { kind: string; target_code: string; county_code: string; household_id: string; person_id: string };
    const expected = await jsonl<A>(join(dataDir, 'answer-key/assist.jsonl'));
    expect(new Set(expected.map((a) => a.kind))).toEqual(new Set(['province', 'league']));
    const actual = await w.rows<A>(
      't',
      "select kind, target_code, county_code, household_id, person_id from assist_requests where period = '2026-10' order by kind desc, target_code, county_code, household_id, person_id",
    );
    expect(actual).toEqual(expected);
    const published = (await readdir(join(dataDir, 'out', '2026-10'), { recursive: true })).filter((f) => f.includes('请求')).sort();
    const leagues = [...new Set(expected.filter((a) => a.kind === 'league').map((a) => a.target_code))];
    expect(published).toEqual([assistWorkbookPath('2026-10', 'province', '15'), ...leagues.map((l) => assistWorkbookPath('2026-10', 'league', l))].sort());
  });

  it('every planted case is accounted for', async () => {
    const cases = JSON.parse(await readFile(join(dataDir, 'answer-key/cases.json'), 'utf8')) as { case_id: string; rule: string | null; household_id: string; person_id: string | null; record_key?: string | null; expect: string }[];
    const flags = await w.rows<{ rule_id: string; household_id: string; person_id: string; record_key: string; status: string }>('t', "select rule_id, household_id, person_id, record_key, status from flags where period = '2026-10'");
    const pending = new Set((await w.rows<{ household_id: string }>('t', 'select household_id from pending_authorization')).map((p) => p.household_id));
    expect(cases.length).toBeGreaterThan(40);
    for (const c of cases) {
      const mine = flags.filter((f) => f.household_id === c.household_id && (!c.person_id || f.person_id === c.person_id) && (!c.rule || f.rule_id === c.rule) && (!c.record_key || f.record_key === c.record_key));
      const outcome = pending.has(c.household_id) && c.expect === 'pending_authorization' ? 'pending_authorization' : mine.length === 0 ? 'not_flagged' : mine[0].status;
      expect({ case: c.case_id, outcome }).toEqual({ case: c.case_id, outcome: c.expect });
    }
  });
});
