/**
 * The feedback loop on the tiny fixtures: a county fills in its workbook as counties do (some
 * rows wrong), the region imports it; the whitelist gains exactly the data-error entries; next
 * month suppresses those, closes the answered ones, re-issues the unanswered ones as overdue,
 * flags a stop that did not happen, and the KPI figures match a hand count.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, copyFile, writeFile } from 'node:fs/promises';
import { bomb as zipBomb } from './load/test-support.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runMonth, withSession, type Session } from './run.ts';
import { importEntries } from './whitelist.ts';
import { importFeedback, type FeedbackImportResult } from './feedback.ts';
import { kpiReport } from './kpi.ts';
import { COUNTIES } from '../domain/divisions.ts';
import { DETAILS, FIXED_CELLS, HOUSEHOLDS, SHEET, countyWorkbookPath } from './publish/workbook-contract.ts';

const TINY = new URL('../fixtures/tiny/', import.meta.url).pathname;
let dataDir: string;
let county: (typeof COUNTIES)[number];
let households: { row: number; householdId: string; flagIds: string[] }[];

const session = <T>(fn: (s: Session) => Promise<T>) => withSession({ dataDir, command: 'test' }, fn);
const workbookPath = (period: string) => join(dataDir, 'out', period, countyWorkbookPath(period, county));

/** Fills rows of the returned workbook: [row index into `households`, result, verifier, date]. */
async function fillIn(answers: [number, string, string, string | Date][], out: string, edit?: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(workbookPath('2026-10'));
  const ws = wb.getWorksheet(SHEET.households)!;
  for (const [i, result, verifier, date] of answers) {
    const row = ws.getRow(households[i].row);
    row.getCell(HOUSEHOLDS.col.disposition).value = result;
    row.getCell(HOUSEHOLDS.col.note).value = '入户核实';
    row.getCell(HOUSEHOLDS.col.verifiedBy).value = verifier;
    row.getCell(HOUSEHOLDS.col.verifiedOn).value = date;
  }
  edit?.(wb);
  const path = join(dataDir, out);
  await wb.xlsx.writeFile(path);
  return path;
}

const importAs = (path: string, extra: { expectCounty?: string; receivedOn?: string } = {}) =>
  session((s) => importFeedback(s.w, path, { config: s.config.config, state: s.state, actor: 'test', receivedOn: '2026-11-10', ...extra }));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hedui-feedback-'));
  await cp(TINY, dataDir, { recursive: true });
  await session(async (s) => {
    await importEntries(s.w, s.state, join(dataDir, 'whitelist.csv'), s.config.config, 'test');
    await runMonth(s, '2026-10', { today: '2026-11-01' }); // published on 2026-11-01 (China Standard Time): due 2026-11-16
  });
  // the county with the most flagged households
  const counts = await session((s) =>
    s.w.rows<{ county_code: string; n: number }>('t', "select county_code, count(distinct household_id)::integer as n from flags where period = '2026-10' and status = 'issued' group by 1 order by 2 desc, 1 limit 1"),
  );
  county = COUNTIES.find((c) => c.code === counts[0].county_code)!;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(workbookPath('2026-10'));
  households = [];
  wb.getWorksheet(SHEET.households)!.eachRow((r, n) => {
    if (n > 1) households.push({ row: n, householdId: String(r.getCell(HOUSEHOLDS.col.householdId).value), flagIds: String(r.getCell(HOUSEHOLDS.col.flagIds).value).split(',') });
  });
  expect(households.length).toBeGreaterThanOrEqual(6);
});

describe('feedback', () => {
  let first: FeedbackImportResult;

  it('imports a filled-in workbook: good rows count, each bad row is reported by row and reason', async () => {
    const path = await fillIn(
      [
        [0, '属实-已停保', '张三', '2026-11-05'],
        [1, '不属实-数据源错误', '李四', new Date(Date.UTC(2026, 10, 6))],
        [2, '已核实', '王五', '2026-11-05'], // not an allowed result
        [3, '属实-已整改', '王五', '2026-10-20'], // before the issue date (2026-11-01)
        [4, '核实中', '赵六', '2026-11-07'],
        [5, '属实-已整改', '', '2026-11-07'], // no verifier
      ],
      'returned.xlsx',
    );
    first = await importAs(path);
    // counted per flag: a household's answer answers each of its flags
    const n = (i: number) => households[i].flagIds.length;
    const unanswered = households.slice(6).reduce((a, h) => a + h.flagIds.length, 0);
    expect(first).toMatchObject({ status: 'imported', county: county.code, period: '2026-10', accepted: n(0) + n(1) + n(4), unanswered });
    expect(first.rejected).toEqual([
      { sheet: SHEET.households, row: households[2].row, reason: expect.stringMatching(/not one of the allowed results/) },
      { sheet: SHEET.households, row: households[3].row, reason: expect.stringMatching(/before the issue date/) },
      { sheet: SHEET.households, row: households[5].row, reason: expect.stringMatching(/verifier missing/) },
    ]);
  });

  it('puts exactly the data-error flags on the whitelist, pinned to their evidence', async () => {
    expect(first.whitelisted).toBe(households[1].flagIds.length);
    const entries = await session((s) =>
      s.w.rows<{ n: number }>('t', "select count(*)::integer as n from whitelist e join flags f on f.person_id = e.person_id and f.fingerprint = e.fingerprint and f.rule_id = e.scope where f.period = '2026-10' and list_contains($ids, f.flag_id) and e.added_by like '%李四'", { ids: households[1].flagIds }),
    );
    expect(entries[0].n).toBe(households[1].flagIds.length);
  });

  it('re-importing the same file is a no-op; a workbook of another county or an unknown version is refused whole', async () => {
    expect((await importAs(join(dataDir, 'returned.xlsx'))).status).toBe('unchanged');
    const other = COUNTIES.find((c) => c.code !== county.code)!.code;
    const wrongCounty = await importAs(join(dataDir, 'returned.xlsx'), { expectCounty: other });
    expect(wrongCounty).toMatchObject({ status: 'refused', reason: expect.stringMatching(/a workbook of another county/), accepted: 0 });
    const oldVersion = await fillIn([[0, '属实-已整改', '张三', '2026-11-05']], 'old.xlsx', (wb) => {
      wb.getWorksheet(SHEET.readme)!.getCell(FIXED_CELLS.schemaVersion.cell).value = 'hedui-county-1';
    });
    expect(await importAs(oldVersion)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/unknown schema version/) });
  });

  it('a zip bomb (200 MB of zeros in ~200 KB) is refused before anything unpacks it, and recorded as refused', async () => {
    const bomb = join(dataDir, 'bomb.xlsx');
    await writeFile(bomb, await zipBomb(200));

    const r = await importAs(bomb); // exceljs would take seconds and gigabytes: the directory alone refuses it
    expect(r).toMatchObject({ status: 'refused', reason: expect.stringMatching(/疑似压缩炸弹.*a zip bomb/), county: null, accepted: 0 });
    const recorded = await session((s) => s.w.rows<{ status: string; reason: string }>('t', "select status, reason from feedback_imports where file = 'bomb.xlsx'"));
    expect(recorded).toEqual([{ status: 'refused', reason: r.reason }]);
  });

  it('an older file imported again after a newer one is the current answer again, and the result says so and names the file it replaces', async () => {
    const current = () =>
      session((s) => s.w.rows<{ file: string }>('t', "select file from feedback_imports where county_code = $c and period = '2026-10' and status = 'imported' and superseded_by is null", { c: county.code }));
    // a corrected file: household 4 answered 属实-已整改 instead of 核实中
    const corrected = await fillIn(
      [
        [0, '属实-已停保', '张三', '2026-11-05'],
        [1, '不属实-数据源错误', '李四', new Date(Date.UTC(2026, 10, 6))],
        [4, '属实-已整改', '赵六', '2026-11-07'],
      ],
      'corrected.xlsx',
    );
    expect(await importAs(corrected, { receivedOn: '2026-11-12' })).toMatchObject({ status: 'imported', supersedes: 'returned.xlsx' });
    expect(await current()).toEqual([{ file: 'corrected.xlsx' }]);
    // the earlier file again: current again as it was first imported (its answers keep their day received)
    const again = await importAs(join(dataDir, 'returned.xlsx'), { receivedOn: '2026-11-13' });
    expect(again).toMatchObject({ status: 'reinstated', county: county.code, period: '2026-10', supersedes: 'corrected.xlsx', accepted: first.accepted, unanswered: first.unanswered });
    expect(again.rejected).toEqual(first.rejected);
    expect(await current()).toEqual([{ file: 'returned.xlsx' }]);
    const received = await session((s) =>
      s.w.rows<{ received_on: string }>('t', "select distinct strftime(d.received_on, '%Y-%m-%d') as received_on from dispositions d join feedback_imports i using (import_id) where i.file = 'returned.xlsx' and i.status = 'imported'"),
    );
    expect(received).toEqual([{ received_on: '2026-11-10' }]);
    // once more: the current file is a no-op
    expect((await importAs(join(dataDir, 'returned.xlsx'))).status).toBe('unchanged');
  });

  it('next month: data errors suppressed, answered flags closed, unanswered ones overdue with their first dates, a stop not judged within its grace month', async () => {
    for (const feed of ['roster']) {
      await mkdir(join(dataDir, 'inbox', feed, '2026-11'), { recursive: true });
      await copyFile(join(dataDir, 'inbox/roster/2026-10/在保名册_2026-10.csv'), join(dataDir, 'inbox/roster/2026-11/在保名册_2026-11.csv'));
    }
    await session((s) => runMonth(s, '2026-11', { today: '2026-12-01' }));
    const status = await session((s) =>
      s.w.rows<{ flag_id: string; status: string; first_issued_period: string; due_on: string }>('t', "select flag_id, status, first_issued_period, due_on::varchar as due_on from flags where period = '2026-11' and county_code = $c", { c: county.code }),
    );
    const of = (i: number) => households[i].flagIds.map((id) => status.find((f) => f.flag_id === id)?.status);
    expect(of(0).every((s) => s === 'closed')).toBe(true); // 属实-已停保
    // data error → whitelist: what the rules find again is suppressed; a finding bound to October (an
    // amount paid for 2026-10, judged in its own month) is not found again, and answered, not carried over
    expect(of(1).filter(Boolean).every((s) => s === 'suppressed') && of(1).includes('suppressed')).toBe(true);
    for (const i of [2, 3, 4, 5, 6]) expect(of(i).every((s) => s === 'issued'), `household row ${i}`).toBe(true); // rejected, 核实中, unanswered
    const reissued = status.find((f) => f.flag_id === households[4].flagIds[0])!;
    expect(reissued).toMatchObject({ first_issued_period: '2026-10', due_on: '2026-11-16' });
    // the stop was verified on 2026-11-05: it takes effect from December (grace_months 1), so November's roster may still show the household
    const notStopped = await session((s) => s.w.rows('t', "select household_id, status from flags where period = '2026-11' and rule_id = 'benefit-not-stopped'"));
    expect(notStopped).toEqual([]);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(workbookPath('2026-11'));
    const shown = new Map<string, number>();
    wb.getWorksheet(SHEET.households)!.eachRow((r, n) => n > 1 && shown.set(String(r.getCell(HOUSEHOLDS.col.householdId).value), Number(r.getCell(HOUSEHOLDS.col.daysOverdue).value ?? 0)));
    expect(shown.get(households[4].householdId)).toBe(15); // due 2026-11-16, issued again 2026-12-01
    expect(shown.has(households[1].householdId)).toBe(false);
  });

  it('KPI of 2026-10 as of 2026-12-01 matches a hand count', async () => {
    const rows = await session((s) => kpiReport(s.w, '2026-10', '2026-12-01', s.config.config));
    const mine = rows.find((r) => r.countyCode === county.code)!;
    const n = (i: number) => households[i].flagIds.length;
    const issued = households.reduce((a, h) => a + h.flagIds.length, 0);
    const answered = n(0) + n(1); // received 2026-11-10, due 2026-11-16: on time; 核实中 is not an answer
    expect(mine).toMatchObject({
      issued,
      answeredOnTime: answered,
      answeredLate: 0,
      unanswered: issued - answered,
      overdue: issued - answered,
      confirmed: n(0),
      dataErrors: n(1),
      confirmedShare: Math.round((n(0) / answered) * 10000) / 10000,
    });
    expect(rows.filter((r) => r.countyCode !== county.code).every((r) => r.answeredOnTime === 0)).toBe(true);

    // the November summary carries October's record as of its own issue date, 2026-12-01
    const summary = new ExcelJS.Workbook();
    await summary.xlsx.readFile(join(dataDir, 'out/2026-11/summary.xlsx'));
    let row: unknown[] | undefined;
    summary.getWorksheet('考核')!.eachRow((r) => {
      if (r.getCell(3).value === county.code) row = (r.values as unknown[]).slice(1, 12);
    });
    expect(row).toEqual([county.leagueCode, county.leagueName, county.code, county.name, issued, answered, 0, issued - answered, issued - answered, n(0), n(1)]);
  });
});

/**
 * Answers per flag (hedui-county-3): a household with two flags answered on 疑点明细 one by one; a
 * flag left blank there takes its household's answer from 疑点家庭; a workbook of the former format
 * (hedui-county-2, no answer columns on 疑点明细) still imports, by household. Runs after the
 * month-to-month tests above, so the imports here supersede nothing they read.
 */
describe('feedback per flag', () => {
  let target: { county: (typeof COUNTIES)[number]; householdId: string; flags: { flag_id: string; issued_on: string; person_id: string; rule_id: string; fingerprint: string }[] };
  const path10 = () => join(dataDir, 'out', '2026-10', countyWorkbookPath('2026-10', target.county));
  const day = () => target.flags.map((f) => f.issued_on).sort().at(-1)!; // on or after every flag's issue date

  beforeAll(async () => {
    // a household with two flags or more, preferably in a county the tests above did not answer
    const rows = await session((s) =>
      s.w.rows<{ county_code: string; household_id: string }>(
        't',
        "select county_code, household_id from flags where period = '2026-10' and status = 'issued' group by county_code, household_id having count(*) >= 2 order by county_code = $c, county_code, household_id limit 1",
        { c: county.code },
      ),
    );
    expect(rows.length, 'the tiny fixtures hold a household with two flags').toBe(1);
    const flags = await session((s) =>
      s.w.rows<{ flag_id: string; issued_on: string; person_id: string; rule_id: string; fingerprint: string }>(
        't',
        "select flag_id, strftime(issued_on, '%Y-%m-%d') as issued_on, person_id, rule_id, fingerprint from flags where period = '2026-10' and status = 'issued' and household_id = $h order by flag_id",
        { h: rows[0].household_id },
      ),
    );
    target = { county: COUNTIES.find((c) => c.code === rows[0].county_code)!, householdId: rows[0].household_id, flags };
  });

  /** The target county's workbook with answers by flag id on 疑点明细 and optionally one for the household on 疑点家庭. */
  async function answerPerFlag(out: string, perFlag: Record<string, [string, string]>, household?: [string, string], edit?: (wb: ExcelJS.Workbook) => void): Promise<string> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path10());
    const details = wb.getWorksheet(SHEET.details)!;
    details.eachRow((r, n) => {
      const answer = perFlag[String(r.getCell(DETAILS.col.flagId).value)];
      if (n <= DETAILS.headerRow || !answer) return;
      r.getCell(DETAILS.col.disposition).value = answer[0];
      r.getCell(DETAILS.col.note).value = '逐条核实';
      r.getCell(DETAILS.col.verifiedBy).value = answer[1];
      r.getCell(DETAILS.col.verifiedOn).value = day();
    });
    if (household) {
      wb.getWorksheet(SHEET.households)!.eachRow((r, n) => {
        if (n <= HOUSEHOLDS.headerRow || String(r.getCell(HOUSEHOLDS.col.householdId).value) !== target.householdId) return;
        r.getCell(HOUSEHOLDS.col.disposition).value = household[0];
        r.getCell(HOUSEHOLDS.col.verifiedBy).value = household[1];
        r.getCell(HOUSEHOLDS.col.verifiedOn).value = day();
      });
    }
    edit?.(wb);
    const path = join(dataDir, out);
    await wb.xlsx.writeFile(path);
    return path;
  }

  const dispositionsOf = (r: FeedbackImportResult) =>
    session((s) =>
      s.w.rows<{ flag_id: string; result: string; verifier: string }>('t', 'select flag_id, result, verifier from dispositions where import_id = $id order by flag_id', { id: `F${r.sha256.slice(0, 15)}` }),
    );
  const whitelistedBy = (verifier: string) =>
    session((s) =>
      s.w.rows<{ person_id: string; scope: string; fingerprint: string }>('t', 'select person_id, scope, fingerprint from whitelist where added_by = $by order by all', { by: `${target.county.name} ${verifier}` }),
    );
  const importTarget = (path: string) => importAs(path, { expectCounty: target.county.code, receivedOn: day() });

  it('a household with one true lead and one wrong department record, answered per flag: only the wrong record is whitelisted', async () => {
    const [lead, wrong] = target.flags;
    const path = await answerPerFlag('per-flag.xlsx', { [lead.flag_id]: ['属实-已整改', '周七'], [wrong.flag_id]: ['不属实-数据源错误', '周七'] });
    const r = await importTarget(path);
    expect(r).toMatchObject({ status: 'imported', county: target.county.code, accepted: 2, whitelisted: 1, rejected: [] });
    expect(await dispositionsOf(r)).toEqual(
      [
        { flag_id: lead.flag_id, result: '属实-已整改', verifier: '周七' },
        { flag_id: wrong.flag_id, result: '不属实-数据源错误', verifier: '周七' },
      ].sort((a, b) => a.flag_id.localeCompare(b.flag_id)),
    );
    // the whitelist holds the wrong record's evidence only, not the household's other flags
    expect(await whitelistedBy('周七')).toEqual([{ person_id: wrong.person_id, scope: wrong.rule_id, fingerprint: wrong.fingerprint }]);
  });

  it("a flag left blank on 疑点明细 takes its household's answer; a flag's own answer wins; a bad flag row does not fall back", async () => {
    const [first, second, ...others] = target.flags;
    const path = await answerPerFlag('inherit.xlsx', { [second.flag_id]: ['不属实-数据源错误', '郑九'] }, ['属实-已整改', '吴八'], (wb) => {
      // a second copy of the second flag's answer further down: refused as a duplicate, the first one stands
      const details = wb.getWorksheet(SHEET.details)!;
      details.addRow([]);
      const dup = details.getRow(details.rowCount + 1);
      dup.getCell(DETAILS.col.flagId).value = second.flag_id;
      dup.getCell(DETAILS.col.householdId).value = target.householdId;
      dup.getCell(DETAILS.col.disposition).value = '属实-已停保';
      dup.getCell(DETAILS.col.verifiedBy).value = '郑九';
      dup.getCell(DETAILS.col.verifiedOn).value = day();
    });
    const r = await importTarget(path);
    expect(r.status).toBe('imported');
    expect(r.rejected).toEqual([{ sheet: SHEET.details, row: expect.any(Number), reason: expect.stringMatching(/answered on an earlier row/) }]);
    const got = new Map((await dispositionsOf(r)).map((d) => [d.flag_id, d]));
    expect(got.get(first.flag_id)).toMatchObject({ result: '属实-已整改', verifier: '吴八' }); // blank: the household's
    expect(got.get(second.flag_id)).toMatchObject({ result: '不属实-数据源错误', verifier: '郑九' }); // its own
    for (const f of others) expect(got.get(f.flag_id)).toMatchObject({ result: '属实-已整改', verifier: '吴八' });
    expect(r.accepted).toBe(target.flags.length);
    // the second flag's evidence is on the whitelist (since the test above: the same entry), the household's other flags' is not
    const entriesFor = (f: (typeof target.flags)[number]) =>
      session((s) => s.w.rows('t', 'select entry_id from whitelist where person_id = $p and scope = $r and fingerprint = $f', { p: f.person_id, r: f.rule_id, f: f.fingerprint }));
    expect(await entriesFor(second)).toHaveLength(1);
    for (const f of [first, ...others]) expect(await entriesFor(f)).toEqual([]);
    expect(await whitelistedBy('吴八')).toEqual([]);
  });

  it('a workbook of the former format (hedui-county-2: answers per household only) still imports', async () => {
    const path = await answerPerFlag('old-format.xlsx', {}, ['属实-已停保', '王十'], (wb) => {
      wb.getWorksheet(SHEET.readme)!.getCell(FIXED_CELLS.schemaVersion.cell).value = 'hedui-county-2';
      // hedui-county-2 had no answer columns on 疑点明细
      wb.getWorksheet(SHEET.details)!.spliceColumns(DETAILS.col.disposition, 4);
    });
    const r = await importTarget(path);
    expect(r).toMatchObject({ status: 'imported', accepted: target.flags.length, rejected: [] });
    expect((await dispositionsOf(r)).map((d) => [d.flag_id, d.result, d.verifier])).toEqual(target.flags.map((f) => [f.flag_id, '属实-已停保', '王十']));
  });
});
