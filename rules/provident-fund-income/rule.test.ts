import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

const a = makeId('150102', '19800101', '011');
const b = makeId('150102', '19820202', '022');
const c = makeId('150102', '20100303', '033');
const account = (person: string, extra: Record<string, string | number> = {}) => ({ person_id: person, employer: `单位${person.slice(-3)}`, ...extra });
const flag = (household: string, person: string) => ({ rule: 'provident-fund-income', household, person, evidence_key: `单位${person.slice(-3)}`, severity: 'high', status: 'issued' });

describe('provident-fund-income', () => {
  const urban2 = household('H1', { program: '城市低保' }, [{ person_id: a }, { person_id: b }]);
  const cases = [
    { description: 'one member: base 3000 for 2 people = 1500 ≥ 829 urban', roster: urban2, pf: [account(a, { contribution_base: 3000 })], expect: [flag('H1', a)] },
    { description: 'exactly the standard (1658 / 2 = 829) flags', roster: urban2, pf: [account(a, { contribution_base: 1658 })], expect: [flag('H1', a)] },
    { description: 'one cent under the standard does not', roster: urban2, pf: [account(a, { contribution_base: 1657.98 })], expect: [] },
    { description: 'two members only together reach it: both flagged', roster: urban2, pf: [account(a, { contribution_base: 900 }), account(b, { contribution_base: 800 })], expect: [flag('H1', a), flag('H1', b)] },
    { description: 'closed account (销户)', roster: urban2, pf: [account(a, { contribution_base: 5000, account_status: '销户' })], expect: [] },
    { description: 'sealed account (封存)', roster: urban2, pf: [account(a, { contribution_base: 5000, account_status: '封存' })], expect: [] },
    { description: 'status 正常 but last deposit 5 months ago', roster: urban2, pf: [account(a, { contribution_base: 5000, last_deposit_month: '2026-05-01' })], expect: [] },
    { description: 'last deposit 3 months ago (2026-08) still counts', roster: urban2, pf: [account(a, { contribution_base: 5000, last_deposit_month: '2026-08-01' })], expect: [flag('H1', a)] },
    {
      description: 'rural household of 3 below the rural standard (1800 / 3 = 600 < 625)',
      roster: household('H2', { program: '农村低保' }, [{ person_id: a }, { person_id: b }, { person_id: c }]),
      pf: [account(a, { contribution_base: 1800 })],
      expect: [],
    },
    {
      description: '低保边缘 in a 旗 (rural): 700 is above 1× but under 1.5× 625 = 937.5',
      roster: household('H3', { program: '低保边缘', division_code: '150121001' }, [{ person_id: a }]),
      pf: [account(a, { contribution_base: 700 })],
      expect: [],
    },
    {
      description: '低保边缘 in a 旗 (rural): 940 ≥ 937.5',
      roster: household('H3', { program: '低保边缘', division_code: '150121001' }, [{ person_id: a }]),
      pf: [account(a, { contribution_base: 940 })],
      expect: [flag('H3', a)],
    },
  ];
  for (const t of cases) {
    it(t.description, async () => {
      expect(await runRules({ roster: t.roster, 'provident-fund': t.pf })).toEqual(t.expect);
    });
  }

  it("uses the league's own standard when config sets one", async () => {
    const flags = await runRules({ roster: urban2, 'provident-fund': [account(a, { contribution_base: 1800 })] }, (cfg) => {
      cfg.standards.leagues['1501'] = { urban: 1000, rural: 800 };
    });
    expect(flags).toEqual([]);
  });
});
