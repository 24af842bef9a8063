/**
 * The feedback loop on the tiny fixtures: a county fills in its workbook as counties do (some
 * rows wrong), the region imports it; the whitelist gains exactly the data-error entries; next
 * month suppresses those, closes the answered ones, re-issues the unanswered ones as overdue,
 * flags a stop that did not happen, and the KPI figures match a hand count.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runMonth, withSession, type Session } from './run.ts';
import { importEntries } from './whitelist.ts';
import { importFeedback, type FeedbackImportResult } from './feedback.ts';
import { kpiReport } from './kpi.ts';
import { COUNTIES } from '../domain/divisions.ts';
import { FIXED_CELLS, HOUSEHOLDS, SHEET, countyWorkbookPath } from './publish/workbook-contract.ts';

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
  session((s) => importFeedback(s.w, path, { config: s.config.config, actor: 'test', receivedOn: '2026-11-10', ...extra }));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hedui-feedback-'));
  await cp(TINY, dataDir, { recursive: true });
  await session(async (s) => {
    await importEntries(s.w, join(dataDir, 'whitelist.csv'), s.config.config, 'test');
    await runMonth(s, '2026-10');
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
    expect(first).toMatchObject({ status: 'imported', county: county.code, period: '2026-10', accepted: 3, unanswered: households.length - 6 });
    expect(first.rejected).toEqual([
      { row: households[2].row, reason: expect.stringMatching(/not one of the allowed results/) },
      { row: households[3].row, reason: expect.stringMatching(/before the issue date/) },
      { row: households[5].row, reason: expect.stringMatching(/verifier missing/) },
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

  it('next month: data errors suppressed, answered flags closed, unanswered ones overdue, an unenforced stop flagged', async () => {
    for (const feed of ['roster']) {
      await mkdir(join(dataDir, 'inbox', feed, '2026-11'), { recursive: true });
      await copyFile(join(dataDir, 'inbox/roster/2026-10/在保名册_2026-10.csv'), join(dataDir, 'inbox/roster/2026-11/在保名册_2026-11.csv'));
    }
    await session((s) => runMonth(s, '2026-11'));
    const status = await session((s) =>
      s.w.rows<{ flag_id: string; status: string; first_issued_period: string; due_on: string }>('t', "select flag_id, status, first_issued_period, due_on::varchar as due_on from flags where period = '2026-11' and county_code = $c", { c: county.code }),
    );
    const of = (i: number) => households[i].flagIds.map((id) => status.find((f) => f.flag_id === id)?.status);
    expect(of(0).every((s) => s === 'closed')).toBe(true); // 属实-已停保
    expect(of(1).every((s) => s === 'suppressed')).toBe(true); // data error → whitelist
    for (const i of [2, 3, 4, 5, 6]) expect(of(i).every((s) => s === 'issued'), `household row ${i}`).toBe(true); // rejected, 核实中, unanswered
    const reissued = status.find((f) => f.flag_id === households[4].flagIds[0])!;
    expect(reissued).toMatchObject({ first_issued_period: '2026-10', due_on: '2026-11-16' });
    const notStopped = await session((s) => s.w.rows('t', "select household_id, status from flags where period = '2026-11' and rule_id = 'benefit-not-stopped'"));
    expect(notStopped).toEqual([{ household_id: households[0].householdId, status: 'issued' }]);

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
