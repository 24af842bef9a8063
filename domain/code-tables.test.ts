import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withWarehouse } from '../pipeline/warehouse.ts';
import { CODE_TABLES, coded, codedLetters, entityTypeCode, type CodeTableId } from './code-tables.ts';

// the TypeScript functions and the warehouse's macros give the same words for the same codes
const cases: { table: CodeTableId; code: string; coded: string }[] = [
  { table: 'vehicle_type', code: 'K33', coded: '小型轿车（K33）' },
  { table: 'vehicle_type', code: 'K99', coded: '客车（K99）' },
  { table: 'plate_type', code: '02', coded: '小型汽车（02）' },
  { table: 'plate_type', code: '77', coded: '77' },
  { table: 'entity_type', code: '9600', coded: '个体工商户（9600）' },
  { table: 'use_nature', code: 'A', coded: '非营运（A）' },
  { table: 'owner_id_type', code: 'A', coded: '居民身份证（A）' },
];
const letters = [
  { s: 'A', coded: '正常（A）' },
  { s: 'GQ', coded: '违法未处理、逾期未检验（GQ）' },
  { s: 'KF', coded: '查封、F（KF）' },
];
const entityTypes = [
  { written: '1130', credit: '91150102MA0N00001X', code: '1130' },
  { written: '个体工商户', credit: '91150102MA0N00001X', code: '9600' },
  { written: '有限责任公司（自然人投资或控股）', credit: '91150102MA0N00001X', code: '1130' },
  { written: '个人经营', credit: '92150102MA0N00001X', code: '9600' },
  { written: '合作社', credit: '93150102MA0N00001X', code: '9100' },
  { written: '有限公司', credit: '91150102MA0N00001X', code: undefined },
];

describe('code tables', () => {
  it('names codes with the code in brackets, in TypeScript and in SQL alike', async () => {
    await withWarehouse(async (w) => {
      for (const c of cases) {
        expect(coded(c.table, c.code)).toBe(c.coded);
        expect(await w.one('t', 'select hedui_coded($t, $c) as v', { t: c.table, c: c.code })).toEqual({ v: c.coded });
      }
      for (const c of letters) {
        expect(codedLetters('vehicle_status', c.s)).toBe(c.coded);
        expect(await w.one('t', "select hedui_coded_letters('vehicle_status', $s) as v", { s: c.s })).toEqual({ v: c.coded });
      }
      for (const c of entityTypes) {
        expect(entityTypeCode(c.written, c.credit)).toBe(c.code);
        expect(await w.one('t', 'select hedui_entity_type_code($w, $c) as v', { w: c.written, c: c.credit })).toEqual({ v: c.code ?? null });
      }
      expect(await w.one('t', "select hedui_wan(12.5) as a, hedui_wan(100) as b, hedui_wan(0.3) as c, hedui_wan(0) as d")).toEqual({ a: '12.5', b: '100', c: '0.3', d: '0' });
      const rows = await w.one<{ n: number }>('t', 'select count(*)::int as n from code_names');
      expect(rows?.n).toBe(Object.values(CODE_TABLES).reduce((n, t) => n + Object.keys(t.codes).length, 0));
    });
  });

  it('names every plate type the vehicles adapter accepts (one list, two readers)', () => {
    const staging = readFileSync(new URL('../adapters/vehicles/staging.sql', import.meta.url), 'utf8');
    const accepted = [...staging.slice(staging.indexOf('when plate_type_code not in')).split(')')[0].matchAll(/'(\d{2})'/g)].map((m) => m[1]);
    expect(accepted.length).toBeGreaterThan(20);
    expect(accepted.filter((c) => !(c in CODE_TABLES.plate_type.codes))).toEqual([]);
  });
});
