import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { withWarehouse } from '../../pipeline/warehouse.ts';
import { csv, expectLines, load, makeDataDir, makeId, putInbox, type LineCase } from '../../pipeline/load/test-support.ts';

const a = makeId('150102', '19400101', '011');
const b = makeId('150203', '19350615', '022');
const legacyB = b.slice(0, 6) + b.slice(8, 17);
const c = makeId('152502', '19501230', '033');
const badCheck = a.slice(0, 17) + (a[17] === '0' ? '1' : '0');

interface Case extends LineCase {
  row: string[];
}

// 公安 户籍注销 with alias headers (身份证号, 注销原因, 区划代码), GBK as 公安 exports are
const POLICE_HEADER = ['身份证号', '姓名', '死亡日期', '注销日期', '注销原因', '区划代码'];
const police: Case[] = [
  { description: 'a police record, 死亡', row: [a, '王大山', '2026-09-28', '2026/10/8', '死亡', '150102'], staged: { person_id: a, died_on: '2026-09-28', deregistered_on: '2026-10-08', deregistration_kind: '死亡', division_code: '150102', source: 'police', cremated_on: null, funeral_home: null } },
  { description: '死亡注销 is 死亡; a 15-digit ID upgraded', row: [legacyB, '李秀英', '20261002', '20261012', '死亡注销', '150203'], staged: { person_id: b, deregistration_kind: '死亡', source: 'police' } },
  { description: '被宣告死亡 is 宣告死亡 (a court declared the person dead years ago)', row: [c, '巴特尔', '2019年5月1日', '2026年10月20日', '被宣告死亡', ''], staged: { deregistration_kind: '宣告死亡', died_on: '2019-05-01', division_code: null } },
  { description: 'a cancellation that is not a death', row: [c, '巴特尔', '2026-10-01', '2026-10-02', '迁出', '152502'], reason: ['unknown_code', 'deregistration_kind'] },
  { description: 'a police row without 注销类别', row: [a, '王大山', '2026-10-01', '2026-10-05', '', '150102'], reason: ['missing_value', 'deregistration_kind'] },
  { description: 'a division that is not six digits', row: [a, '王大山', '2026-10-01', '2026-10-05', '死亡', '150102001'], reason: ['unknown_code', 'division_code'] },
  { description: 'an impossible date of death', row: [a, '王大山', '2026-02-30', '2026-10-05', '死亡', '150102'], reason: ['bad_date', 'died_on'] },
  { description: 'a wrong check character', row: [badCheck, '王大山', '2026-10-01', '2026-10-05', '死亡', '150102'], reason: ['id_bad_checksum', 'person_id'] },
];

// 民政 殡葬 with its own headers
const CREMATION_HEADER = ['逝者身份证号码', '逝者姓名', '死亡日期', '火化日期', '殡仪馆名称', '殡仪馆区划'];
const cremation: Case[] = [
  { description: 'a cremation: no 注销类别 needed', row: [a, '王大山', '2026-09-28', '2026-10-01', '呼和浩特市殡仪馆', '150102'], staged: { person_id: a, died_on: '2026-09-28', cremated_on: '2026-10-01', funeral_home: '呼和浩特市殡仪馆', deregistration_kind: null, deregistered_on: null, source: 'cremation' } },
  { description: 'a funeral home alone makes it a cremation record', row: [b, '李秀英', '2026-10-03', '', '包头市殡仪馆', '150203'], staged: { source: 'cremation', cremated_on: null } },
  { description: 'a cremation date alone too', row: [c.toLowerCase(), '巴特尔', '2026-10-03', '2026-10-05', '', ''], staged: { source: 'cremation', person_id: c } },
  { description: 'neither: a police row without 注销类别', row: [c, '巴特尔', '2026-10-03', '', '', '152502'], reason: ['missing_value', 'deregistration_kind'] },
  { description: 'a league code where the funeral home\'s county belongs', row: [a, '王大山', '2026-09-28', '2026-10-01', '呼和浩特市殡仪馆', '1501'], reason: ['unknown_code', 'division_code'] },
  { description: 'a bad cremation date', row: [a, '王大山', '2026-09-28', '无', '呼和浩特市殡仪馆', '150102'], reason: ['bad_date', 'cremated_on'] },
  { description: 'no name', row: [a, '', '2026-09-28', '2026-10-01', '呼和浩特市殡仪馆', '150102'], reason: ['missing_value', 'name'] },
];

// dates as text
const DEATH_COLUMNS = 's.* exclude (died_on, deregistered_on, cremated_on), s.died_on::varchar as died_on, s.deregistered_on::varchar as deregistered_on, s.cremated_on::varchar as cremated_on';

describe('deaths adapter (two delivery shapes in one period)', () => {
  it('stages both shapes with their source and quarantines each dirty row with its reason and field', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'deaths', '2026-10', '户籍注销.csv', iconv.encode(csv([POLICE_HEADER, ...police.map((c) => c.row)]), 'gbk'));
    await putInbox(dataDir, 'deaths', '2026-10', '殡葬火化.csv', csv([CREMATION_HEADER, ...cremation.map((c) => c.row)]));
    await withWarehouse(async (w) => {
      const report = await load(w, dataDir);
      const byFile = Object.fromEntries(report.loaded.map((l) => [l.file.split('/').pop(), l]));
      expect(byFile['户籍注销.csv']).toMatchObject({ status: 'staged', encoding: 'gb18030', rowsRead: police.length, rowsStaged: 3, rowsQuarantined: 5 });
      expect(byFile['殡葬火化.csv']).toMatchObject({ status: 'staged', encoding: 'utf-8', rowsRead: cremation.length, rowsStaged: 3, rowsQuarantined: 4 });
      for (const [file, cases] of [['户籍注销.csv', police], ['殡葬火化.csv', cremation]] as const) {
        await expectLines(w, 'stg_deaths', `inbox/deaths/2026-10/${file}`, cases, DEATH_COLUMNS, file);
      }
    });
  });
});
