/**
 * Data-shaped rule tests: `given` staged rows per feed (only the columns that matter; the rest
 * take defaults), a month, optional whitelist entries; `expect` the flags (rule, household,
 * person, evidence key, severity, status). Runs the real match on an in-memory warehouse.
 */
import { afterAll } from 'vitest';
import { makeId } from '../pipeline/load/test-support.ts';
import { loadConfig, type Config } from '../config/config.ts';
import { FEEDS, type FeedId } from '../adapters/index.ts';
import type { FeedAdapter } from '../adapters/feed.ts';
import type { ColumnKind } from '../adapters/columns.ts';
import { Warehouse } from '../pipeline/warehouse.ts';
import { ident, literal, type Params } from '../pipeline/sql.ts';
import { stagedFileOf } from '../pipeline/staged.ts';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { matchMonth } from '../pipeline/match.ts';
import { monthInputs } from '../pipeline/inputs.ts';
import { parseMonth } from '../pipeline/period.ts';

export { makeId };

type Row = Record<string, string | number | boolean | null>;

/** Staged rows per registered feed (only the columns that matter), whitelist entries, answers. */
export type Given = { [F in FeedId]?: Row[] } & {
  whitelist?: Row[];
  /** answers from returned workbooks: flag_id, period, household_id, county_code, result, verified_on */
  answers?: Row[];
  /** deliveries of earlier periods (a roster of the month a back-payment pays for, earlier events) */
  earlier?: { feed: FeedId; period: string; rows: Row[] }[];
};

export interface ExpectedFlag {
  rule: string;
  household: string;
  person: string;
  evidence_key: string;
  severity?: string;
  status?: 'issued' | 'suppressed';
  /** the money to recover, as text ('480.00'), when the options ask for it */
  amount?: string | null;
}

/** A value of each kind a staged column may take, for the columns a test leaves out. */
const VALUE_OF_KIND: Record<ColumnKind, string | number | boolean> = {
  id_number: '',
  document_number: '',
  text: '某',
  code: 'X',
  date: '2020-01-01',
  year_month: '2026-10-01',
  yes_no: false,
  integer: 1,
  yuan: 1000,
  wan_yuan: 10,
};

/** Every column of a feed at the value of its kind, then the feed's own plausible values (DEFAULT_ROWS). */
const defaultsOf = (feed: FeedAdapter): Row => ({
  ...Object.fromEntries(feed.columns.filter((c) => c.required).map((c) => [c.name, VALUE_OF_KIND[c.kind]])),
  ...DEFAULT_ROWS[feed.id as FeedId],
});

/** A feed's plausible values where the kind's value would not do (a rule's filters read them); optional per feed. */
const DEFAULT_ROWS: { [F in FeedId]?: Row } = {
  roster: {
    head_id: '',
    name: '某某',
    relation: '户主',
    is_covered: true,
    program: '城市低保',
    division_code: '150102001',
    household_size: 1,
    monthly_amount: 800,
    enrolled_on: '2022-01-01',
    authorization_signed_on: '2025-01-01',
    authorization_valid_until: '2028-01-01',
    registered_elsewhere: false,
    single_member_cover: false,
  },
  'provident-fund': { id_type: '身份证', name: '某某', employer: '某单位', contribution_base: 3000, monthly_deposit: 720, account_status: '正常', last_deposit_month: '2026-10-01', balance: 10000 },
  vehicles: { owner_id_type: 'A', owner_name: '某某', plate_type: '02', plate_no: '蒙A12345', vehicle_type: 'K33', use_nature: 'A', first_registered_on: '2020-01-01', status: 'A' },
  business: {
    credit_code: '91150102MA0N000000',
    entity_name: '某公司',
    entity_type: '1130',
    registration_status: '存续',
    registered_capital: 50,
    established_on: '2015-01-01',
    person_name: '某某',
    role: '法定代表人',
    subscribed_capital: null,
  },
  deaths: { name: '某某', source: 'police', deregistration_kind: '死亡' },
  payments: {
    item_name: '城市低保金',
    program: '城市低保',
    batch_no: 'B202610',
    benefit_month: '2026-10-01',
    paid_on: '2026-10-10',
    payee_name: '某某',
    bank: '某银行',
    account_last4: '1234',
    amount: 800,
    status: '成功',
    division_code: '150102',
  },
  obligors: { obligor_name: '某子', relation: '子', obligor_family_size: 3, obligor_county: '150102', auth_signed_on: '2025-01-01', auth_valid_until: '2028-01-01' },
  marriages: { male_name: '某男', female_name: '某女', registration: '结婚', registered_on: '2020-01-01', registry: '某民政局婚姻登记处' },
};

/** The snapshot period given rows are staged as, for the month 2026-10: the month, or the quarter ended before it. */
const PERIOD_OF_SCHEDULE: Record<FeedAdapter['schedule'], string> = { monthly: '2026-10', quarterly: '2026Q3' };

async function insertRows(w: Warehouse, table: string, rows: Row[]): Promise<void> {
  for (const row of rows) {
    const names = Object.keys(row);
    await w.exec('given', `insert into ${ident(table)} (${names.map(ident).join(', ')}) values (${names.map((n) => `$${n}`).join(', ')})`, row as Params);
  }
}

/**
 * The warehouse runRules runs in: one per test file, opened by its first runRules and closed after
 * its last test. Opening one (macros, code tables, divisions, schema, shapes) was ~0.5 s of CPU,
 * two thirds of a runRules, paid again by every case; each runRules now leaves it as it found it
 * (see runRules).
 */
let shared: Promise<Warehouse> | undefined;
/** runRules calls one after the other: each holds the warehouse's one transaction */
let queue: Promise<unknown> = Promise.resolve();
let runs = 0;
afterAll(async () => (await shared)?.close());

/** Thrown to roll back a runRules's transaction once its flags are read. */
class RolledBack {}

/**
 * Runs the month 2026-10 on the given rows; returns its flags in a stable order (with their evidence
 * text, amount or source snapshot when asked).
 *
 * On the test file's warehouse, in one transaction rolled back at the end: the given rows, the
 * loads, the month's flags and everything else the match writes are undone, so every call starts
 * from the empty warehouse a fresh one would be. Its staged files go to a folder of its own
 * (given-<n>/), never over a file an earlier call wrote: only the loads rows that name them are
 * rolled back.
 */
export async function runRules(given: Given, configure?: (c: Config) => void, options: { evidence?: boolean; amounts?: boolean; sources?: boolean } = {}): Promise<(ExpectedFlag & { evidence?: string; source?: string })[]> {
  const { config } = loadConfig();
  const c: Config = structuredClone(config);
  configure?.(c);
  shared ??= mkdtemp(join(tmpdir(), 'hedui-rules-')).then((dataDir) => Warehouse.open(':memory:', { dataDir }));
  const w = await shared;
  const run = async () => {
    let flags: (ExpectedFlag & { evidence?: string; source?: string })[] = [];
    await w
      .transaction('given', async () => {
        await stageGiven(w, w.dataDir!, given, { folder: `given-${++runs}` });
        const month = parseMonth('2026-10');
        await matchMonth(w, month, c, (await monthInputs(w, month, c)).snapshots);
        flags = await w.rows<ExpectedFlag>(
          'flags',
          `select rule_id as rule, household_id as household, person_id as person, evidence_key, severity, status${options.evidence ? ', evidence' : ''}${options.amounts ? ', amount_yuan::varchar as amount' : ''}${options.sources ? ", source_feed || ' ' || source_period as source" : ''} from flags order by all`,
        );
        throw new RolledBack();
      })
      .catch((e: unknown) => {
        if (!(e instanceof RolledBack)) throw e;
      });
    return flags;
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * The given rows staged as loads of 2026-10 (2026Q3 for a quarterly feed; `earlier` at their own
 * periods), with their whitelist entries and answers, in a warehouse whose data folder is dataDir
 * (the staged files under `folder` in it, when given).
 */
export async function stageGiven(w: Warehouse, dataDir: string, given: Given, o: { folder?: string } = {}): Promise<void> {
  const stage = async (feed: FeedAdapter, period: string, rows: Row[]) => {
    const loadId = `${feed.id}:test:${period}`;
    const staging = `given_${feed.table.slice(4)}`;
    await w.exec('given-table', `create or replace temp table ${staging} as select * from ${ident(`shape_${feed.table}`)} limit 0`);
    await insertRows(
      w,
      staging,
      rows.map((r, i) => {
        const row: Row = { load_id: loadId, line: i + 2, ...defaultsOf(feed), ...r };
        if (feed.id === 'roster') {
          // what staging.sql derives: the county from 区划代码, the 城市/农村 a program's name carries
          const program = String(row.program);
          const programUrbanRural = program.startsWith('城市') ? '城市' : program.startsWith('农村') ? '农村' : null;
          return { county_code: String(row.division_code).slice(0, 6), program_urban_rural: programUrbanRural, ...row, head_id: row.head_id || row.person_id };
        }
        if (feed.id === 'payments' && !('county_code' in r)) return { ...row, county_code: String(row.division_code).slice(0, 6) };
        return row;
      }),
    );
    const stagedFile = join(o.folder ?? '', stagedFileOf(feed, loadId));
    await mkdir(join(dataDir, dirname(stagedFile)), { recursive: true });
    await w.exec('given-file', `copy (select *, null::varchar as problem from ${staging}) to ${literal(join(dataDir, stagedFile))} (format parquet)`);
    await w.exec(
      'given-load',
      "insert into loads (load_id, feed, period, file, sha256, bytes, rows_read, rows_staged, rows_quarantined, status, loaded_at, staged_file) values ($id, $feed, $period, 'given', 'x', 0, $n, $n, 0, 'staged', now(), $staged_file)",
      { id: loadId, feed: feed.id, period, n: rows.length, staged_file: stagedFile },
    );
  };
  for (const feed of FEEDS) {
    for (const e of given.earlier ?? []) if (e.feed === feed.id) await stage(feed, e.period, e.rows);
    const rows = given[feed.id];
    if (rows) await stage(feed, PERIOD_OF_SCHEDULE[feed.schedule], rows);
  }
  await insertRows(
    w,
    'whitelist',
    (given.whitelist ?? []).map((e, i) => ({ entry_id: `w${i}`, reason: '数据源错误', added_by: 'test', valid_from: '2026-01-01', valid_until: '2027-01-01', created_at: '2026-01-01', ...e })),
  );
  if (given.answers?.length) {
    await w.exec('given-import', "insert into feedback_imports values ('Ftest', 'given.xlsx', 'x', null, null, 'test', null, '2026-10-05', now(), 'imported', null, 0, 0, 0, null)");
    await insertRows(
      w,
      'dispositions',
      given.answers.map((a) => ({ import_id: 'Ftest', county_code: '150102', note: null, verifier: '核实人', received_on: '2026-10-05', ...a })),
    );
  }
}

/** The household a lead about a payee on no roster goes to (pipeline/sql/int_paid.sql), paid by a county of 新城区 by default. */
export function payHousehold(headId: string, county = '150102'): string {
  return `PAY-${county}-${createHash('sha256').update(headId).digest('hex').slice(0, 10).toUpperCase()}`;
}

/** Members of one household, sharing its attributes. */
export function household(id: string, attrs: Row, members: Row[]): Row[] {
  return members.map((m) => ({ household_id: id, household_size: members.filter((x) => x.is_covered !== false).length, ...attrs, ...m }));
}
