import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { withWarehouse } from '../../pipeline/warehouse.ts';
import { csv, load, makeDataDir, makeId, putInbox } from '../../pipeline/load/test-support.ts';

const HEADER = ['身份证明名称', '身份证明号码', '所有人', '号牌种类', '号牌号码', '车辆类型', '使用性质', '初次登记日期', '机动车状态'];
const owner = makeId('150102', '19800101', '001');
const legacyOwner = makeId('150203', '19650315', '012');
const legacy15 = legacyOwner.slice(0, 6) + legacyOwner.slice(8, 17);

const cases: { description: string; row: string[]; expect: { reason: string; field?: string } | { staged: Record<string, string> } }[] = [
  { description: 'a car, plate type written "2"', row: ['A', owner, '王芳', '2', '蒙A·12345', 'k33', 'A', '2020/5/6', 'a'], expect: { staged: { plate_type: '02', plate_no: '蒙A12345', vehicle_type: 'K33', status: 'A', owner_id: owner } } },
  { description: 'owner written by document name, 15-digit ID upgraded', row: ['居民身份证', legacy15, '李强', '02', '蒙B22222', 'K31', 'A', '20190303', 'GQ'], expect: { staged: { owner_id_type: 'A', owner_id: legacyOwner, status: 'GQ' } } },
  { description: 'an organisation owner keeps its code', row: ['B', '91150102MA0N00001X', '某公司', '01', '蒙A00001', 'H11', 'F', '2018-01-01', 'A'], expect: { staged: { owner_id_type: 'B', owner_id: '91150102MA0N00001X' } } },
  { description: 'masked owner ID', row: ['A', '150102********0011', '张三', '02', '蒙A54321', 'K33', 'A', '2020-01-01', 'A'], expect: { reason: 'id_masked', field: 'owner_id' } },
  { description: 'unknown plate type', row: ['A', owner, '王芳', '77', '蒙A99999', 'K33', 'A', '2020-01-01', 'A'], expect: { reason: 'unknown_code', field: 'plate_type' } },
  { description: 'unknown status letters', row: ['A', owner, '王芳', '02', '蒙A88888', 'K33', 'A', '2020-01-01', 'Z9'], expect: { reason: 'unknown_code', field: 'status' } },
  { description: 'unparseable registration date', row: ['A', owner, '王芳', '02', '蒙A77777', 'K33', 'A', '2020-13-45', 'A'], expect: { reason: 'bad_date', field: 'first_registered_on' } },
  { description: 'blank plate number', row: ['A', owner, '王芳', '02', '', 'K33', 'A', '2020-01-01', 'A'], expect: { reason: 'missing_value', field: 'plate_no' } },
];

describe('vehicles adapter (GBK CSV)', () => {
  it('stages clean rows with codes normalised and quarantines each dirty row with its reason', async () => {
    const dataDir = await makeDataDir();
    const rows = cases.map((c) => c.row);
    rows.push(cases[0].row); // an exact duplicate of line 2
    await putInbox(dataDir, 'vehicles', '2026Q3', '机动车.csv', iconv.encode(csv([HEADER, ...rows]), 'gbk'));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      expect(report.loaded).toMatchObject([{ status: 'staged', encoding: 'gb18030', rowsRead: 9, rowsStaged: 3, rowsQuarantined: 6 }]);
      const staged = await w.rows<Record<string, string>>('t', 'select * from stg_vehicles order by line');
      const quarantined = await w.rows<{ line: number; reason: string; field: string | null }>('t', 'select line, reason, field from quarantine order by line');
      cases.forEach((c, i) => {
        const line = i + 2;
        if ('staged' in c.expect) {
          expect(staged.find((s) => Number(s.line) === line), c.description).toMatchObject(c.expect.staged);
        } else {
          expect(quarantined.find((q) => q.line === line), c.description).toEqual({ line, reason: c.expect.reason, field: c.expect.field ?? null });
        }
      });
      expect(quarantined.find((q) => q.line === 10)).toEqual({ line: 10, reason: 'duplicate_row', field: null });
      expect(await w.one('t', 'select owner_name from stg_vehicles where line = 2')).toEqual({ owner_name: '王芳' });
    });
  });
});
