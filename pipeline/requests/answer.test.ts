import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/config.ts';
import { withWarehouse } from '../warehouse.ts';
import { openState } from '../state.ts';
import { csv } from '../load/test-support.ts';
import { makeId, stageGiven } from '../../rules/test-support.ts';
import { takeRequests } from './intake.ts';
import { answerRequests } from './answer.ts';

const config = loadConfig().config;
const applicant = makeId('150102', '19800101', '001');
const spouse = makeId('150102', '19820202', '002');
const child = makeId('150102', '20100303', '003');
const outsider = makeId('150203', '19830303', '004'); // married to the applicant, not in the family
const alone = makeId('150102', '19700505', '005');
const enrolled = makeId('150102', '19600606', '006');

const HEADER = ['委托编号', '委托单位', '委托日期', '核对类型', '申请类别', '户编号', '身份证号', '姓名', '与申请人关系', '授权书签署日期'];
const member = (no: string, id: string, name: string, relation: string, kind = '新申请', ref = '') => [no, '150102', '2026-11-10', kind, '城市低保', ref, id, name, relation, '2026-11-09'];

/** Cells of a sheet as text rows (from its header row on). */
async function sheetRows(path: string, sheet: string): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const rows: string[][] = [];
  wb.getWorksheet(sheet)!.eachRow((row) => rows.push(Array.from((row.values as ExcelJS.CellValue[]).slice(1), (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v == null ? '' : String(v)))));
  return rows;
}

describe('answering check requests', () => {
  it("writes one 核对报告 per request: each rule's finding for the family as if enrolled, each member's records, the feeds used and missing", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hedui-requests-'));
    await withWarehouse(async (w) => {
      await stageGiven(w, dataDir, {
        roster: [{ household_id: '1501020000099', person_id: enrolled, name: '赵在保' }],
        'provident-fund': [{ person_id: applicant, contribution_base: 6000, employer: '某建筑公司' }],
        vehicles: [{ owner_id: spouse, plate_no: '蒙A77777' }],
        marriages: [{ male_id: applicant, female_id: outsider, registered_on: '2015-05-05' }],
      });
      const dir = join(dataDir, 'inbox', 'requests', '2026-11-12');
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, '委托.csv'),
        csv([
          HEADER,
          member('WT-1', applicant, '张申', '本人'),
          member('WT-1', spouse, '李配', '配偶'),
          member('WT-1', child, '张子', '子女'),
          member('WT-2', alone, '孙独', '本人'),
          member('WT-3', enrolled, '赵在保', '本人', '复核', '1501020000099'),
        ]),
      );
      const state = openState(dataDir);
      await takeRequests(w, dataDir, { config, state, actor: 'test' });
      const answered = await answerRequests(w, dataDir, { config, state, actor: 'test', today: '2026-11-20' });
      expect(answered).toEqual([
        { county: '150102', requestNo: 'WT-1', reportFile: 'out/requests/150102/WT-1/核对报告_WT-1.xlsx', findings: 3, late: false },
        { county: '150102', requestNo: 'WT-2', reportFile: 'out/requests/150102/WT-2/核对报告_WT-2.xlsx', findings: 0, late: false },
        { county: '150102', requestNo: 'WT-3', reportFile: 'out/requests/150102/WT-3/核对报告_WT-3.xlsx', findings: 0, late: false },
      ]);

      const report = join(dataDir, answered[0].reportFile);
      const lines = await sheetRows(report, '核对报告');
      expect(lines[1][0]).toBe('委托编号：WT-1　委托单位：呼和浩特市 新城区（150102）');
      expect(lines[2][0]).toBe('委托日期：2026-11-10　收到日期：2026-11-12　应完成日期：2026-11-25　报告日期：2026-11-20');
      const results = lines.slice(lines.findIndex((l) => l[0] === '核对项目') + 1);
      const byTitle = (part: string) => results.filter((l) => l[0].includes(part)).map((l) => l.slice(1, 4));
      expect(byTitle('公积金')).toEqual([['发现疑点', '高', '张申']]);
      expect(byTitle('机动车')).toEqual([['发现疑点', '中', '李配']]);
      expect(byTitle('配偶')).toEqual([['发现疑点', '中', '张申']]);
      expect(results.find((l) => l[0].includes('市场主体'))?.slice(1)).toEqual(['未核对', '', '', '', '缺少市场主体登记数据（见“数据来源”）']);
      expect(results.filter((l) => l[1] === '不适用').length).toBeGreaterThan(3);
      // the spouse outside the family is shown masked, the family's own IDs whole
      const spouseLine = results.find((l) => l[0].includes('配偶'))!;
      expect(spouseLine[4]).toBe(applicant);
      expect(spouseLine[5]).toContain(`${outsider.slice(0, 6)}********${outsider.slice(14)}`);
      expect(spouseLine[5]).not.toContain(outsider);

      const records = await sheetRows(report, '部门数据');
      expect(records.slice(1).map((r) => [r[0], r[2], r[3]])).toEqual([
        ['张申', '住房公积金', '2026-10'],
        ['张申', '婚姻登记', '2026-10'],
        ['李配', '机动车登记', '2026Q3'],
      ]);
      expect(records.slice(1).find((r) => r[2] === '婚姻登记')![5]).not.toContain(outsider);

      // nothing found for a family without records; the enrolled family's 复核 shows its roster record
      expect((await sheetRows(join(dataDir, answered[1].reportFile), '核对报告')).filter((l) => l[1] === '发现疑点')).toEqual([]);
      const enrolledRecords = await sheetRows(join(dataDir, answered[2].reportFile), '部门数据');
      expect(enrolledRecords.slice(1).map((r) => [r[0], r[2], r[3]])).toEqual([['赵在保', '在保名册', '2026-10']]);

      const sources = await sheetRows(report, '数据来源');
      expect(sources.find((r) => r[0] === '市场主体登记')?.slice(1)).toEqual(['', '', '', '尚未交付']);
      expect(await w.rows('t', "select request_no, status, strftime(answered_on, '%Y-%m-%d') as answered_on from check_requests order by request_no")).toEqual([
        { request_no: 'WT-1', status: 'answered', answered_on: '2026-11-20' },
        { request_no: 'WT-2', status: 'answered', answered_on: '2026-11-20' },
        { request_no: 'WT-3', status: 'answered', answered_on: '2026-11-20' },
      ]);
      // answered once: the next run has nothing to do; the month's context is gone
      expect(await answerRequests(w, dataDir, { config, state, actor: 'test', today: '2026-11-21' })).toEqual([]);
      expect(existsSync(`${report}.tmp`)).toBe(false);
      expect(await w.one('t', "select count(*)::integer as n from duckdb_tables() where table_name in ('int_households', 'req_members')")).toEqual({ n: 0 });
      state.close();
    }, dataDir);
  });
});
