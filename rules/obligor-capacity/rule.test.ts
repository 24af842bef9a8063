import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

// the month is 2026-10 (runRules); 呼和浩特 (1501) is judged by the region's standard: urban 829, rural 625
const parent = (n: number) => makeId('150102', '19400101', String(n).padStart(3, '0'));
const child = (n: number, born = '19750505', county = '150102') => makeId(county, born, String(100 + n).padStart(3, '0'));
const ofRule = (flags: { rule: string }[]) => flags.filter((f) => f.rule === 'obligor-capacity');
const flag = (household: string, person: string, obligor: string, severity: string) => ({ rule: 'obligor-capacity', household, person, evidence_key: `obligor:${obligor}`, severity, status: 'issued' });
const supported = (household_id: string, supported_id: string, obligor_id: string, extra: Record<string, string | number | null> = {}) => ({
  household_id,
  supported_id,
  obligor_id,
  ...extra,
});
const fund = (person_id: string, contribution_base: number) => ({ person_id, contribution_base });
const car = (owner_id: string, plate_no: string, extra: Record<string, string> = {}) => ({ owner_id, plate_no, ...extra });

describe('obligor-capacity', () => {
  it('特困 with an able obligor: high; 低保: medium with the imputed support and the income recomputed; another county’s obligor masked', async () => {
    const other = child(3, '19800303', '152502');
    const flags = await runRules(
      {
        roster: [
          ...household('H1', { program: '城市特困' }, [{ person_id: parent(1) }]),
          ...household('H2', { program: '城市低保' }, [{ person_id: parent(2) }, { person_id: parent(12), relation: '配偶' }]),
          ...household('H3', { program: '农村特困' }, [{ person_id: parent(3) }]),
        ],
        obligors: [
          supported('H1', parent(1), child(1)),
          // two parents of one household, one obligor: one lead
          supported('H2', parent(2), child(2), { obligor_family_size: 2 }),
          supported('H2', parent(12), child(2), { obligor_family_size: 2 }),
          supported('H3', parent(3), other, { obligor_county: '152502', obligor_name: '外县子' }),
        ],
        'provident-fund': [fund(child(1), 3000), fund(child(2), 4000)],
        vehicles: [car(other, '蒙K12345')],
      },
      undefined,
      { evidence: true },
    );
    expect(ofRule(flags)).toEqual([
      {
        ...flag('H1', parent(1), child(1), 'high'),
        evidence: `义务人 某子（子，身份证号 ${child(1)}，家庭 3 人）有赡养能力：公积金缴存正常，缴存基数合计 3000.00 元/月，高于 3 人 × 标准 829.00 元。特困人员应无有赡养能力的义务人，请核实`,
      },
      {
        ...flag('H2', parent(2), child(2), 'medium'),
        // (4000 − 2 × 829) × 0.3 = 702.60; (0 + 702.60) ÷ 2 members = 351.30
        evidence: `义务人 某子（子，身份证号 ${child(2)}，家庭 2 人）有赡养能力：公积金缴存正常，缴存基数合计 4000.00 元/月，高于 2 人 × 标准 829.00 元。按比例 0.3 折算赡养费 702.60 元/月；计入后本户人均收入 351.30 元（家庭成员 2 人），低于标准 829.00 元`,
      },
      {
        ...flag('H3', parent(3), other, 'high'),
        evidence: `义务人 外县子（子，身份证号 ${other.slice(0, 6)}********${other.slice(14)}，户籍 锡林浩特市，家庭 3 人）有赡养能力：名下有 1 辆机动车。特困人员应无有赡养能力的义务人，请核实`,
      },
    ]);
    expect(JSON.stringify(flags)).not.toContain('蒙K12345');
  });

  it('exempt, unauthorized, or without capacity: no lead', async () => {
    const onRoster = child(5);
    const flags = await runRules({
      roster: [
        ...household('H1', { program: '城市特困' }, [{ person_id: parent(1) }]),
        ...household('H2', { program: '城市特困' }, [{ person_id: parent(2) }]),
        ...household('H3', { program: '城市特困' }, [{ person_id: parent(3) }]),
        ...household('H4', { program: '城市特困' }, [{ person_id: parent(4) }]),
        ...household('H5', { program: '城市特困' }, [{ person_id: parent(5) }]),
        ...household('H6', { program: '城市低保' }, [{ person_id: onRoster }]),
        ...household('H7', { program: '城市特困', authorization_signed_on: null }, [{ person_id: parent(7) }]),
        ...household('H8', { program: '城市特困' }, [{ person_id: parent(8) }]),
        ...household('H9', { program: '低保边缘' }, [{ person_id: parent(9) }]),
      ],
      obligors: [
        // aged 60 on 2026-10-31 (born 1966-10-31)
        supported('H1', parent(1), child(1, '19661031')),
        supported('H2', parent(2), child(2), { auth_signed_on: null }),
        supported('H3', parent(3), child(3), { auth_valid_until: '2026-10-30' }),
        // a motorcycle and a tractor only; a fund below 3 × 829 = 2487
        supported('H4', parent(4), child(4)),
        // themselves on the roster
        supported('H5', parent(5), onRoster),
        // the household's own authorization missing
        supported('H7', parent(7), child(7)),
        // dead before the month's end
        supported('H8', parent(8), child(8)),
        // 低保边缘 is neither 特困 nor 低保
        supported('H9', parent(9), child(9)),
      ],
      'provident-fund': [fund(child(4), 2487)],
      vehicles: [
        car(child(1), '蒙A00001'),
        car(child(2), '蒙A00002'),
        car(child(3), '蒙A00003'),
        car(child(4), '蒙A00004', { plate_type: '07', vehicle_type: 'M21' }),
        car(child(4), '蒙A00005', { plate_type: '14', vehicle_type: 'T11' }),
        car(onRoster, '蒙A00006'),
        car(child(7), '蒙A00007'),
        car(child(8), '蒙A00008'),
        car(child(9), '蒙A00009'),
      ],
      deaths: [{ person_id: child(8), died_on: '2026-09-01', deregistered_on: '2026-09-05' }],
    });
    expect(ofRule(flags)).toEqual([]);
  });

  it('a sold vehicle is not capacity; a car and a live company are, named for an obligor of the same county', async () => {
    const flags = await runRules(
      {
        roster: household('H1', { program: '城市特困' }, [{ person_id: parent(1) }]),
        obligors: [supported('H1', parent(1), child(1), { relation: '女', obligor_name: '某女' })],
        vehicles: [car(child(1), '蒙A00001', { status: 'E' }), car(child(1), '蒙A00002')],
        business: [{ person_id: child(1), entity_name: '某某商贸有限公司', role: '出资人', subscribed_capital: 5 }],
      },
      undefined,
      { evidence: true },
    );
    expect(ofRule(flags)).toEqual([
      {
        ...flag('H1', parent(1), child(1), 'high'),
        evidence: `义务人 某女（女，身份证号 ${child(1)}，家庭 3 人）有赡养能力：为存续市场主体「某某商贸有限公司」的法定代表人/经营者/出资人；名下有机动车 蒙A00002。特困人员应无有赡养能力的义务人，请核实`,
      },
    ]);
  });
});
