import { describe, expect, it, vi } from 'vitest';
import ExcelJS from 'exceljs';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCountyWorkbook } from './county-workbook.ts';
import { DETAILS, FIXED_CELLS, HOUSEHOLDS, OBLIGOR_PENDING, PENDING, RECHECK, SHEET, UNPAID } from './workbook-contract.ts';
import { DISPOSITIONS, emptyCountyData, meta, sampleCountyData } from './test-data.ts';
import { readZipText } from './test-zip.ts';
import { WORKBOOK_SCHEMA_VERSION } from './workbook-data.ts';
import { WorkbookDataError, headerWidth, sha256File } from './xlsx-format.ts';

const dir = await mkdtemp(join(tmpdir(), 'hedui-county-'));

async function writeAndRead(name: string, data = sampleCountyData()) {
  const path = join(dir, name);
  const result = await writeCountyWorkbook(path, data);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return { path, result, wb };
}

const rowValues = (ws: ExcelJS.Worksheet, n: number): unknown[] => (ws.getRow(n).values as unknown[]).slice(1);
const utc = (s: string): Date => new Date(`${s}T00:00:00Z`);

describe('writeCountyWorkbook', () => {
  it('lays out the seven sheets in order with their Chinese headers, frozen and filtered', async () => {
    const { wb, result } = await writeAndRead('layout.xlsx');
    expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '疑点家庭', '疑点明细', '待补授权', '未发放名单', '待补义务人授权', '定期核查到期']);
    expect(result.rows).toEqual({ households: 3, details: 4, pendingAuthorization: 2, unpaid: 1, obligorPending: 2, recheck: 2 });

    const tables: [string, string[], number][] = [
      [SHEET.households, HOUSEHOLDS.columns.map((c) => c.header), 1],
      [SHEET.details, DETAILS.columns.map((c) => c.header), 1],
      [SHEET.pending, PENDING.columns.map((c) => c.header), PENDING.headerRow],
      [SHEET.unpaid, UNPAID.columns.map((c) => c.header), UNPAID.headerRow],
      [SHEET.obligorPending, OBLIGOR_PENDING.columns.map((c) => c.header), OBLIGOR_PENDING.headerRow],
      [SHEET.recheck, RECHECK.columns.map((c) => c.header), RECHECK.headerRow],
    ];
    for (const [name, headers, headerRow] of tables) {
      const ws = wb.getWorksheet(name)!;
      expect(rowValues(ws, headerRow)).toEqual(headers);
      expect(ws.getRow(headerRow).getCell(1).font?.bold).toBe(true);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: headerRow });
      expect(ws.autoFilter).toBeTruthy();
      expect(ws.getColumn(2).width).toBeGreaterThan(8);
    }
    expect(HOUSEHOLDS.columns.map((c) => c.header)).toEqual([
      '序号', '户编号', '户主姓名', '户主身份证号', '保障类别', '保障人数', '月保障金(元)', '人户分离', '疑点规则', '最高风险等级',
      '首次下发期', '下发日期', '反馈截止日期', '逾期天数', '核实结果', '核实说明', '核实人', '核实日期', '疑点编号',
    ]);
    expect(rowValues(wb.getWorksheet(SHEET.pending)!, 1)[0]).toMatch(/未与任何部门数据比对.*核对授权书/);
    const unpaid = wb.getWorksheet(SHEET.unpaid)!;
    expect(rowValues(unpaid, 1)[0]).toMatch(/没有发放成功的记录.*不是疑点/);
    expect(rowValues(unpaid, 3)).toEqual([1, '1501020011', '+赵六', expect.any(String), '城市特困', 1, 1350]);
    expect(OBLIGOR_PENDING.columns.map((c) => c.header)).toEqual([
      '序号', '户编号', '被赡养人姓名', '被赡养人身份证号', '义务人姓名', '义务人身份证号', '义务人户籍地', '关系', '授权书签署日期', '授权书有效期至', '原因',
    ]);
    expect(rowValues(wb.getWorksheet(SHEET.obligorPending)!, 1)[0]).toBe('以下赡养、抚养、扶养义务人未签署授权书或授权已失效，未对其进行核对。请补签授权书后下月核对。');
  });

  it('writes the obligors waiting for their authorization: shown IDs as text, real dates, blank where not signed', async () => {
    const { wb } = await writeAndRead('obligors.xlsx');
    const data = sampleCountyData();
    const ws = wb.getWorksheet(SHEET.obligorPending)!;
    expect(rowValues(ws, 3)).toEqual([
      1, '1501020012', '=孙七', data.obligorPending[0].supportedId, '-孙八', data.obligorPending[0].shownId, '新城区', '子',
      utc('2026-11-02'), utc('2029-11-01'), '签署日期晚于本期末',
    ]);
    // another county's obligor: masked ID, county not known, never signed (blank dates, not a zero date)
    expect(rowValues(ws, 4)).toEqual([2, '1501020012', '=孙七', data.obligorPending[1].supportedId, '孙九', '620402********4002', '外地或未知', '女', undefined, undefined, '未签署授权书']);
    expect(ws.getRow(3).getCell(OBLIGOR_PENDING.col.shownId).value).toMatch(/^\d{17}X$/);
    expect(ws.getRow(3).getCell(OBLIGOR_PENDING.col.shownId).type).toBe(ExcelJS.ValueType.String);
    expect(ws.getRow(3).getCell(OBLIGOR_PENDING.col.authSignedOn).numFmt).toBe('yyyy-mm-dd');
    expect(ws.rowCount).toBe(4);
  });

  it('writes the re-check schedule: dates as dates, the state and the renewal note, feed text never a formula', async () => {
    const { wb } = await writeAndRead('recheck.xlsx');
    const ws = wb.getWorksheet(SHEET.recheck)!;
    expect(rowValues(ws, 1)[0]).toMatch(/定期核查已逾期、本月或下月到期.*不是疑点/);
    expect(rowValues(ws, 3)).toEqual([1, '1501020000101', '=HYPERLINK("x")', '城市低保', 6, '有16–59岁成员', utc('2026-03-15'), '县级核实答复', utc('2026-09-15'), '已逾期', utc('2028-01-01')]);
    expect(rowValues(ws, 4)).toEqual([2, '1501020000102', '李某', '农村特困', 12, '其他家庭', utc('2025-11-20'), '保障起始日期', utc('2026-11-20'), '下月到期', utc('2026-12-31'), '授权即将到期，请组织续签']);
    expect(ws.getRow(3).getCell(RECHECK.col.nextDueOn).numFmt).toBe('yyyy-mm-dd');
    expect(ws.rowCount).toBe(4);
    const { wb: empty } = await writeAndRead('recheck-empty.xlsx', emptyCountyData());
    expect(empty.getWorksheet(SHEET.recheck)!.getCell('A1').value).toBe('本期没有定期核查到期或授权书即将到期的家庭。');
  });

  it('writes households with text IDs, numeric money, real dates and the hidden flag ids', async () => {
    const { wb } = await writeAndRead('households.xlsx');
    const data = sampleCountyData();
    const ws = wb.getWorksheet(SHEET.households)!;
    expect(rowValues(ws, 2)).toEqual([
      1, '1501020001', '=HYPERLINK("x")', data.households[0].headId, '城市低保', 3, 1234.5, '是',
      '名下有机动车；市场主体任职', '高', '2026-09', utc('2026-10-03'), utc('2026-10-18'), 12,
      undefined, undefined, undefined, undefined, 'f-0001,f-0002',
    ]);
    expect(data.households[0].headId).toMatch(/^\d{17}X$/);
    expect(ws.getCell('C3').value).toBe('+1');
    expect(ws.getCell('C4').value).toBe('@SUM(A1)');
    expect(ws.getCell('G2').numFmt).toBe('#,##0.00');
    expect(ws.getCell('L2').value).toBeInstanceOf(Date);
    expect(ws.getCell('L2').numFmt).toBe('yyyy-mm-dd');
    expect(ws.getCell('D2').type).toBe(ExcelJS.ValueType.String);
    expect(ws.getColumn(HOUSEHOLDS.col.flagIds).hidden).toBe(true);
    expect(ws.getColumn(HOUSEHOLDS.col.disposition).hidden).toBe(false);
    expect(ws.getCell('S4').value).toBe('f-0004');
    expect(ws.getCell('N3').value).toBeNull(); // not yet due: blank, not 0
    expect(ws.rowCount).toBe(4);
  });

  it('puts a dropdown with an error alert on 核实结果 and a date check on 核实日期', async () => {
    const { wb } = await writeAndRead('validation.xlsx');
    const ws = wb.getWorksheet(SHEET.households)!;
    for (const address of ['O2', 'O4']) {
      const dv = ws.getCell(address).dataValidation;
      expect(dv).toMatchObject({ type: 'list', showErrorMessage: true, errorStyle: 'stop', allowBlank: true });
      expect(dv.formulae).toEqual([`"${DISPOSITIONS.join(',')}"`]);
    }
    expect(ws.getCell('O5').dataValidation).toBeUndefined();
    const date = ws.getCell('R3').dataValidation;
    expect(date).toMatchObject({ type: 'date', operator: 'greaterThanOrEqual', showErrorMessage: true });
  });

  it('puts the same answer columns, dropdown and date check on 疑点明细, per flag', async () => {
    const { wb } = await writeAndRead('detail-answers.xlsx');
    const ws = wb.getWorksheet(SHEET.details)!;
    const header = (key: 'disposition' | 'note' | 'verifiedBy' | 'verifiedOn') => ws.getRow(1).getCell(DETAILS.col[key]).value;
    expect([header('disposition'), header('note'), header('verifiedBy'), header('verifiedOn')]).toEqual(['核实结果', '核实说明', '核实人', '核实日期']);
    const dv = ws.getRow(2).getCell(DETAILS.col.disposition).dataValidation;
    expect(dv).toMatchObject({ type: 'list', showErrorMessage: true, errorStyle: 'stop', allowBlank: true, formulae: [`"${DISPOSITIONS.join(',')}"`] });
    expect(dv.prompt).toMatch(/不填写则按"疑点家庭"中本户的结果/);
    expect(ws.getRow(5).getCell(DETAILS.col.verifiedOn).dataValidation).toMatchObject({ type: 'date', operator: 'greaterThanOrEqual' });
    expect(ws.getRow(6).getCell(DETAILS.col.disposition).dataValidation).toBeUndefined(); // 4 flags: rows 2-5
  });

  it('as a clerk uses it: protected without a password, only answer cells unlocked, printed landscape one page wide with repeated headers and a footer', async () => {
    const { path, wb } = await writeAndRead('clerk.xlsx');
    const xml = await readZipText(path);
    const sheetXml = (name: string) => {
      const id = wb.getWorksheet(name)!.id;
      return xml.get(`xl/worksheets/sheet${id}.xml`)!;
    };
    for (const name of Object.values(SHEET)) {
      const body = sheetXml(name);
      const protection = /<sheetProtection [^>]*\/>/.exec(body)?.[0];
      expect(protection, name).toMatch(/sheet="1"/);
      expect(protection, name).toMatch(/autoFilter="0"/); // filtering stays allowed
      expect(protection, name).not.toMatch(/hashValue|password/);
      expect(body, name).toMatch(/<pageSetUpPr fitToPage="1"\/>/);
      expect(/<pageSetup [^>]*\/>/.exec(body)?.[0], name).toMatch(/paperSize="9" orientation="landscape".*fitToWidth="1" fitToHeight="0"/);
      const footer = /<oddFooter>([^<]*)<\/oddFooter>/.exec(body)?.[1] ?? '';
      expect(footer, name).toContain('新城区（150102） 2026-10');
      expect(footer, name).toContain('&amp;P');
      expect(footer, name).toContain('&amp;N');
    }
    const workbookXml = xml.get('xl/workbook.xml')!;
    const titles = [...workbookXml.matchAll(/<definedName name="_xlnm.Print_Titles" localSheetId="(\d)">([^<]*)<\/definedName>/g)].map((m) => [Number(m[1]), m[2].replaceAll('&apos;', "'")]);
    expect(titles).toEqual([
      [1, `'${SHEET.households}'!$1:$1`],
      [2, `'${SHEET.details}'!$1:$1`],
      [3, `'${SHEET.pending}'!$1:$2`],
      [4, `'${SHEET.unpaid}'!$1:$2`],
      [5, `'${SHEET.obligorPending}'!$1:$2`],
      [6, `'${SHEET.recheck}'!$1:$2`],
    ]);

    for (const table of [HOUSEHOLDS, DETAILS]) {
      const ws = wb.getWorksheet(table.sheet)!;
      for (const c of table.columns) {
        const cell = ws.getRow(2).getCell(table.col[c.key as keyof typeof table.col]);
        expect(cell.protection?.locked === false, `${table.sheet} ${c.header}`).toBe(!!c.answer);
      }
      expect(ws.getRow(1).getCell(table.col.disposition).protection?.locked).not.toBe(false); // the header stays locked
    }
    expect(wb.getWorksheet(SHEET.readme)!.getCell(FIXED_CELLS.schemaVersion.cell).protection?.locked).not.toBe(false);
  });

  it('makes every column wide enough to show its header', async () => {
    const { wb } = await writeAndRead('widths.xlsx');
    for (const table of [HOUSEHOLDS, DETAILS, PENDING, UNPAID, OBLIGOR_PENDING, RECHECK]) {
      const ws = wb.getWorksheet(table.sheet)!;
      table.columns.forEach((c, i) => expect(ws.getColumn(i + 1).width, `${table.sheet} ${c.header}`).toBeGreaterThanOrEqual(headerWidth(c.header)));
    }
    expect(headerWidth('最高风险等级')).toBeGreaterThanOrEqual(6 * 2 + 3); // six CJK characters and the filter button
  });

  it('falls back to the list on 说明 when the dispositions do not fit an inline list', async () => {
    const data = sampleCountyData();
    data.meta.dispositions = ['属实,已处理', ...DISPOSITIONS];
    const { wb } = await writeAndRead('fallback.xlsx', data);
    const formula = wb.getWorksheet(SHEET.households)!.getCell('O2').dataValidation.formulae[0] as string;
    const m = /^'说明'!\$A\$(\d+):\$A\$(\d+)$/.exec(formula);
    expect(m).not.toBeNull();
    const readme = wb.getWorksheet(SHEET.readme)!;
    const listed = [];
    for (let r = Number(m![1]); r <= Number(m![2]); r++) listed.push(readme.getCell(`A${r}`).value);
    expect(listed).toEqual(data.meta.dispositions);
  });

  it('writes flag details and pending households', async () => {
    const { wb } = await writeAndRead('details.xlsx');
    const data = sampleCountyData();
    const ws = wb.getWorksheet(SHEET.details)!;
    expect(rowValues(ws, 2)).toEqual([
      1, 'f-0001', '1501020001', data.details[0].personId, '=HYPERLINK("x")', '本人', '是', 'vehicle-owned', '名下有机动车', '高',
      '机动车登记 2026Q1', '=1+1 号牌 蒙A12345 小型轿车 初次登记 2019-05-01', '2026-09', utc('2026-10-03'), utc('2026-10-18'),
    ]);
    expect(ws.getCell('E3').value).toBe('-张三');
    expect(ws.getCell('L4').value).toBe('缴存基数 4500.00 元，最近缴存 2026-09'); // control character dropped
    const pending = wb.getWorksheet(SHEET.pending)!;
    expect(rowValues(pending, 3)).toEqual([1, '1501020009', '-李四', data.pendingAuthorization[0].headId, '城市低保', 2, '未签署核对授权书']);
    expect(pending.getCell('D4').value).toMatch(/X$/);
  });

  it('states period, county, dates, snapshots, counts and the schema version at fixed places on 说明', async () => {
    const { wb } = await writeAndRead('readme.xlsx');
    const ws = wb.getWorksheet(SHEET.readme)!;
    expect(ws.getCell('A1').value).toBe('新城区 2026-10 社会救助家庭经济状况核对疑点');
    expect(ws.getCell(FIXED_CELLS.schemaVersion.cell).value).toBe(WORKBOOK_SCHEMA_VERSION);
    expect(ws.getCell(FIXED_CELLS.period.cell).value).toBe('2026-10');
    expect(ws.getCell(FIXED_CELLS.countyCode.cell).value).toBe('150102');
    expect(wb.definedNames.getRanges(FIXED_CELLS.schemaVersion.name).ranges).toEqual(["'说明'!$B$2"]);
    expect(wb.definedNames.getRanges(FIXED_CELLS.countyCode.name).ranges).toEqual(["'说明'!$B$4"]);
    const cells = new Map<string, unknown>();
    ws.eachRow((row) => cells.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(cells.get('下发日期')).toEqual(utc('2026-11-03'));
    expect(cells.get('反馈截止日期')).toEqual(utc('2026-11-18'));
    expect(cells.get('反馈时限')).toMatch(/下发之日起15日内核实并反馈/);
    expect(cells.get('疑点家庭（户）')).toBe(3);
    expect(cells.get('疑点明细（条）')).toBe(4);
    expect(cells.get('白名单已屏蔽（条）')).toBe(2);
    expect(cells.get('待补授权（户）')).toBe(2);
    expect(cells.get('未发放（户）')).toBe(1);
    expect(cells.get('待补义务人授权（人）')).toBe(2);
    expect(cells.get('机动车登记')).toBe('2026Q1');
    const all = [...cells.keys()].join('\n');
    expect(all).toMatch(/严禁"一刀切"/);
    expect(all).toMatch(/9\. "待补义务人授权"表中的赡养、抚养、扶养义务人.*补签授权书/);
    expect(cells.get('定期核查到期（户）')).toBe(2);
    expect(all).toMatch(/10\. "定期核查到期"表列出定期核查/);
    expect(all).toMatch(/11\. 本表含个人信息/);
    expect(all).not.toMatch(/本期无疑点家庭/);
    let staleRow = 0;
    ws.eachRow((row, n) => row.getCell(1).value === '机动车登记' && (staleRow = n));
    expect(ws.getCell(`D${staleRow}`).value).toMatch(/较旧/);
  });

  it('says so clearly for a county without flags, and still lays out every sheet', async () => {
    const { wb, result } = await writeAndRead('empty.xlsx', emptyCountyData());
    expect(result.rows).toEqual({ households: 0, details: 0, pendingAuthorization: 0, unpaid: 0, obligorPending: 0, recheck: 0 });
    expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '疑点家庭', '疑点明细', '待补授权', '未发放名单', '待补义务人授权', '定期核查到期']);
    const readme = wb.getWorksheet(SHEET.readme)!;
    const firstColumn: unknown[] = [];
    const cells = new Map<unknown, unknown>();
    readme.eachRow((row) => {
      firstColumn.push(row.getCell(1).value);
      cells.set(row.getCell(1).value, row.getCell(2).value);
    });
    expect(firstColumn).toContain('本期无疑点家庭');
    expect(wb.getWorksheet(SHEET.households)!.rowCount).toBe(1);
    expect(wb.getWorksheet(SHEET.details)!.rowCount).toBe(1);
    expect(wb.getWorksheet(SHEET.pending)!.getCell('A1').value).toBe('本期无待补授权家庭。');
    // no payments of the month delivered for the county: said, not an empty list that reads as "all paid"
    expect(wb.getWorksheet(SHEET.unpaid)!.getCell('A1').value).toBe('本月一卡通发放数据未到，未比对发放情况。');
    expect(firstColumn).toContain('未发放（户）');
    // no obligors snapshot this month: said on the sheet and on 说明, not an empty list that reads as "all authorized"
    const obligors = wb.getWorksheet(SHEET.obligorPending)!;
    expect(obligors.getCell('A1').value).toBe('本月赡抚养义务人数据未到，未核对义务人。');
    expect(obligors.rowCount).toBe(OBLIGOR_PENDING.headerRow);
    expect(cells.get('待补义务人授权（人）')).toBe('赡抚养义务人数据未到');

    // obligors delivered, none of the county's waiting: said so
    const arrived = emptyCountyData();
    arrived.meta.obligorsArrived = true;
    const { wb: wb2 } = await writeAndRead('empty-obligors-arrived.xlsx', arrived);
    expect(wb2.getWorksheet(SHEET.obligorPending)!.getCell('A1').value).toBe('本期无待补授权的赡养、抚养、扶养义务人。');
    const counts = new Map<unknown, unknown>();
    wb2.getWorksheet(SHEET.readme)!.eachRow((row) => counts.set(row.getCell(1).value, row.getCell(2).value));
    expect(counts.get('待补义务人授权（人）')).toBe(0);
  });

  it('gives byte-identical files for identical data, and reports their sha256', async () => {
    const a = await writeCountyWorkbook(join(dir, 'same-a.xlsx'), sampleCountyData());
    // an hour later by the clock the zip reads (past its 2-second time resolution), without waiting for it
    vi.useFakeTimers({ toFake: ['Date'] });
    let b: Awaited<ReturnType<typeof writeCountyWorkbook>>;
    try {
      vi.setSystemTime(Date.now() + 3600_000);
      b = await writeCountyWorkbook(join(dir, 'same-b.xlsx'), sampleCountyData());
    } finally {
      vi.useRealTimers();
    }
    expect(a.sha256).toBe(b.sha256);
    expect(await sha256File(join(dir, 'same-a.xlsx'))).toBe(a.sha256);
    const e1 = await writeCountyWorkbook(join(dir, 'empty-a.xlsx'), emptyCountyData());
    const e2 = await writeCountyWorkbook(join(dir, 'empty-b.xlsx'), emptyCountyData());
    expect(e1.sha256).toBe(e2.sha256);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'same-a.xlsx'));
    expect(wb.created).toEqual(utc('2026-10-31'));
    expect(wb.modified).toEqual(utc('2026-10-31'));
    expect(wb.creator).toBe('hedui');
  });

  it('never turns feed text into a formula (raw XML: string cells, no <f>)', async () => {
    const { path } = await writeAndRead('injection.xlsx');
    const entries = await readZipText(path);
    const sheets = [...entries.keys()].filter((k) => k.startsWith('xl/worksheets/sheet'));
    expect(sheets).toHaveLength(7);
    for (const name of sheets) expect(entries.get(name)).not.toMatch(/<f[ >]/);
    const households = entries.get('xl/worksheets/sheet2.xml')!;
    const details = entries.get('xl/worksheets/sheet3.xml')!;
    const obligors = entries.get('xl/worksheets/sheet6.xml')!;
    const cell = (xml: string, ref: string): string => new RegExp(`<c r="${ref}"[^>]*?(/>|>.*?</c>)`).exec(xml)![0];
    for (const [xml, ref, value] of [
      [households, 'C2', '=HYPERLINK(&quot;x&quot;)'],
      [households, 'C3', '+1'],
      [households, 'C4', '@SUM(A1)'],
      [details, 'E3', '-张三'],
      [details, 'L2', '=1+1 号牌'],
      [details, 'L3', '@法定代表人'],
      [obligors, 'C3', '=孙七'],
      [obligors, 'E3', '-孙八'],
    ] as const) {
      const c = cell(xml, ref);
      expect(c, ref).toMatch(/ t="(str|inlineStr|s)"/);
      expect(c, ref).toContain(value);
    }
    // ID numbers are strings too (an 18-digit number would lose its last digits).
    expect(cell(households, 'D2')).toMatch(/ t="str"><v>\d{17}X<\/v>/);
    expect(cell(households, 'D3')).toMatch(/ t="str"><v>\d{18}<\/v>/);
    expect(cell(obligors, 'D3')).toMatch(/ t="str"><v>\d{18}<\/v>/);
    expect(cell(obligors, 'F4')).toMatch(/ t="str"><v>620402\*{8}4002<\/v>/);
    expect(entries.get('docProps/core.xml')).toContain('2026-10-31T00:00:00Z');
  });

  it('rejects data that breaks the contract without quoting any value, and leaves no file', async () => {
    const data = sampleCountyData();
    data.households[1].monthlyAmount = '1,234.5';
    const path = join(dir, 'bad-money.xlsx');
    const error = await writeCountyWorkbook(path, data).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbookDataError);
    expect((error as Error).message).toBe('疑点家庭 row 3 monthlyAmount: not a decimal amount');
    expect(existsSync(path)).toBe(false);

    const counts = sampleCountyData();
    counts.meta = meta({ counts: { households: 9, flags: 4, suppressed: 0, pendingAuthorization: 2, unpaid: 1, obligorPending: 2, recheck: 2 } });
    await expect(writeCountyWorkbook(join(dir, 'bad-counts.xlsx'), counts)).rejects.toThrow(/meta.counts.households is 9 but 3/);

    const date = sampleCountyData();
    date.details[0].dueOn = '2026-02-30';
    await expect(writeCountyWorkbook(join(dir, 'bad-date.xlsx'), date)).rejects.toThrow('疑点明细 row 2 dueOn: not a calendar date');

    const obligorCounts = sampleCountyData();
    obligorCounts.meta.counts.obligorPending = 1;
    await expect(writeCountyWorkbook(join(dir, 'bad-obligor-counts.xlsx'), obligorCounts)).rejects.toThrow(/meta.counts.obligorPending is 1 but 2/);

    const obligorDate = sampleCountyData();
    obligorDate.obligorPending[0].authValidUntil = '2029-02-30';
    await expect(writeCountyWorkbook(join(dir, 'bad-obligor-date.xlsx'), obligorDate)).rejects.toThrow('待补义务人授权 row 3 authValidUntil: not a calendar date');
  });

  it('rejects (does not crash) when the folder does not exist', async () => {
    await expect(writeCountyWorkbook(join(dir, 'no-such-folder', 'x.xlsx'), sampleCountyData())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
