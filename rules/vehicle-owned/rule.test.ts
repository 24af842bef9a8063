import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

const owner = makeId('150102', '19800101', '011');
const spouse = makeId('150102', '19820202', '022');
const car = (plate: string, extra: Record<string, string> = {}) => ({ owner_id: owner, plate_no: plate, ...extra });
const flag = (plate: string, plateType = '02', severity = 'medium') => ({ rule: 'vehicle-owned', household: 'H1', person: owner, evidence_key: `${plateType}:${plate}`, severity, status: 'issued' });

const cases = [
  { description: 'a car in normal status', vehicles: [car('蒙A00001')], expect: [flag('蒙A00001')] },
  { description: 'status GQ (overdue inspection, violations) is still held', vehicles: [car('蒙A00002', { status: 'GQ' })], expect: [flag('蒙A00002')] },
  { description: 'deregistered (E)', vehicles: [car('蒙A00003', { status: 'E' })], expect: [] },
  { description: 'forced deregistration within several letters (GM)', vehicles: [car('蒙A00004', { status: 'GM' })], expect: [] },
  { description: 'moved to another registry (B 转出) is still owned', vehicles: [car('蒙A00005', { status: 'B' })], expect: [flag('蒙A00005')] },
  { description: 'exempt motorcycle plate 07', vehicles: [car('蒙A00006', { plate_type: '07', vehicle_type: 'M21' })], expect: [] },
  { description: 'exempt two-wheel type M22 on another plate', vehicles: [car('蒙A00007', { plate_type: '02', vehicle_type: 'M22' })], expect: [] },
  { description: 'exempt three-wheel motorcycle type M11', vehicles: [car('蒙A00017', { plate_type: '02', vehicle_type: 'M11' })], expect: [] },
  { description: 'a tractor (拖拉机 14): production necessity, a low line', vehicles: [car('蒙A00021', { plate_type: '14', vehicle_type: 'T11' })], expect: [flag('蒙A00021', '14', 'low')] },
  { description: 'a low-speed vehicle (低速车 13): low', vehicles: [car('蒙A00022', { plate_type: '13', vehicle_type: 'N11' })], expect: [flag('蒙A00022', '13', 'low')] },
  { description: 'former farm-machinery plate (原农机 25): low', vehicles: [car('蒙A00023', { plate_type: '25', vehicle_type: 'T21' })], expect: [flag('蒙A00023', '25', 'low')] },
  { description: 'a tractor type on another plate (T*): low', vehicles: [car('蒙A00024', { plate_type: '01', vehicle_type: 'T11' })], expect: [flag('蒙A00024', '01', 'low')] },
  { description: 'a heavy truck (大型汽车 01, H11) is not a production exemption: medium', vehicles: [car('蒙A00025', { plate_type: '01', vehicle_type: 'H11' })], expect: [flag('蒙A00025', '01')] },
  { description: 'owned by an organisation document', vehicles: [car('蒙A00008', { owner_id_type: 'B' })], expect: [] },
  { description: 'someone not on the roster', vehicles: [{ owner_id: makeId('150102', '19900101', '033'), plate_no: '蒙A00009' }], expect: [] },
];

describe('vehicle-owned', () => {
  for (const c of cases) {
    it(c.description, async () => {
      const flags = await runRules({ roster: household('H1', {}, [{ person_id: owner }, { person_id: spouse, relation: '配偶' }]), vehicles: c.vehicles });
      expect(flags).toEqual(c.expect);
    });
  }

  it('an owner document other than 居民身份证 matches only when config lists it (DESIGN.md default: A)', async () => {
    const given = { roster: household('H1', {}, [{ person_id: owner }]), vehicles: [car('蒙A00020', { owner_id_type: 'H' })] };
    expect(await runRules(given)).toEqual([]);
    expect(await runRules(given, (cfg) => (cfg.rules['vehicle-owned'].person_id_types = ['A', 'H', 'M']))).toEqual([flag('蒙A00020')]);
  });

  it('an exempt plate from config (残疾人代步车) does not flag', async () => {
    const flags = await runRules({ roster: household('H1', {}, [{ person_id: owner }]), vehicles: [car('蒙A00010')] }, (cfg) => {
      cfg.rules['vehicle-owned'].exempt_plates = ['蒙A00010'];
    });
    expect(flags).toEqual([]);
  });

  it('production vehicles: the region may exempt them or count them as ordinary leads', async () => {
    const given = { roster: household('H1', {}, [{ person_id: owner }]), vehicles: [car('蒙A00026', { plate_type: '14', vehicle_type: 'T11' })] };
    expect(await runRules(given, (cfg) => (cfg.rules['vehicle-owned'].production_severity = 'exempt'))).toEqual([]);
    expect(await runRules(given, (cfg) => (cfg.rules['vehicle-owned'].production_severity = 'medium'))).toEqual([flag('蒙A00026', '14')]);
    expect(await runRules(given, (cfg) => (cfg.rules['vehicle-owned'].production_plate_types = []) && (cfg.rules['vehicle-owned'].production_vehicle_type_prefixes = []))).toEqual([
      flag('蒙A00026', '14'),
    ]);
  });

  it('残疾人专用车: exempt by use or vehicle type where the region marks one (none is shipped)', async () => {
    const given = { roster: household('H1', {}, [{ person_id: owner }]), vehicles: [car('蒙A00027', { use_nature: 'Z' })] };
    expect(await runRules(given)).toEqual([flag('蒙A00027')]);
    expect(await runRules(given, (cfg) => (cfg.rules['vehicle-owned'].exempt_use_natures = ['Z']))).toEqual([]);
    expect(await runRules(given, (cfg) => (cfg.rules['vehicle-owned'].exempt_vehicle_type_prefixes = ['M', 'K33']))).toEqual([]);
  });

  it('evidence names the codes, with the code in brackets', async () => {
    const flags = await runRules(
      { roster: household('H1', {}, [{ person_id: owner }]), vehicles: [car('蒙A00028', { status: 'GQ', first_registered_on: '2020-05-06' }), car('蒙A00029', { plate_type: '14', vehicle_type: 'T11', status: 'B' })] },
      undefined,
      { evidence: true },
    );
    expect(flags.map((f) => f.evidence)).toEqual([
      '机动车：号牌 蒙A00028（号牌种类 小型汽车（02）），车辆类型 小型轿车（K33），使用性质 非营运（A），机动车状态 违法未处理、逾期未检验（GQ），初次登记 2020-05-06',
      '农牧业生产用车（生产必需，列示备查）：号牌 蒙A00029（号牌种类 拖拉机（14）），车辆类型 大型轮式拖拉机（T11），使用性质 非营运（A），机动车状态 转出（B），初次登记 2020-01-01',
    ]);
  });

  it('a household without a valid authorization is never matched', async () => {
    const flags = await runRules({
      roster: [
        ...household('H1', { authorization_signed_on: null }, [{ person_id: owner }]),
        ...household('H2', { authorization_valid_until: '2026-10-30' }, [{ person_id: spouse }]),
      ],
      vehicles: [car('蒙A00011'), { owner_id: spouse, plate_no: '蒙A00012' }],
    });
    expect(flags).toEqual([]);
  });

  it('authorization signed on the last day of the period counts; valid until that day counts', async () => {
    const flags = await runRules({
      roster: household('H1', { authorization_signed_on: '2026-10-31', authorization_valid_until: '2026-10-31' }, [{ person_id: owner }]),
      vehicles: [car('蒙A00013')],
    });
    expect(flags).toEqual([flag('蒙A00013')]);
  });

  it('in a 单人保 household every member is matched, the uncovered one too (household law: the family must stay 低保边缘)', async () => {
    const flags = await runRules({
      roster: household('H1', { single_member_cover: true, household_size: 1 }, [{ person_id: owner, is_covered: true }, { person_id: spouse, is_covered: false }]),
      vehicles: [car('蒙A00014'), { owner_id: spouse, plate_no: '蒙A00015' }],
    });
    expect(flags).toEqual([flag('蒙A00014'), { ...flag('蒙A00015'), person: spouse }]);
  });

  it('whitelist: an entry suppresses, an expired one does not, a fingerprint for other evidence does not', async () => {
    const run = (entry: Record<string, string>) =>
      runRules({ roster: household('H1', {}, [{ person_id: owner }]), vehicles: [car('蒙A00016', { status: 'GQ' })], whitelist: [{ person_id: owner, scope: 'vehicle-owned', ...entry }] });
    expect(await run({})).toEqual([{ ...flag('蒙A00016'), status: 'suppressed' }]);
    expect(await run({ scope: 'vehicles', record_key: '蒙A00016' })).toEqual([{ ...flag('蒙A00016'), status: 'suppressed' }]);
    expect(await run({ record_key: '蒙A99999' })).toEqual([flag('蒙A00016')]);
    expect(await run({ valid_until: '2026-10-30' })).toEqual([flag('蒙A00016')]);
    const { createHash } = await import('node:crypto');
    const fp = (status: string) => createHash('sha256').update(`02|蒙A00016|K33|${status}`).digest('hex').slice(0, 16);
    expect(await run({ fingerprint: fp('GQ') })).toEqual([{ ...flag('蒙A00016'), status: 'suppressed' }]);
    expect(await run({ fingerprint: fp('A') })).toEqual([flag('蒙A00016')]);
  });
});
