/**
 * SQL built apart from where it runs: the builders are pure (their steps are checked here without
 * DuckDB), the executor keeps every intermediate on request, and a rule can run alone.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { feedById } from '../adapters/index.ts';
import { RULES } from '../rules/index.ts';
import { UsageError } from '../base/errors.ts';
import { keptSchemaOf, statementOf, table, view, type Step } from './steps.ts';
import { matchMonth, matchSteps } from './match.ts';
import { publishSteps } from './publish/publish.ts';
import { monthInputs, type Snapshot } from './inputs.ts';
import { parseMonth } from './period.ts';
import { runMonth, withSession } from './run.ts';
import { loadInbox } from './load/inbox.ts';
import { csv, makeDataDir, makeId, putInbox } from './load/test-support.ts';

const { config } = loadConfig();
const month = parseMonth('2026-10');
const snapshot = (feed: string, period: string): Snapshot => ({ feed: feedById(feed)!, period, rows: 1, ageMonths: 0, stale: false, loadIds: `${feed}:x` });
const names = (steps: Step[]) => steps.map((s) => s.name);

describe('the executor', () => {
  it('makes an intermediate a temp table or view by default, and a table in the kept schema when keeping', () => {
    const step: Step = { name: 'x', creates: table('int_x'), sql: 'select 1 as one;\n' };
    expect(statementOf(step)).toBe('create or replace temp table "int_x" as\nselect 1 as one');
    expect(statementOf({ ...step, creates: view('int_x') })).toBe('create or replace temp view "int_x" as\nselect 1 as one');
    expect(statementOf({ ...step, creates: view('int_x') }, { keepIn: keptSchemaOf('2026-10') })).toBe('create or replace table "debug_2026_10"."int_x" as\nselect 1 as one');
    expect(statementOf({ name: 'y', sql: 'delete from flags' }, { keepIn: 'debug_2026_10' })).toBe('delete from flags');
  });
});

describe('the match builder', () => {
  it('builds the context, then one step per rule whose source feed has a snapshot, in registry order', () => {
    const snapshots = [snapshot('roster', '2026-10'), snapshot('vehicles', '2026Q3')];
    const steps = matchSteps(month, config, snapshots);
    const running = RULES.filter((r) => ['roster', 'vehicles'].includes(r.sources[0])).map((r) => `rule:${r.id}`);
    expect(names(steps)).toEqual(['standards', 'households', 'pending', 'matched-people', 'residence', 'assist', 'household-amounts', 'answers', 'obligors', 'recheck', 'rule-hits:create', ...running]);
    expect(steps.filter((s) => s.creates).map((s) => s.creates!.name)).toEqual(['int_standards', 'int_households', 'int_pending_authorization', 'int_matched_people', 'int_residence', 'int_assist', 'int_household_amounts', 'int_answers', 'int_obligors', 'int_recheck', 'int_rule_hits']);
    expect(steps.find((s) => s.name === 'households')!.params).toEqual({ period_end: '2026-10-31' });
    // a month with payments also places each payment (int_roster_people, int_paid) before the rules
    const withPayments = names(matchSteps(month, config, [...snapshots, snapshot('payments', '2026-10')]));
    expect(withPayments.slice(10, 13)).toEqual(['roster-people', 'paid', 'rule-hits:create']);
  });

  it('builds the standards in force on the last day of the month: a re-run of an older month keeps its standard', () => {
    const dated = structuredClone(config);
    dated.standards.region.push({ from: '2026-11-01', urban: 1000, rural: 800, document: '内政字〔2026〕99号' });
    const standards = (m: string) => matchSteps(parseMonth(m), dated, [snapshot('roster', m)]).find((s) => s.name === 'standards')!.sql;
    expect(standards('2026-10')).toContain("('1501', 829, 625, '内政字〔2024〕131号', '内政字〔2024〕131号')");
    expect(standards('2026-11')).toContain("('1501', 1000, 800, '内政字〔2026〕99号', '内政字〔2026〕99号')");
    expect(() => standards('2023-12')).toThrow(/no 低保 standard in force on 2023-12-31/);
  });

  it("tags a rule's hits with the snapshot the month uses", () => {
    const steps = matchSteps(month, config, [snapshot('roster', '2026-10'), snapshot('vehicles', '2026Q2')]);
    const vehicles = steps.find((s) => s.name === 'rule:vehicle-owned')!;
    expect(vehicles.params).toMatchObject({ rule_id__: 'vehicle-owned', source_feed__: 'vehicles', source_period__: '2026Q2', period: '2026-10', period_end: '2026-10-31' });
    expect(vehicles.sql).toMatch(/^insert into int_rule_hits/);
  });

  it('runs the rules `only` names, and refuses an unknown id', () => {
    const all = [snapshot('roster', '2026-10'), snapshot('vehicles', '2026Q3'), snapshot('provident-fund', '2026-10'), snapshot('business', '2026-10')];
    expect(names(matchSteps(month, config, all, { only: ['vehicle-owned'] })).filter((n) => n.startsWith('rule:'))).toEqual(['rule:vehicle-owned']);
    expect(() => matchSteps(month, config, all, { only: ['no-such-rule'] })).toThrow(UsageError);
  });
});

describe('the publish builder', () => {
  it('makes the pub_* tables in order, each for the period', () => {
    const steps = publishSteps('2026-10');
    expect(steps.map((s) => s.creates!.name)).toEqual(['pub_members', 'pub_heads', 'pub_details', 'pub_households', 'pub_pending', 'pub_unpaid', 'pub_obligor_pending', 'pub_recheck']);
    expect(steps.every((s) => s.params?.period === '2026-10')).toBe(true);
  });
});

describe('pipeline/sql', () => {
  const dir = new URL('./sql/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  it.each(files.filter((f) => /^(int|pub|assert)_/.test(f)))('%s opens with a comment naming what it makes and holds one SELECT', (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    expect(text.startsWith(`-- ${file.replace(/\.sql$/, '')}:`), 'the header comment names the file').toBe(true);
    const code = text.replace(/--[^\n]*/g, '');
    expect(code, 'the executor says where the rows go').not.toMatch(/\bcreate\b|\binsert\b|\bdelete\b/i);
    expect(code, 'one statement').not.toMatch(/;\s*\S/);
  });
});

describe('keeping intermediates, running one rule', () => {
  const HEADER = ['户编号', '户主身份证号', '身份证号', '姓名', '与户主关系', '是否保障对象', '保障类别', '区划代码', '保障人数', '月保障金', '保障起始日期', '核对授权书签署日期', '授权书有效期至'];
  const idOf = (i: number) => makeId('150102', '19700101', String(i * 2 + 1).padStart(3, '0'));
  const roster = csv([
    HEADER,
    ...Array.from({ length: 5 }, (_, i) => [`15010200${String(i).padStart(5, '0')}`, idOf(i), idOf(i), '某某', '户主', '是', '城市低保', '150102001', '1', '800', '2022-01-01', i === 0 ? '' : '2025-01-01', i === 0 ? '' : '2028-01-01']),
  ]);
  const fund = csv([['证件号码', '姓名', '单位名称', '个人缴存基数', '个人账户状态', '最近缴存年月'], ...Array.from({ length: 5 }, (_, i) => [idOf(i), '某某', '某单位', '9000', '正常', '202610'])]);

  async function dataDir(): Promise<string> {
    const dir = await makeDataDir();
    await putInbox(dir, 'roster', '2026-10', 'r.csv', roster);
    await putInbox(dir, 'provident-fund', '2026-10', 'f.csv', fund);
    return dir;
  }

  it('--keep-intermediate leaves every int_* and pub_* table of the month in debug_<period>', async () => {
    const dir = await dataDir();
    await withSession({ dataDir: dir, command: 'test' }, (s) => runMonth(s, '2026-10', { today: '2026-12-03', keepIntermediate: true }));
    const instance = await DuckDBInstance.create(join(dir, 'hedui.duckdb'));
    try {
      const c = await instance.connect();
      const kept = (await c.runAndReadAll("select table_name from duckdb_tables() where schema_name = 'debug_2026_10' order by all")).getRowObjectsJson().map((r) => r.table_name);
      expect(kept).toEqual([
        'int_answers', 'int_assist', 'int_household_amounts', 'int_households', 'int_matched_people', 'int_obligors', 'int_pending_authorization', 'int_recheck', 'int_residence', 'int_rule_hits', 'int_standards',
        'pub_details', 'pub_heads', 'pub_households', 'pub_members', 'pub_obligor_pending', 'pub_pending', 'pub_recheck', 'pub_unpaid',
      ]);
      const counts = (await c.runAndReadAll('select (select count(*) from debug_2026_10.int_households)::integer as households, (select count(*) from debug_2026_10.pub_pending)::integer as pending')).getRowObjectsJson();
      expect(counts).toEqual([{ households: 5, pending: 1 }]);
      c.closeSync();
    } finally {
      instance.closeSync();
    }
  });

  it('runs one rule alone (tests), leaving the others out', async () => {
    const dir = await dataDir();
    const flagsOf = (only?: string[]) =>
      withSession({ dataDir: dir, command: 'test' }, async (s) => {
        await loadInbox(s.w, dir, { maxQuarantineShare: 1 });
        const match = await matchMonth(s.w, month, config, (await monthInputs(s.w, month, config)).snapshots, { only });
        return match.flags;
      });
    expect(await flagsOf()).toBeGreaterThan(0); // the provident fund's deposits are above the standard
    expect(await flagsOf(['vehicle-owned'])).toBe(0);
  });
});
