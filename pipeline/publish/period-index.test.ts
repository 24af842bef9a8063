/**
 * The month's index (index.json), on the tiny fixtures published for 2026-10: publish writes it
 * beside the workbooks; it holds no ID number and no name; a feedback import and its refresh change
 * what it says (also for the earlier month whose carried-over flag the import answers); the
 * portal's status pages computed from it say what the warehouse says; nightly writes it for months
 * published without one. And the record (pipeline/kpi.ts): kpiOfFlags on hand-made flags, and
 * kpiReport (SQL + JS) equal to the per-county SQL it replaces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { nightly, runMonth, withSession, type Session } from '../run.ts';
import { importFeedback } from '../feedback.ts';
import { kpiOfFlags, kpiReport, type KpiFlag, type KpiRow } from '../kpi.ts';
import { COUNTIES, type County } from '../../domain/divisions.ts';
import { GateHeldError } from '../../base/errors.ts';
import { countyPeriodStatus } from '../../portal/county-status.ts';
import { periodStatus } from '../../portal/status.ts';
import { countyWorkbookPath, HOUSEHOLDS, SHEET } from './workbook-contract.ts';
import { publishedTinyMonth } from '../test-support.ts';
import { buildPeriodIndex, indexPublishedPeriods, readPeriodIndex, refreshPeriodIndex, PERIOD_INDEX_SCHEMA, type IndexedFlag, type PeriodIndex } from './period-index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ISSUED_ON = '2026-11-01'; // the day 2026-10 is published (China Standard Time): due 2026-11-16
const DUE_ON = '2026-11-16';

let dataDir: string;
let county: County;
let households: { row: number; householdId: string; flagIds: string[] }[];

const session = <T>(fn: (s: Session) => Promise<T>) => withSession({ dataDir, command: 'test' }, fn);
const indexPath = (period: string) => join(dataDir, 'out', period, 'index.json');
const indexText = (period: string) => readFile(indexPath(period), 'utf8');
const workbookPath = (period: string) => join(dataDir, 'out', period, countyWorkbookPath(period, county));
const everyone = () => true;

/**
 * The county's workbook of `period` with households answered on 疑点家庭:
 * [household (its index among the data rows, or its 户编号), result, verifier, date].
 */
async function fillIn(period: string, answers: [number | string, string, string, string][], out: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(workbookPath(period));
  const ws = wb.getWorksheet(SHEET.households)!;
  const rows: { n: number; householdId: string }[] = [];
  ws.eachRow((r, n) => void (n > 1 && rows.push({ n, householdId: String(r.getCell(HOUSEHOLDS.col.householdId).value) })));
  for (const [household, result, verifier, date] of answers) {
    const row = ws.getRow(typeof household === 'number' ? rows[household].n : rows.find((r) => r.householdId === household)!.n);
    row.getCell(HOUSEHOLDS.col.disposition).value = result;
    row.getCell(HOUSEHOLDS.col.note).value = '入户核实，户主张某某称已就业';
    row.getCell(HOUSEHOLDS.col.verifiedBy).value = verifier;
    row.getCell(HOUSEHOLDS.col.verifiedOn).value = date;
  }
  const path = join(dataDir, out);
  await wb.xlsx.writeFile(path);
  return path;
}

const flagsOf = (index: PeriodIndex, code: string): IndexedFlag[] => index.counties[code]?.flags ?? [];

beforeAll(async () => {
  dataDir = await publishedTinyMonth({ today: ISSUED_ON }, 'hedui-index-'); // the portal tests' month: one build for both
  // the county with the most flagged households
  const top = await session((s) =>
    s.w.rows<{ county_code: string }>('t', "select county_code from flags where period = '2026-10' and status = 'issued' group by 1 order by count(distinct household_id) desc, 1 limit 1"),
  );
  county = COUNTIES.find((c) => c.code === top[0].county_code)!;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(workbookPath('2026-10'));
  households = [];
  wb.getWorksheet(SHEET.households)!.eachRow((r, n) => {
    if (n > 1) households.push({ row: n, householdId: String(r.getCell(HOUSEHOLDS.col.householdId).value), flagIds: String(r.getCell(HOUSEHOLDS.col.flagIds).value).split(',') });
  });
  expect(households.length).toBeGreaterThanOrEqual(5);
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the index a publication writes', () => {
  it('is in the release folder, beside the workbooks, not in the manifest, and holds every issued flag of the month by county', async () => {
    const release = await readlink(join(dataDir, 'out/2026-10'));
    expect(existsSync(join(dataDir, 'out', release, 'index.json'))).toBe(true);
    const manifest = JSON.parse(await readFile(join(dataDir, 'out/2026-10/manifest.json'), 'utf8')) as { outputs: { path: string }[] };
    expect(manifest.outputs.map((o) => o.path)).not.toContain('index.json');

    const index = (await readPeriodIndex(dataDir, '2026-10'))!;
    expect(index).toMatchObject({ schema: PERIOD_INDEX_SCHEMA, period: '2026-10', issuedOn: ISSUED_ON, dueOn: DUE_ON });
    const flags = await session((s) =>
      s.w.rows<{ county_code: string; flag_id: string; household_id: string; rule_id: string; severity: string }>(
        't',
        "select county_code, flag_id, household_id, rule_id, severity from flags where period = '2026-10' and status = 'issued' order by county_code, household_id, flag_id",
      ),
    );
    const indexed = Object.entries(index.counties).flatMap(([code, c]) => c.flags.map(([flagId, householdId, ruleId, severity]) => ({ county_code: code, flag_id: flagId, household_id: householdId, rule_id: ruleId, severity })));
    expect(indexed).toEqual(flags); // one due date for the month: the index's order is household, flag
    // nothing answered yet, every flag first issued this month
    for (const c of Object.values(index.counties)) for (const f of c.flags) expect(f.slice(4)).toEqual([DUE_ON, 0, 1, null, null]);
    // compact: one line
    expect((await indexText('2026-10')).split('\n')).toHaveLength(2);
  });

  it('is the same bytes on a re-run of the month on a later day', async () => {
    const first = await indexText('2026-10');
    const firstRelease = await readlink(join(dataDir, 'out/2026-10'));
    await session((s) => runMonth(s, '2026-10', { today: '2026-11-05' }));
    expect(await readlink(join(dataDir, 'out/2026-10'))).not.toBe(firstRelease);
    expect(await indexText('2026-10')).toBe(first);
  });
});

describe('after feedback imports', () => {
  const answeredFlags = () => households[0].flagIds.length + households[1].flagIds.length;

  it('a refresh after an import changes the answered counts; the county page and the league page say what the warehouse says', async () => {
    const before = (await readPeriodIndex(dataDir, '2026-10'))!;
    expect(await readPeriodIndex(dataDir, '2026-10')).toBe(before); // parsed once while the file is unchanged
    const path = await fillIn(
      '2026-10',
      [
        [0, '属实-已停保', '张三', '2026-11-05'],
        [1, '不属实-数据源错误', '李四', '2026-11-06'],
        [2, '已核实', '王五', '2026-11-05'], // not an allowed result: a refused row
        [3, '核实中', '赵六', '2026-11-07'], // not an answer
      ],
      'returned.xlsx',
    );
    const result = await session((s) => importFeedback(s.w, path, { config: s.config.config, state: s.state, actor: 'xc', receivedOn: '2026-11-10' }));
    expect(result).toMatchObject({ status: 'imported', accepted: answeredFlags() + households[3].flagIds.length });
    expect(await readPeriodIndex(dataDir, '2026-10')).toBe(before); // not refreshed yet: the file is unchanged

    expect(await session((s) => refreshPeriodIndex(s.w, dataDir, '2026-10', s.config.config))).toEqual(['2026-10']);
    const index = (await readPeriodIndex(dataDir, '2026-10'))!;
    expect(index).not.toBe(before);

    const issued = households.reduce((a, h) => a + h.flagIds.length, 0);
    const page = countyPeriodStatus(index, county, '2026-11-20', everyone);
    const imported = await session((s) => s.w.one<{ at: string }>('t', "select strftime(imported_at, '%Y-%m-%d %H:%M:%S') as at from feedback_imports where file = 'returned.xlsx'"));
    expect(page).toMatchObject({
      period: '2026-10',
      dueOn: DUE_ON,
      daysLeft: -4,
      households: households.length,
      flags: issued,
      answered: answeredFlags(),
      open: issued - answeredFlags(),
      overdue: issued - answeredFlags(), // 2026-11-20 is past every flag's due date
    });
    expect(page.uploads).toEqual([
      {
        importId: expect.any(String),
        file: 'returned.xlsx',
        actor: 'xc',
        importedAt: imported!.at,
        receivedOn: '2026-11-10',
        state: 'current',
        reason: null,
        accepted: result.accepted,
        rejected: 1,
        unanswered: result.unanswered,
        rejections: [{ sheet: SHEET.households, row: households[2].row, reason: expect.stringMatching(/not one of the allowed results/) }],
      },
    ]);
    const open = new Set(households.slice(2).flatMap((h) => h.flagIds));
    expect(new Set(page.openFlags.map((f) => f.flagId))).toEqual(open);
    expect(page.openFlags.every((f) => f.dueOn === DUE_ON && f.daysOverdue === 4)).toBe(true);
    // before the due date: nothing overdue, days left counted to it
    expect(countyPeriodStatus(index, county, '2026-11-12', everyone)).toMatchObject({ daysLeft: 4, overdue: 0, open: issued - answeredFlags() });

    // the league page: the record from the index is kpiReport's on every day
    const downloads = new Map([[county.code, { firstOwn: '2026-11-02 09:00:00', n: 3 }]]);
    for (const asOf of ['2026-11-09', '2026-11-10', DUE_ON, '2026-11-17', '2026-12-01']) {
      const status = periodStatus(index, [...COUNTIES], asOf, downloads);
      const expected = await session((s) => kpiReport(s.w, '2026-10', asOf, s.config.config));
      expect(status.counties.map((c) => c.kpi), asOf).toEqual(expected);
    }
    const status = periodStatus(index, [county, COUNTIES.find((c) => c.code !== county.code)!], '2026-11-20', downloads);
    expect(status).toMatchObject({ period: '2026-10', issuedOn: ISSUED_ON, dueOn: DUE_ON, asOf: '2026-11-20' });
    expect(status.counties[0]).toMatchObject({ downloadedAt: '2026-11-02 09:00:00', downloads: 3, answeredAt: imported!.at, kpi: { issued, answeredOnTime: answeredFlags(), overdue: issued - answeredFlags() } });
    expect(status.counties[1]).toMatchObject({ downloadedAt: null, downloads: 0, answeredAt: null, kpi: { answeredOnTime: 0 } });
  });

  it('a refusal filed under the county by another county’s account is left off its page by the caller’s predicate; `hedui feedback import` refreshes the index', async () => {
    const other = COUNTIES.find((c) => c.code !== county.code)!;
    const refused = await session((s) => importFeedback(s.w, join(dataDir, 'returned.xlsx'), { config: s.config.config, state: s.state, actor: 'bt', expectCounty: other.code, receivedOn: '2026-11-11' }));
    expect(refused).toMatchObject({ status: 'refused', county: county.code, period: '2026-10' });
    // Both uploads within one second (the index shows whole seconds), the one with the larger
    // import_id later: the later is listed first. Sorted by the shown text they tied, and came in
    // import_id order.
    const byId = await session((s) => s.w.rows<{ actor: string }>('t', 'select actor from feedback_imports where county_code = $county order by import_id', { county: county.code }));
    expect(byId.map((r) => r.actor).sort()).toEqual(['bt', 'xc']);
    await session((s) => s.w.exec('t', "update feedback_imports set imported_at = timestamp '2026-11-11 10:00:00.1' + to_milliseconds(case when actor = $later then 800 else 0 end)", { later: byId[1].actor }));
    await session((s) => refreshPeriodIndex(s.w, dataDir, '2026-10', s.config.config));
    const index = (await readPeriodIndex(dataDir, '2026-10'))!;
    const state = { bt: 'refused', xc: 'current' } as Record<string, string>;
    expect(countyPeriodStatus(index, county, '2026-11-20', everyone).uploads.map((u) => [u.actor, u.state])).toEqual([byId[1].actor, byId[0].actor].map((a) => [a, state[a]]));
    expect(countyPeriodStatus(index, county, '2026-11-20', (actor) => actor !== 'bt').uploads.map((u) => u.actor)).toEqual(['xc']);

    // a corrected file through the command line: household 3 answered now, the earlier file superseded
    const corrected = await fillIn(
      '2026-10',
      [
        [0, '属实-已停保', '张三', '2026-11-05'],
        [1, '不属实-数据源错误', '李四', '2026-11-06'],
        [3, '属实-已整改', '赵六', '2026-11-12'],
      ],
      'corrected.xlsx',
    );
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/hedui.js'), 'feedback', 'import', corrected, '--received-on', '2026-11-12', '--by', 'operator', '--data-dir', dataDir], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const after = countyPeriodStatus((await readPeriodIndex(dataDir, '2026-10'))!, county, '2026-11-20', everyone);
    expect(after.answered).toBe(answeredFlags() + households[3].flagIds.length);
    expect(after.uploads.map((u) => [u.file, u.state])).toEqual([
      ['corrected.xlsx', 'current'],
      ['returned.xlsx', 'refused'],
      ['returned.xlsx', 'superseded'],
    ]);
  });

  it('an answer in next month’s workbook to a carried-over flag rewrites this month’s index too: its record and its page', async () => {
    await mkdir(join(dataDir, 'inbox/roster/2026-11'), { recursive: true });
    await copyFile(join(dataDir, 'inbox/roster/2026-10/在保名册_2026-10.csv'), join(dataDir, 'inbox/roster/2026-11/在保名册_2026-11.csv'));
    await session((s) => runMonth(s, '2026-11', { today: '2026-12-01' }));
    const november = (await readPeriodIndex(dataDir, '2026-11'))!;
    const carried = flagsOf(november, county.code).filter((f) => f[6] === 0);
    expect(carried.length, 'open flags of October are issued again in November').toBeGreaterThan(0);
    const octoberBefore = await indexText('2026-10');

    const first = carried[0];
    const path = await fillIn('2026-11', [[first[1], '属实-已整改', '钱七', '2026-12-03']], 'november.xlsx');
    const result = await session((s) => importFeedback(s.w, path, { config: s.config.config, state: s.state, actor: 'xc', receivedOn: '2026-12-04' }));
    expect(result).toMatchObject({ status: 'imported', period: '2026-11' });
    expect(await session((s) => refreshPeriodIndex(s.w, dataDir, '2026-11', s.config.config))).toEqual(['2026-11', '2026-10']);
    expect(await indexText('2026-10')).not.toBe(octoberBefore);

    const october = (await readPeriodIndex(dataDir, '2026-10'))!;
    const answered = flagsOf(october, county.code).find((f) => f[0] === first[0])!;
    expect(answered.slice(5)).toEqual([1, 1, '2026-12-04', 'confirmed']); // answered late: due 2026-11-16
    const asOf = '2026-12-05';
    const expected = await session((s) => kpiReport(s.w, '2026-10', asOf, s.config.config));
    expect(periodStatus(october, [...COUNTIES], asOf, new Map()).counties.map((c) => c.kpi)).toEqual(expected);
    expect(expected.find((k) => k.countyCode === county.code)!.answeredLate).toBeGreaterThan(0);
  });

  it('holds no ID number, no name and nothing a county typed, before and after the imports', async () => {
    const roster = parse(await readFile(join(dataDir, 'inbox/roster/2026-10/在保名册_2026-10.csv'), 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    const ids = new Set(roster.flatMap((r) => [r['户主身份证号'], r['身份证号']]).filter(Boolean));
    const names = new Set(roster.map((r) => r['姓名']).filter(Boolean));
    expect(ids.size).toBeGreaterThan(10);
    expect(names.size).toBeGreaterThan(10);
    for (const period of ['2026-10', '2026-11']) {
      const text = await indexText(period);
      expect(text, period).not.toMatch(/\d{17}[\dXx]/);
      for (const id of ids) expect(text.includes(id), `${period}: an ID number`).toBe(false);
      for (const name of names) expect(text.includes(name), `${period}: the name ${name}`).toBe(false);
      for (const typed of ['张三', '李四', '赵六', '钱七', '入户核实']) expect(text.includes(typed), `${period}: ${typed}`).toBe(false);
    }
  });

  it('nightly writes the index of a month published without one (or with an older one), and leaves a current one alone', async () => {
    const october = await indexText('2026-10');
    await rm(indexPath('2026-10'));
    await writeFile(indexPath('2026-11'), JSON.stringify({ schema: 'hedui-period-index-0', period: '2026-11' }) + '\n');
    expect(await readPeriodIndex(dataDir, '2026-10')).toBeUndefined();
    expect(await readPeriodIndex(dataDir, '2026-11')).toBeUndefined(); // another schema: as if none
    await session(async (s) => {
      try {
        await nightly(s, { today: '2026-12-05' }); // nothing new to load: no month is run again
      } catch (e) {
        if (!(e instanceof GateHeldError)) throw e; // feeds due by then are missing from the tiny inbox
      }
    });
    expect(await indexText('2026-10')).toBe(october);
    expect((await readPeriodIndex(dataDir, '2026-11'))?.schema).toBe(PERIOD_INDEX_SCHEMA);
    expect(await session((s) => indexPublishedPeriods(s.w, dataDir, s.config.config))).toEqual([]);
    expect(await readPeriodIndex(dataDir, '2026-12')).toBeUndefined(); // not published
    expect(await session((s) => refreshPeriodIndex(s.w, dataDir, '2026-12', s.config.config))).toEqual([]);
    await expect(readPeriodIndex(dataDir, '../x')).rejects.toThrow();
  });
});

/** A flag row of a hand-made index. */
const flag = (flagId: string, householdId: string, dueOn: string, answered: 0 | 1, firstIssued: 0 | 1, answeredOn: string | null = null, answer: IndexedFlag[8] = null): IndexedFlag => [
  flagId,
  householdId,
  'vehicle-owned',
  'medium',
  dueOn,
  answered,
  firstIssued,
  answeredOn,
  answer,
];

describe('the status pages from a hand-made index', () => {
  const [a, b] = COUNTIES;
  const upload = (importId: string, actor: string, importedAt: string, o: { status?: string; supersededBy?: string | null; reason?: string | null; rejections?: [string, number, string][] } = {}) => ({
    importId,
    file: `${importId}.xlsx`,
    actor,
    importedAt,
    receivedOn: importedAt.slice(0, 10),
    status: o.status ?? 'imported',
    supersededBy: o.supersededBy ?? null,
    reason: o.reason ?? null,
    accepted: 1,
    rejected: o.rejections?.length ?? 0,
    unanswered: 2,
    rejections: o.rejections ?? [],
  });
  // in the index's order: due date, household, flag
  const index: PeriodIndex = {
    schema: PERIOD_INDEX_SCHEMA,
    period: '2026-10',
    issuedOn: ISSUED_ON,
    dueOn: DUE_ON,
    flagFields: ['flagId', 'householdId', 'ruleId', 'severity', 'dueOn', 'answered', 'firstIssued', 'answeredOn', 'answer'],
    counties: {
      [a.code]: {
        flags: [
          flag('f4', 'h3', '2026-10-16', 0, 0), // carried over from September, open
          flag('f1', 'h1', DUE_ON, 1, 1, '2026-11-10', 'confirmed'), // on time
          flag('f2', 'h1', DUE_ON, 0, 1), // open, due before today
          flag('f6', 'h5', DUE_ON, 1, 1, '2026-11-18', 'other'), // late
          flag('f3', 'h2', '2026-11-30', 0, 1), // open, due after today
          flag('f5', 'h4', '2026-11-30', 1, 1, '2026-11-25', 'data_error'), // answered after today
        ],
        imports: [
          upload('i2', 'xc', '2026-11-25 10:00:00'),
          upload('r1', 'bt', '2026-11-12 08:00:00', { status: 'refused', reason: '这是 150102 的核对表 (a workbook of another county)' }),
          upload('i1', 'xc', '2026-11-10 09:00:00', { supersededBy: 'i2', rejections: [['疑点家庭', 5, '核实人缺失 (verifier missing)']] }),
        ],
      },
    },
  };
  const TODAY = '2026-11-20';

  it('a county’s page: counts, the earliest open due date, uploads as the predicate allows, open flags by due date', () => {
    const page = countyPeriodStatus(index, a, TODAY, (actor) => actor !== 'bt');
    expect(page).toMatchObject({ county: a, period: '2026-10', today: TODAY, dueOn: '2026-10-16', daysLeft: -35, households: 5, flags: 6, answered: 3, open: 3, overdue: 2 });
    expect(page.openFlags.map((f) => [f.flagId, f.householdId, f.dueOn, f.daysOverdue])).toEqual([
      ['f4', 'h3', '2026-10-16', 35],
      ['f2', 'h1', DUE_ON, 4],
      ['f3', 'h2', '2026-11-30', 0],
    ]);
    expect(page.openFlags[0]).toMatchObject({ ruleId: 'vehicle-owned', ruleTitle: expect.not.stringMatching(/^vehicle-owned$/), severity: 'medium' });
    expect(page.uploads.map((u) => [u.importId, u.state])).toEqual([
      ['i2', 'current'],
      ['i1', 'superseded'],
    ]);
    expect(page.uploads[1].rejections).toEqual([{ sheet: '疑点家庭', row: 5, reason: '核实人缺失 (verifier missing)' }]);
    expect(countyPeriodStatus(index, a, TODAY, () => true).uploads.map((u) => u.state)).toEqual(['current', 'refused', 'superseded']);
  });

  it('a county with nothing in the index: no due date, zeros', () => {
    expect(countyPeriodStatus(index, b, TODAY, () => true)).toMatchObject({ dueOn: null, daysLeft: null, households: 0, flags: 0, answered: 0, open: 0, overdue: 0, uploads: [], openFlags: [] });
  });

  it('the league page: the record of the flags first issued this month on the as-of day, the current answer’s import time, the downloads given', () => {
    const downloads = new Map([[a.code, { firstOwn: null, n: 2 }]]);
    const on20 = periodStatus(index, [a, b], TODAY, downloads);
    expect(on20).toMatchObject({ period: '2026-10', issuedOn: ISSUED_ON, dueOn: DUE_ON, asOf: TODAY });
    // f5's answer reached the region after the as-of day: not counted yet
    expect(on20.counties[0]).toMatchObject({
      downloadedAt: null,
      downloads: 2,
      answeredAt: '2026-11-25 10:00:00',
      kpi: { issued: 5, answeredOnTime: 1, answeredLate: 1, unanswered: 3, overdue: 1, confirmed: 1, dataErrors: 0, confirmedShare: 0.5, dataErrorShare: 0 },
    });
    expect(on20.counties[1]).toMatchObject({ downloadedAt: null, downloads: 0, answeredAt: null, kpi: { countyCode: b.code, issued: 0, confirmedShare: null } });
    expect(periodStatus(index, [a], '2026-12-01', downloads).counties[0].kpi).toMatchObject({
      issued: 5,
      answeredOnTime: 2,
      answeredLate: 1,
      unanswered: 2,
      overdue: 2,
      confirmed: 1,
      dataErrors: 1,
      confirmedShare: 0.3333,
      dataErrorShare: 0.3333,
    });
    expect(periodStatus({ ...index, issuedOn: null, dueOn: null }, [a], TODAY, downloads)).toMatchObject({ issuedOn: '', dueOn: '' });
  });
});

describe('the record (pipeline/kpi.ts)', () => {
  const [a, b] = COUNTIES;
  const cases: { description: string; given: KpiFlag[]; asOf: string; expect: Partial<KpiRow> }[] = [
    { description: 'answered on the due date: on time', given: [{ countyCode: a.code, dueOn: DUE_ON, answeredOn: DUE_ON, answer: 'confirmed' }], asOf: '2026-12-01', expect: { issued: 1, answeredOnTime: 1, confirmed: 1, confirmedShare: 1 } },
    { description: 'answered a day after: late', given: [{ countyCode: a.code, dueOn: DUE_ON, answeredOn: '2026-11-17', answer: 'data_error' }], asOf: '2026-12-01', expect: { answeredLate: 1, dataErrors: 1, dataErrorShare: 1, overdue: 0 } },
    { description: 'answered after the as-of day: unanswered, overdue past its due date', given: [{ countyCode: a.code, dueOn: DUE_ON, answeredOn: '2026-11-20', answer: 'confirmed' }], asOf: '2026-11-19', expect: { answeredOnTime: 0, unanswered: 1, overdue: 1, confirmed: 0, confirmedShare: null } },
    { description: 'unanswered on its due date: not overdue yet', given: [{ countyCode: a.code, dueOn: DUE_ON, answeredOn: null, answer: null }], asOf: DUE_ON, expect: { unanswered: 1, overdue: 0 } },
    { description: 'another closing result: answered, in neither share', given: [{ countyCode: a.code, dueOn: DUE_ON, answeredOn: '2026-11-02', answer: 'other' }], asOf: '2026-11-02', expect: { answeredOnTime: 1, confirmedShare: 0, dataErrorShare: 0 } },
    { description: 'a code that is not a county of the region: not counted', given: [{ countyCode: '110101', dueOn: DUE_ON, answeredOn: null, answer: null }], asOf: DUE_ON, expect: { issued: 0 } },
  ];
  for (const c of cases) {
    it(c.description, () => {
      const rows = kpiOfFlags(c.given, c.asOf);
      expect(rows.map((r) => r.countyCode)).toEqual(COUNTIES.map((x) => x.code)); // every county, by code
      expect(rows[0]).toMatchObject({ leagueCode: a.leagueCode, leagueName: a.leagueName, countyCode: a.code, countyName: a.name, ...c.expect });
      expect(rows[1]).toMatchObject({ countyCode: b.code, issued: 0 });
    });
  }

  it('kpiReport (kpi.sql + kpiOfFlags) gives the rows of the per-county SQL it replaces, on every day around the due dates', async () => {
    const days = ['2026-11-01', '2026-11-10', '2026-11-11', DUE_ON, '2026-11-17', '2026-12-04', '2026-12-05', '2027-01-31'];
    await session(async (s) => {
      const c = s.config.config;
      for (const period of ['2026-10', '2026-11']) {
        for (const asOf of days) {
          const before = await s.w.rows<Record<string, any>>('t', KPI_SQL_BEFORE, { period, as_of: asOf, open_results: c.feedback.open, confirmed_results: c.feedback.confirmed, data_error_results: c.feedback.data_error });
          const share = (p: number, w: number) => (w > 0 ? Math.round((p / w) * 10_000) / 10_000 : null);
          const expected = before.map((r) => ({
            leagueCode: r.league_code,
            leagueName: r.league_name,
            countyCode: r.county_code,
            countyName: r.county_name,
            issued: r.issued,
            answeredOnTime: r.answered_on_time,
            answeredLate: r.answered_late,
            unanswered: r.unanswered,
            overdue: r.overdue,
            confirmed: r.confirmed,
            dataErrors: r.data_errors,
            confirmedShare: share(r.confirmed, r.answered_on_time + r.answered_late),
            dataErrorShare: share(r.data_errors, r.answered_on_time + r.answered_late),
          }));
          expect(await kpiReport(s.w, period, asOf, c), `${period} as of ${asOf}`).toEqual(expected);
        }
      }
      // the month has answers on time and late, confirmed and data errors: the comparison compared something
      const october = await kpiReport(s.w, '2026-10', '2026-12-05', c);
      expect(october.some((r) => r.answeredOnTime > 0 && r.dataErrors > 0)).toBe(true);
      expect(october.some((r) => r.answeredLate > 0)).toBe(true);
    });
  });

  it('the index from the warehouse and buildPeriodIndex agree with the file', async () => {
    const built = await session((s) => buildPeriodIndex(s.w, '2026-10', s.config.config));
    expect(JSON.stringify(built) + '\n').toBe(await indexText('2026-10'));
  });
});

// kpi.sql as it was before the record moved to JS (kpiOfFlags): counts per county in SQL.
const KPI_SQL_BEFORE = `
with issued as (
  select flag_id, county_code, due_on
  from flags
  where period = $period and first_issued_period = $period and status = 'issued'
),
answers as (
  select d.flag_id, min(d.received_on) as answered_on, arg_min(d.result, d.received_on) as result
  from dispositions d
  join feedback_imports i using (import_id)
  where i.status = 'imported' and i.superseded_by is null
    and not list_contains($open_results, d.result)
    and d.received_on <= $as_of::date
  group by d.flag_id
),
per_county as (
  select
    i.county_code,
    count(*)::integer as issued,
    count(*) filter (where a.answered_on <= i.due_on)::integer as answered_on_time,
    count(*) filter (where a.answered_on > i.due_on)::integer as answered_late,
    count(*) filter (where a.answered_on is null)::integer as unanswered,
    count(*) filter (where a.answered_on is null and $as_of::date > i.due_on)::integer as overdue,
    count(*) filter (where list_contains($confirmed_results, a.result))::integer as confirmed,
    count(*) filter (where list_contains($data_error_results, a.result))::integer as data_errors
  from issued i
  left join answers a using (flag_id)
  group by i.county_code
)
select
  d.league_code, d.league_name, d.county_code, d.county_name,
  coalesce(p.issued, 0) as issued,
  coalesce(p.answered_on_time, 0) as answered_on_time,
  coalesce(p.answered_late, 0) as answered_late,
  coalesce(p.unanswered, 0) as unanswered,
  coalesce(p.overdue, 0) as overdue,
  coalesce(p.confirmed, 0) as confirmed,
  coalesce(p.data_errors, 0) as data_errors
from divisions d
left join per_county p using (county_code)
order by d.county_code`;
