import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

// the month is 2026-10 (runRules)
const a = makeId('150102', '19400101', '011');
const b = makeId('150102', '19420202', '022');
const c = makeId('150102', '19700303', '033');
const police = (person_id: string, died_on: string, extra = {}) => ({ person_id, name: '某某', died_on, deregistered_on: died_on, deregistration_kind: '死亡', source: 'police', ...extra });
const cremation = (person_id: string, died_on: string, cremated_on: string, name = '某某') => ({ person_id, name, died_on, cremated_on, funeral_home: '新城区殡仪馆', source: 'cremation' });
const flag = (household: string, person: string, kind: string, severity: string) => ({ rule: 'death-still-enrolled', household, person, evidence_key: `death:${kind}`, severity, status: 'issued' });

describe('death-still-enrolled', () => {
  it('a dead 特困 person is flagged from the second month after the death, not in the month following it', async () => {
    const roster = [
      ...household('T1', { program: '城市特困' }, [{ person_id: a }]),
      ...household('T2', { program: '农村特困', division_code: '150203001' }, [{ person_id: b }, { person_id: c, relation: '子', is_covered: false }]),
    ];
    // a died in August (October is after September): high; b died in September: its roster of October may still show them
    expect(await runRules({ roster, deaths: [police(a, '2026-08-14'), police(b, '2026-09-20')] })).toEqual([flag('T1', a, 'household', 'high')]);
  });

  it('a dead covered 低保 member still covered: medium until 3 months after the death, high after; the month of the death itself is not a lead', async () => {
    const roster = [
      ...household('D1', {}, [{ person_id: a }, { person_id: c, relation: '子' }]),
      ...household('D2', {}, [{ person_id: b }, { person_id: makeId('150102', '19750101', '044'), relation: '子' }]),
      ...household('D3', {}, [{ person_id: makeId('150102', '19600101', '055') }, { person_id: makeId('150102', '19620101', '066'), relation: '妻' }]),
    ];
    const flags = await runRules({
      roster,
      deaths: [police(a, '2026-09-02'), police(b, '2026-07-31'), police(makeId('150102', '19600101', '055'), '2026-10-03'), police(makeId('150102', '19620101', '066'), '2026-11-01')],
    });
    // a: September, medium; b: July, high (October is 3 months on); 055 died this month and 066 after it: no lead
    expect(flags).toEqual([flag('D1', a, 'member', 'medium'), flag('D2', b, 'member', 'high')]);
  });

  it('a dead uncovered member is no lead; a household all of whose members are dead is', async () => {
    const roster = [
      ...household('D1', {}, [{ person_id: a }, { person_id: b, relation: '父', is_covered: false }]),
      ...household('D2', {}, [{ person_id: c }, { person_id: makeId('150102', '19750101', '044'), relation: '妻' }]),
    ];
    const flags = await runRules({
      roster,
      deaths: [police(b, '2026-06-01'), police(c, '2026-06-01'), police(makeId('150102', '19750101', '044'), '2026-07-01')],
    });
    expect(flags).toEqual([flag('D2', c, 'household', 'high'), flag('D2', makeId('150102', '19750101', '044'), 'household', 'high')]);
  });

  it('the 公安 and 殡葬 records are read together, and a different name under the same ID is said, not silently matched', async () => {
    const roster = household('T1', { program: '城市特困' }, [{ person_id: a, name: '王芳' }]);
    const [flag] = await runRules({ roster, deaths: [police(a, '2026-08-14', { name: '王方' }), cremation(a, '2026-08-14', '2026-08-16', '王芳')] }, undefined, { evidence: true });
    expect(flag.evidence).toBe(
      '死亡信息：死亡日期 2026-08-14；公安注销 2026-08-14（死亡）；火化 2026-08-16 新城区殡仪馆；本户名册上的家庭成员均已死亡，本户仍在保' +
        '；注意：死亡信息中的姓名「王方」与名册姓名「王芳」不一致，请核实身份',
    );
  });

  it('the 低保 evidence says the 保障人数 still counts the dead member; an unauthorized household is not matched', async () => {
    const roster = [
      ...household('D1', { household_size: 3, monthly_amount: 1500 }, [{ person_id: a }, { person_id: b, relation: '妻' }, { person_id: c, relation: '子' }]),
      ...household('D2', { authorization_signed_on: null }, [{ person_id: makeId('150102', '19750101', '044') }, { person_id: makeId('150102', '19750101', '052') }]),
    ];
    const flags = await runRules({ roster, deaths: [police(a, '2026-08-14'), police(makeId('150102', '19750101', '044'), '2026-05-01')] }, undefined, { evidence: true });
    expect(flags).toEqual([
      {
        ...flag('D1', a, 'member', 'medium'),
        evidence: '死亡信息：死亡日期 2026-08-14；公安注销 2026-08-14（死亡）；本户保障人数仍为 3（此人仍为保障对象），月保障金 1500.00 元',
      },
    ]);
  });

  it('a death in the month itself or after it, and a dead person on no roster, are no lead', async () => {
    const roster = household('T1', { program: '城市特困' }, [{ person_id: a }]);
    expect(await runRules({ roster, deaths: [police(a, '2026-10-31'), police(b, '2026-08-01')] })).toEqual([]);
    expect(await runRules({ roster, deaths: [police(a, '2026-11-01')] })).toEqual([]);
  });

  it('deaths delivered in earlier months count (events accumulate)', async () => {
    const roster = household('T1', { program: '农村特困' }, [{ person_id: a }]);
    const flags = await runRules({ roster, earlier: [{ feed: 'deaths', period: '2026-07', rows: [police(a, '2026-07-09')] }] });
    expect(flags).toEqual([flag('T1', a, 'household', 'high')]);
  });
});
