import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUMMARY_SHEET, writeSummaryWorkbook } from './summary-workbook.ts';
import { sampleSummary } from './test-data.ts';
import { readZipText } from './test-zip.ts';

const dir = await mkdtemp(join(tmpdir(), 'hedui-summary-'));

const values = (ws: ExcelJS.Worksheet, n: number): unknown[] => (ws.getRow(n).values as unknown[]).slice(1);

describe('writeSummaryWorkbook', () => {
  it('writes region, league, county, quality, source and gate sheets from counts alone', async () => {
    const path = join(dir, 'summary.xlsx');
    const result = await writeSummaryWorkbook(path, sampleSummary());
    expect(result.rows).toEqual({ counties: 3, leagues: 2, quarantineFiles: 2, gates: 2 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '分县', '数据质量', '数据源', '闸门']);

    const totals = wb.getWorksheet(SUMMARY_SHEET.totals)!;
    expect(values(totals, 3)).toEqual(['盟市代码', '盟市', '旗县市区数', '疑点家庭', '疑点明细', '白名单已屏蔽', '待补授权', '待补义务人授权']);
    expect(totals.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(values(totals, 4)).toEqual(['150100', '呼和浩特市', 2, 3, 4, 2, 5, 2]);
    expect(values(totals, 5)).toEqual(['150200', '包头市', 1, 5, 7, 1, 0, 1]);
    expect(values(totals, 6)).toEqual([undefined, '全区合计', 3, 8, 11, 3, 5, 3]);
    // per rule, the flags by the 风险等级 each carries in the county workbooks
    expect(values(totals, 8)).toEqual(['规则编号', '疑点规则', '疑点明细', '其中风险等级高', '其中风险等级中', '其中风险等级低']);
    expect(values(totals, 9)).toEqual(['provident-fund-income', '公积金缴存', 1, 1, 0, 0]);
    expect(values(totals, 10)).toEqual(['vehicle-owned', '名下有机动车', 10, 0, 8, 2]);

    const counties = wb.getWorksheet(SUMMARY_SHEET.counties)!;
    expect(values(counties, 1)).toEqual(['盟市代码', '盟市', '旗县市区代码', '旗县市区', '疑点家庭', '疑点明细', '白名单已屏蔽', '待补授权', '待补义务人授权', '公积金缴存', '名下有机动车', '应追回金额（元）']);
    expect(values(counties, 2)).toEqual(['150100', '呼和浩特市', '150102', '新城区', 3, 4, 2, 2, 2, 1, 3, 1600.5]);
    expect(values(counties, 3)).toEqual(['150100', '呼和浩特市', '150105', '赛罕区', 0, 0, 0, 3, 0, 0, 0, 0]);
    expect(values(counties, 4)[2]).toBe('150202');

    const quality = wb.getWorksheet(SUMMARY_SHEET.quality)!;
    expect(values(quality, 1)).toEqual(['数据', '文件', '读取行数', '入库行数', '隔离行数', '隔离比例', '身份证校验位错误', 'masked_id']);
    expect(values(quality, 2)).toEqual(['provident-fund', 'gjj_202610.xlsx', 200, 200, 0, 0, 0, 0]);
    expect(values(quality, 3)).toEqual(['vehicles', '机动车_2026Q3.csv', 1000, 990, 10, 0.01, 7, 3]);

    const sources = wb.getWorksheet(SUMMARY_SHEET.sources)!;
    expect(values(sources, 3)).toEqual(['vehicles', '机动车登记', '2026Q1', 7, '过期：超过最长间隔']);
    // an event feed reads every period up to the month
    expect(values(sources, 4)).toEqual(['payments', '一卡通发放', '截至2026-10（累计）', 0, '正常']);

    const gates = wb.getWorksheet(SUMMARY_SHEET.gates)!;
    expect(values(gates, 2)).toEqual(['quarantine-share', '机动车_2026Q3.csv', '通过', '隔离 1.0% < 10%']);
    expect(values(gates, 3)[2]).toBe('暂停，待人工确认');
  });

  it('is byte-identical for identical data (and for the same counties in another order)', async () => {
    const a = await writeSummaryWorkbook(join(dir, 'a.xlsx'), sampleSummary());
    const shuffled = sampleSummary();
    shuffled.counties.reverse();
    const b = await writeSummaryWorkbook(join(dir, 'b.xlsx'), shuffled);
    expect(a.sha256).toBe(b.sha256);
    const xml = await readZipText(join(dir, 'a.xlsx'));
    for (const [name, body] of xml) if (name.startsWith('xl/worksheets/')) expect(body).not.toMatch(/<f[ >]/);
  });

  it('refuses per-rule severity counts that disagree with the county counts', async () => {
    const data = sampleSummary();
    data.rules[1].issuedBySeverity = { high: 9 }; // the counties say 10
    await expect(writeSummaryWorkbook(join(dir, 'bad-severity.xlsx'), data)).rejects.toThrow(/vehicle-owned: its flags by severity/);
  });

  it('refuses a county count for a rule it was not told about', async () => {
    const data = sampleSummary();
    data.counties[0].byRule['no-such-rule'] = 1;
    await expect(writeSummaryWorkbook(join(dir, 'bad.xlsx'), data)).rejects.toThrow(/no-such-rule/);
  });
});
