import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { mkdtemp, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../config/config.ts';
import { household, makeId, stageGiven, type Given } from '../../rules/test-support.ts';
import { withWarehouse, type Warehouse } from '../warehouse.ts';
import { matchMonth } from '../match.ts';
import { monthInputs } from '../inputs.ts';
import { parseMonth } from '../period.ts';
import { runSteps } from '../steps.ts';
import { openState } from '../state.ts';
import { assistSentStep, writeAssistWorkbooks } from './publish.ts';
import { importAssistAnswers } from './answers.ts';
import { assistStatuses, assistTotals } from './status.ts';
import { ASSIST_REQUESTS, assistWorkbookPath } from './contract.ts';

// the month is 2026-10; households of 新城区 (150102, league 1501 呼和浩特市) by default
const person = (n: number) => makeId('150102', '19800101', String(n).padStart(3, '0'));
const permit = (person_id: string, residence_division: string, issued_on = '2026-03-01', valid_until: string | null = '2027-02-28') => ({
  person_id,
  residence_division,
  residence_county: residence_division.slice(0, 6),
  issued_on,
  valid_until,
});

const GIVEN: Given = {
  roster: [
    ...household('H1', { authorization_signed_on: '2026-02-03' }, [{ person_id: person(1) }, { person_id: person(11), relation: '配偶', is_covered: false }]),
    ...household('H2', {}, [{ person_id: person(2) }]),
    ...household('H3', {}, [{ person_id: person(3) }]),
    ...household('H4', {}, [{ person_id: person(4) }]),
    // not authorized: nobody of it is asked about
    ...household('H5', { authorization_signed_on: null }, [{ person_id: person(5) }]),
    // marked 人户分离: asked about all the same (the request is how a 人户分离 household is checked)
    ...household('H6', { registered_elsewhere: true }, [{ person_id: person(6) }]),
    ...household('H7', {}, [{ person_id: person(7) }]),
  ],
  residence: [
    // 北京市朝阳区: another province; the spouse, not covered, is a member all the same
    permit(person(11), '110105024006'),
    // 包头市昆都仑区: another league
    permit(person(2), '150203001002'),
    // 呼和浩特市回民区: another county of the same league, no request
    permit(person(3), '150103001'),
    // expired before the month's end: no request
    permit(person(4), '110105024006', '2025-01-01', '2026-01-31'),
    permit(person(5), '130102001'),
    permit(person(6), '130102001', '2026-05-01', null),
  ],
  // a 户籍 elsewhere says where a person is registered, not where they live: no request
  hukou: [{ person_id: person(7), division_code: '110105024006', county_code: '110105', cancelled: false, moved_in_on: null, moved_out_on: null }],
};

async function month(w: Warehouse, config: Config): Promise<void> {
  const m = parseMonth('2026-10');
  await matchMonth(w, m, config, (await monthInputs(w, m, config)).snapshots);
}

const requests = (w: Warehouse) =>
  w.rows<{ request_id: string; kind: string; target_code: string; period: string; person_id: string; household_id: string; auth_signed_on: string | null; sent_on: string | null; superseded_by: string | null }>(
    'test',
    "select request_id, kind, target_code, period, person_id, household_id, strftime(auth_signed_on, '%Y-%m-%d') as auth_signed_on, strftime(sent_on, '%Y-%m-%d') as sent_on, superseded_by from assist_requests order by period, person_id",
  );

/** An earlier period's request, sent and unanswered. */
const earlier = (w: Warehouse, id: string, kind: string, target: string, period: string, personId: string, sentOn: string) =>
  w.exec(
    'test',
    "insert into assist_requests (request_id, kind, target_code, period, household_id, person_id, county_code, residence_division, items, sent_on) values ($id, $kind, $target, $period, 'HX', $person, '150102', '110105', '户籍', $sent::date)",
    { id, kind, target, period, person: personId, sent: sentOn },
  );

describe('cross-province and cross-league requests', () => {
  it('ask about members of authorized households whose current 居住证 is outside their league: another province through the region, another league directly', async () => {
    const { config } = loadConfig();
    const dataDir = await mkdtemp(join(tmpdir(), 'hedui-assist-'));
    await withWarehouse(async (w) => {
      await stageGiven(w, dataDir, GIVEN);
      await month(w, config);
      const got = await requests(w);
      expect(got.map((r) => [r.kind, r.target_code, r.household_id, r.person_id, r.auth_signed_on, r.sent_on])).toEqual([
        ['league', '1502', 'H2', person(2), '2025-01-01', null],
        ['province', '13', 'H6', person(6), '2025-01-01', null],
        ['province', '11', 'H1', person(11), '2026-02-03', null],
      ]);
      expect(got.map((r) => r.request_id)).toEqual([expect.stringMatching(/^XC202610-[0-9A-F]{10}$/), expect.stringMatching(/^KS202610-[0-9A-F]{10}$/), expect.stringMatching(/^KS202610-[0-9A-F]{10}$/)]);

      // a re-run before publication replaces them with the same; once sent, they stay as sent
      await month(w, config);
      expect(await requests(w)).toEqual(got);
      await runSteps(w, [assistSentStep('2026-10', '2026-11-05')]);
      await month(w, config);
      expect((await requests(w)).map((r) => [r.request_id, r.sent_on])).toEqual(got.map((r) => [r.request_id, '2026-11-05']));
    }, dataDir);
  });

  it('ask again only after recheck_months: a request of 11 months before stands, one of 12 months before is superseded by a new one', async () => {
    const { config } = loadConfig();
    const dataDir = await mkdtemp(join(tmpdir(), 'hedui-assist-'));
    await withWarehouse(async (w) => {
      await stageGiven(w, dataDir, GIVEN);
      await earlier(w, 'KS202511-OLD', 'province', '11', '2025-11', person(11), '2025-12-05');
      await earlier(w, 'XC202510-OLD', 'league', '1502', '2025-10', person(2), '2025-11-05');
      // the same person about another place is another request
      await earlier(w, 'KS202609-OTHER', 'province', '13', '2026-09', person(2), '2026-10-05');
      await month(w, config);
      const got = await requests(w);
      expect(got.map((r) => [r.request_id.slice(0, 8), r.period, r.person_id, r.superseded_by?.slice(0, 8) ?? null])).toEqual([
        ['XC202510', '2025-10', person(2), 'XC202610'],
        ['KS202511', '2025-11', person(11), null],
        ['KS202609', '2026-09', person(2), null],
        ['XC202610', '2026-10', person(2), null],
        ['KS202610', '2026-10', person(6), null],
      ]);
      // a re-run gives the superseded request back before replacing the unsent one
      await month(w, config);
      expect(await requests(w)).toEqual(got);

      const statuses = await assistStatuses(w, config, '2026-11-20');
      expect(statuses.map((s) => [s.requestId.slice(0, 8), s.state])).toEqual([
        ['KS202610', 'unsent'],
        ['XC202610', 'unsent'],
        ['KS202609', 'overdue'], // sent 2026-10-05, 46 days > cross_province_days (30)
        ['KS202511', 'overdue'],
        ['XC202510', 'superseded'],
      ]);
    }, dataDir);
  });

  it('go out in request workbooks with the overdue ones; answers come back by row, checked, the last answer counting', async () => {
    const { config } = loadConfig();
    const dataDir = await mkdtemp(join(tmpdir(), 'hedui-assist-'));
    const state = openState(dataDir);
    const release = join(dataDir, 'release');
    await withWarehouse(async (w) => {
      await stageGiven(w, dataDir, GIVEN);
      // sent 2026-10-20, unanswered: past cross_league_days (15) on 2026-11-05; one sent 2026-10-25 is not yet
      await earlier(w, 'XC202609-LATE', 'league', '1502', '2026-09', person(7), '2026-10-20');
      await earlier(w, 'XC202609-WAIT', 'league', '1502', '2026-09', person(4), '2026-10-25');
      await month(w, config);
      await mkdir(join(release, '1502_包头市'), { recursive: true });
      const files = await writeAssistWorkbooks(w, release, '2026-10', config, '2026-11-05');
      expect(files.map((f) => [f.path, f.rows])).toEqual([
        [assistWorkbookPath('2026-10', 'province', '15'), { requests: 2, overdue: 0 }],
        [assistWorkbookPath('2026-10', 'league', '1502'), { requests: 1, overdue: 1 }],
      ]);
      expect(existsSync(join(release, assistWorkbookPath('2026-10', 'league', '1501')))).toBe(false);
      await runSteps(w, [assistSentStep('2026-10', '2026-11-05')]);

      // the league's workbook: this period's request, then the overdue one
      const leaguePath = join(release, assistWorkbookPath('2026-10', 'league', '1502'));
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(leaguePath);
      const sheet = wb.getWorksheet(ASSIST_REQUESTS.sheet)!;
      const col = ASSIST_REQUESTS.col;
      expect([2, 3].map((n) => [sheet.getRow(n).getCell(col.personId).value, sheet.getRow(n).getCell(col.state).value])).toEqual([
        [person(2), '本期新请求'],
        [person(7), '逾期未回复（2026-09 期请求，已 16 天）'],
      ]);
      const answer = (n: number, result: string, by: string, on: string) => {
        const row = sheet.getRow(n);
        row.getCell(col.result).value = result;
        row.getCell(col.answeredBy).value = by;
        row.getCell(col.answeredOn).value = on;
      };
      answer(2, '发现异常', '包头市民政局', '2026-11-18');
      answer(3, '未发现异常', '', '2026-11-18'); // who answered is missing
      const answered = join(dataDir, 'answered-1502.xlsx');
      await wb.xlsx.writeFile(answered);

      const options = { config, state, actor: 'test', receivedOn: '2026-11-20' };
      const first = await importAssistAnswers(w, answered, options);
      expect([first.status, first.kind, first.targetCode, first.accepted, first.unanswered, first.rejected]).toEqual(['imported', 'league', '1502', 1, 0, [{ row: 3, reason: '缺少回复单位 (who answered is missing)' }]]);
      expect((await importAssistAnswers(w, answered, options)).status).toBe('unchanged');
      // another league's account may not answer it
      const other = await importAssistAnswers(w, answered, { ...options, expectLeague: '1501' });
      expect([other.status, other.reason]).toEqual(['refused', '这不是 1501 的协查请求表 (a workbook for another place)']);

      // the region's workbook: a result not allowed, a date before sending, a request of another workbook, an unanswered row
      const provincePath = join(release, assistWorkbookPath('2026-10', 'province', '15'));
      const pwb = new ExcelJS.Workbook();
      await pwb.xlsx.readFile(provincePath);
      const ps = pwb.getWorksheet(ASSIST_REQUESTS.sheet)!;
      ps.getRow(2).getCell(col.result).value = '有房';
      ps.getRow(2).getCell(col.answeredBy).value = '河北省民政厅';
      ps.getRow(2).getCell(col.answeredOn).value = '2026-11-10';
      ps.getRow(3).getCell(col.result).value = '未发现异常';
      ps.getRow(3).getCell(col.answeredBy).value = '北京市民政局';
      ps.getRow(3).getCell(col.answeredOn).value = '2026-11-01';
      ps.getRow(4).values = [];
      ps.getRow(4).getCell(col.requestId).value = 'XC202609-LATE';
      ps.getRow(4).getCell(col.result).value = '未发现异常';
      ps.getRow(4).getCell(col.answeredBy).value = '某单位';
      ps.getRow(4).getCell(col.answeredOn).value = '2026-11-10';
      const provinceAnswered = join(dataDir, 'answered-province.xlsx');
      await pwb.xlsx.writeFile(provinceAnswered);
      const second = await importAssistAnswers(w, provinceAnswered, options);
      expect([second.status, second.accepted, second.rejected.map((r) => r.row)]).toEqual(['imported', 0, [2, 3, 4]]);
      expect(second.rejected.map((r) => r.reason)).toEqual([
        '核对结果不在可选范围内 (not one of the allowed results)',
        '回复日期早于请求日期 2026-11-05 (before the request was sent)',
        '请求编号不是本表发出的请求 (not a request of this workbook\'s kind and place)',
      ]);

      // a later file answering the same request replaces the answer
      answer(2, '未发现异常', '包头市民政局', '2026-11-19');
      const again = join(dataDir, 'answered-1502-again.xlsx');
      await wb.xlsx.writeFile(again);
      expect((await importAssistAnswers(w, again, options)).accepted).toBe(1);
      const statuses = await assistStatuses(w, config, '2026-11-20');
      const byId = new Map(statuses.map((s) => [s.requestId.startsWith('XC202610') ? 'new-1502' : s.requestId, s]));
      expect([byId.get('new-1502')!.state, byId.get('new-1502')!.result, byId.get('new-1502')!.answeredOn]).toEqual(['answered', '未发现异常', '2026-11-19']);
      expect(byId.get('XC202609-LATE')!.state).toBe('overdue');
      expect(byId.get('XC202609-WAIT')!.state).toBe('overdue'); // 26 days after 2026-10-25 on 2026-11-20
      expect(assistTotals(statuses, config).map((t) => [t.kind, t.targetCode, t.requests, t.waiting, t.overdue, t.answered])).toEqual([
        ['province', '11', 1, 1, 0, 0],
        ['province', '13', 1, 1, 0, 0],
        ['league', '1502', 3, 0, 2, 1],
      ]);
    }, dataDir);
    state.close();
  });

  it('refuse a file that is not a request workbook of ours, recording nothing', async () => {
    const { config } = loadConfig();
    const dataDir = await mkdtemp(join(tmpdir(), 'hedui-assist-'));
    const state = openState(dataDir);
    await withWarehouse(async (w) => {
      const wb = new ExcelJS.Workbook();
      wb.addWorksheet('Sheet1').addRow(['请求编号', '核对结果']);
      const path = join(dataDir, 'other.xlsx');
      await wb.xlsx.writeFile(path);
      const r = await importAssistAnswers(w, path, { config, state, actor: 'test', receivedOn: '2026-11-20' });
      expect([r.status, r.reason]).toEqual(['refused', '不是本系统发出的核对请求表：缺少工作表「说明」或「核对请求」 (not a hedui request workbook)']);
    }, dataDir);
    state.close();
  });
});
