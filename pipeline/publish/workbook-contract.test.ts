/**
 * The workbook contract holds the writer and the feedback importer together: what the writer lays
 * out, the importer reads back by key, and a header changed in the contract changes both.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import ExcelJS from 'exceljs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNTIES } from '../../domain/divisions.ts';
import { writeCountyWorkbook } from './county-workbook.ts';
import { readReturnedWorkbook, READ_BACK, READ_BACK_DETAILS } from '../feedback.ts';
import { sampleCountyData } from './test-data.ts';
import * as contract from './workbook-contract.ts';

const { DETAILS, FIXED_CELLS, HOUSEHOLDS, IMPORTABLE_SCHEMA_VERSIONS, OBLIGOR_PENDING, PENDING, RECHECK, UNPAID, WORKBOOK_SCHEMA_VERSION, answerKeys, countyWorkbookFileName, countyWorkbookPath } = contract;

const dir = await mkdtemp(join(tmpdir(), 'hedui-contract-'));

/** Answers given by key, as a county types them (a date as text on one row, as a date on another). */
const ANSWERS = [
  { disposition: '情况属实，已按规定处理', note: '入户核实', verifiedBy: '核实员甲', verifiedOn: '2026-11-05' },
  { disposition: '情况不属实（数据来源错误）', note: '', verifiedBy: '核实员乙', verifiedOn: new Date(Date.UTC(2026, 10, 6)) },
];

/** Opens `src`, fills the answer columns of the first rows by key (column numbers from each table), saves as `dest`. */
async function answer(src: string, dest: string, ...tables: contract.WorkbookTable<contract.AnswerKey | string>[]): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(src);
  for (const table of tables) {
    const sheet = wb.getWorksheet(table.sheet)!;
    ANSWERS.forEach((a, i) => {
      const row = sheet.getRow(table.headerRow + 1 + i);
      for (const [key, value] of Object.entries(a)) row.getCell(table.col[key as keyof typeof a]).value = value;
    });
  }
  await wb.xlsx.writeFile(dest);
}

describe('workbook contract', () => {
  afterEach(() => {
    vi.doUnmock('./workbook-contract.ts');
    vi.resetModules();
  });

  it('declares every key once, and the importer reads back every column the county answers in', () => {
    for (const table of [HOUSEHOLDS, DETAILS, PENDING, UNPAID, OBLIGOR_PENDING, RECHECK]) {
      const keys = table.columns.map((c) => c.key);
      expect(new Set(keys).size, table.sheet).toBe(keys.length);
    }
    expect(answerKeys(HOUSEHOLDS)).toEqual(['disposition', 'note', 'verifiedBy', 'verifiedOn']);
    for (const key of answerKeys(HOUSEHOLDS)) expect(READ_BACK).toContain(key);
    // the same answer columns, under the same headers, per flag
    expect(answerKeys(DETAILS)).toEqual(answerKeys(HOUSEHOLDS));
    for (const key of ['disposition', 'note', 'verifiedBy', 'verifiedOn'] as const) expect([key, DETAILS.header[key]]).toEqual([key, HOUSEHOLDS.header[key]]);
    for (const key of answerKeys(DETAILS)) expect(READ_BACK_DETAILS).toContain(key);
    // lists, not leads: nothing to answer, nothing read back
    for (const table of [PENDING, UNPAID, OBLIGOR_PENDING] as contract.WorkbookTable[]) expect(answerKeys(table), table.sheet).toEqual([]);
    // 待补义务人授权 shows the obligor's shown ID (masked for another county's), never a column of the full one
    expect(OBLIGOR_PENDING.columns.map((c) => c.key)).not.toContain('obligorId');
    expect(() => contract.defineTable('x', 1, [{ key: 'a', header: 'A', width: 1 }, { key: 'a', header: 'B', width: 1 }])).toThrow(/declares the key a twice/);
  });

  it('publishes hedui-county-3 and still reads hedui-county-2 (answers per household only)', () => {
    expect(WORKBOOK_SCHEMA_VERSION).toBe('hedui-county-3');
    expect(IMPORTABLE_SCHEMA_VERSIONS).toEqual({ 'hedui-county-3': { perFlagAnswers: true }, 'hedui-county-2': { perFlagAnswers: false } });
  });

  it('names a county workbook by league folder, county and period', () => {
    const c = COUNTIES.find((x) => x.code === '150102')!;
    expect(countyWorkbookFileName('2026-10', c)).toBe('150102_新城区_2026-10_核对疑点.xlsx');
    expect(countyWorkbookPath('2026-10', c)).toBe(join('1501_呼和浩特市', '150102_新城区_2026-10_核对疑点.xlsx'));
  });

  it('round trip: what the writer lays out, the importer reads back by key', async () => {
    const data = sampleCountyData();
    const written = join(dir, 'written.xlsx');
    await writeCountyWorkbook(written, data);
    const returned = join(dir, 'returned.xlsx');
    await answer(written, returned, HOUSEHOLDS, DETAILS);

    const back = await readReturnedWorkbook(returned);
    expect(back.fixed).toEqual({ schemaVersion: data.meta.schemaVersion, period: data.meta.period, countyCode: data.meta.countyCode });
    expect(Object.keys(back.fixed)).toEqual(Object.keys(FIXED_CELLS));
    expect(back.rows.map((r) => ({ row: r.row, householdId: r.householdId, flagIds: r.flagIds }))).toEqual(
      data.households.map((h, i) => ({ row: HOUSEHOLDS.headerRow + 1 + i, householdId: h.householdId, flagIds: h.flagIds })),
    );
    expect(back.rows.map(({ disposition, note, verifiedBy, verifiedOn }) => ({ disposition, note, verifiedBy, verifiedOn }))).toEqual([
      ANSWERS[0],
      { ...ANSWERS[1], verifiedOn: '2026-11-06' },
      { disposition: '', note: '', verifiedBy: '', verifiedOn: '' }, // unanswered
    ]);
    expect(back.details.map(({ row, flagId, householdId }) => ({ row, flagId, householdId }))).toEqual(
      data.details.map((d, i) => ({ row: DETAILS.headerRow + 1 + i, flagId: d.flagId, householdId: d.householdId })),
    );
    expect(back.details.map(({ disposition, note, verifiedBy, verifiedOn }) => ({ disposition, note, verifiedBy, verifiedOn }))).toEqual([
      ANSWERS[0],
      { ...ANSWERS[1], verifiedOn: '2026-11-06' },
      ...data.details.slice(2).map(() => ({ disposition: '', note: '', verifiedBy: '', verifiedOn: '' })),
    ]);
  });

  it('a header changed in the contract changes what the writer writes and what the importer looks for', async () => {
    const original = join(dir, 'original.xlsx');
    await writeCountyWorkbook(original, sampleCountyData());

    vi.resetModules();
    vi.doMock('./workbook-contract.ts', async (importOriginal) => {
      const real = await importOriginal<typeof contract>();
      const columns = real.HOUSEHOLDS.columns.map((c) => (c.key === 'disposition' ? { ...c, header: '核实结论' } : c));
      return { ...real, HOUSEHOLDS: real.defineTable(real.HOUSEHOLDS.sheet, real.HOUSEHOLDS.headerRow, columns) };
    });
    const changed = await import('./workbook-contract.ts');
    const writer = await import('./county-workbook.ts');
    const importer = await import('../feedback.ts');
    expect(changed.HOUSEHOLDS.header.disposition).toBe('核实结论');

    const written = join(dir, 'changed.xlsx');
    await writer.writeCountyWorkbook(written, sampleCountyData());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(written);
    const sheet = wb.getWorksheet(changed.HOUSEHOLDS.sheet)!;
    expect(sheet.getRow(1).getCell(changed.HOUSEHOLDS.col.disposition).value).toBe('核实结论');
    expect(sheet.getCell('O2').dataValidation.promptTitle).toBe('核实结论');

    const returned = join(dir, 'changed-returned.xlsx');
    await answer(written, returned, changed.HOUSEHOLDS);
    expect((await importer.readReturnedWorkbook(returned)).rows[0].disposition).toBe(ANSWERS[0].disposition);
    // a workbook laid out by the old contract lacks the new header: refused, naming it
    await expect(importer.readReturnedWorkbook(original)).rejects.toThrow('「疑点家庭」缺少列「核实结论」');
  });
});
