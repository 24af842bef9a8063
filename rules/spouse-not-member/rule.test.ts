import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

// the month is 2026-10 (runRules); households enrolled 2022-01-01 by default
const man = (n: number) => makeId('150102', '19800101', String(n).padStart(3, '0'));
const woman = (n: number) => makeId('150102', '19820202', String(n).padStart(3, '0'));
const ofRule = (flags: { rule: string }[]) => flags.filter((f) => f.rule === 'spouse-not-member');
const married = (male_id: string, female_id: string, registered_on: string, registration = '结婚') => ({ male_id, female_id, registered_on, registration });

describe('spouse-not-member', () => {
  it('married to someone outside the household: medium, the spouse masked; a divorce while enrolled: low, for information', async () => {
    const flags = await runRules(
      {
        roster: [...household('H1', {}, [{ person_id: man(1) }]), ...household('H2', {}, [{ person_id: woman(2) }])],
        marriages: [
          married(man(1), woman(1), '2024-05-20'),
          // married before enrolment, divorced during it
          married(man(2), woman(2), '2015-03-01'),
          married(man(2), woman(2), '2023-06-30', '离婚'),
        ],
      },
      undefined,
      { evidence: true },
    );
    expect(ofRule(flags)).toEqual([
      {
        rule: 'spouse-not-member',
        household: 'H1',
        person: man(1),
        evidence_key: `spouse:${woman(1)}`,
        severity: 'medium',
        status: 'issued',
        evidence: `婚姻登记：2024-05-20 与 某女（身份证号 ${woman(1).slice(0, 6)}********${woman(1).slice(14)}）登记结婚（某民政局婚姻登记处）；配偶未纳入家庭成员，请核实并将配偶的收入和财产纳入核对`,
      },
      {
        rule: 'spouse-not-member',
        household: 'H2',
        person: woman(2),
        evidence_key: `divorce:${man(2)}:2023-06-30`,
        severity: 'low',
        status: 'issued',
        evidence: `婚姻登记：2023-06-30 与 某男（身份证号 ${man(2).slice(0, 6)}********${man(2).slice(14)}）登记离婚（某民政局婚姻登记处）；信息：在保期间（保障起始日期 2022-01-01）登记离婚，请核实家庭成员与收入是否变化`,
      },
    ]);
    expect(flags.map((f) => (f as { evidence?: string }).evidence).join()).not.toContain(woman(1));
  });

  it('a spouse in the household, a divorce before enrolment, a marriage after the month, a remarriage within the household: nothing', async () => {
    const flags = await runRules({
      roster: [
        ...household('H1', {}, [{ person_id: man(1) }, { person_id: woman(1), relation: '配偶' }]),
        ...household('H2', {}, [{ person_id: man(2) }]),
        ...household('H3', {}, [{ person_id: man(3) }]),
        ...household('H4', {}, [{ person_id: man(4) }, { person_id: woman(4), relation: '配偶' }]),
      ],
      marriages: [
        married(man(1), woman(1), '2010-01-01'),
        married(man(2), woman(2), '2012-01-01'),
        married(man(2), woman(2), '2018-01-01', '离婚'),
        married(man(3), woman(3), '2026-11-02'),
        // divorced from one, then married to the member of the household
        married(man(4), woman(5), '2005-01-01'),
        married(man(4), woman(5), '2008-01-01', '离婚'),
        married(man(4), woman(4), '2009-01-01'),
      ],
    });
    expect(ofRule(flags)).toEqual([]);
  });

  it('married and divorced on one day: the divorce counts last', async () => {
    const flags = await runRules({
      roster: household('H1', { enrolled_on: '2026-01-01' }, [{ person_id: man(1) }]),
      marriages: [married(man(1), woman(1), '2026-03-03'), married(man(1), woman(1), '2026-03-03', '离婚')],
    });
    expect(ofRule(flags).map((f) => [f.rule, (f as { severity?: string }).severity])).toEqual([['spouse-not-member', 'low']]);
  });
});
