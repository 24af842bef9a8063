import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';
import type { Config } from '../../config/config.ts';

const a = makeId('150102', '19800101', '011');
const b = makeId('150102', '19820202', '022');
const c = makeId('150102', '20100303', '033');
const account = (person: string, extra: Record<string, string | number | null> = {}) => ({ person_id: person, employer: `单位${person.slice(-3)}`, ...extra });
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
      cfg.standards.leagues['1501'] = [{ from: '2025-01-01', urban: 1000, rural: 800, document: '呼民发〔2025〕1号' }];
    });
    expect(flags).toEqual([]);
  });

  it("a league's entry below the region's floor does not lower it (1620 ÷ 2 = 810: over 800, under 829)", async () => {
    const flags = await runRules({ roster: urban2, 'provident-fund': [account(a, { contribution_base: 1620 })] }, (cfg) => {
      cfg.standards.leagues['1501'] = [{ from: '2025-01-01', urban: 800, rural: 600, document: '呼民发〔2025〕1号' }];
    });
    expect(flags).toEqual([]);
  });
});

// The household law (../shared/domain/reference.md, "Household law"; DESIGN.md law 5).
describe('provident-fund-income: income per family member, never per 保障人数 (民发〔2021〕57号 第7、13条)', () => {
  // three members on the roster, one covered (保障人数 1), not 单人保
  const three = household('H4', { program: '城市低保', household_size: 1 }, [{ person_id: a }, { person_id: b, is_covered: false }, { person_id: c, is_covered: false }]);
  it('1800 ÷ 3 members = 600 < 829: no lead (÷ 保障人数 1 would have said 1800)', async () => {
    expect(await runRules({ roster: three, 'provident-fund': [account(a, { contribution_base: 1800 })] })).toEqual([]);
  });
  it('2490 ÷ 3 members = 830 ≥ 829: a lead, the evidence divides by the family', async () => {
    const flags = await runRules({ roster: three, 'provident-fund': [account(b, { contribution_base: 2490 })] }, undefined, { evidence: true });
    expect(flags).toEqual([{ ...flag('H4', b), evidence: expect.stringContaining('家庭缴存基数合计 2490.00 元 ÷ 家庭成员 3 人 = 人均 830.00 元，达到标准 829.00 元（城市低保标准；内政字〔2024〕131号）') }]);
  });
});

describe('provident-fund-income: 单人保 families are tested at the 低保边缘 line (57号 第10条)', () => {
  // 城市低保 单人保: a covered alone (保障人数 1), b the rest of the family; urban from the program's name
  const single = household('H5', { program: '城市低保', single_member_cover: true, household_size: 1 }, [{ person_id: a }, { person_id: b, is_covered: false }]);
  it('the uncovered member is matched: 2500 ÷ 2 = 1250 ≥ 1.5 × 829 = 1243.5', async () => {
    const flags = await runRules({ roster: single, 'provident-fund': [account(b, { contribution_base: 2500 })] }, undefined, { evidence: true });
    expect(flags).toEqual([{ ...flag('H5', b), evidence: expect.stringContaining('（单人保家庭：按低保边缘标准 1.5 倍核对，城市标准（依据保障类别）；内政字〔2024〕131号）') }]);
  });
  it('2480 ÷ 2 = 1240 is above the 低保 standard but under the 低保边缘 line: no lead', async () => {
    expect(await runRules({ roster: single, 'provident-fund': [account(b, { contribution_base: 2480 })] })).toEqual([]);
  });
  it('the multiplier is the configured one', async () => {
    const flags = await runRules({ roster: single, 'provident-fund': [account(b, { contribution_base: 2500 })] }, (cfg) => (cfg.low_income_multiplier = 2), { evidence: true });
    expect(flags).toEqual([]);
    const more = await runRules({ roster: single, 'provident-fund': [account(b, { contribution_base: 3316 })] }, (cfg) => (cfg.low_income_multiplier = 2), { evidence: true });
    expect(more[0].evidence).toContain('单人保家庭：按低保边缘标准 2 倍核对');
  });
});

describe('provident-fund-income: 特困 (特困人员认定办法 第4–10条: no income from work)', () => {
  it('any active account of a 特困 person is a lead, whatever its size', async () => {
    const flags = await runRules({ roster: household('H6', { program: '城市特困' }, [{ person_id: a }]), 'provident-fund': [account(a, { contribution_base: 500 })] }, undefined, { evidence: true });
    expect(flags).toEqual([{ ...flag('H6', a), evidence: expect.stringContaining('特困人员应无劳动收入') }]);
  });
  it('the same account of a 低保 person under the standard is not', async () => {
    expect(await runRules({ roster: household('H7', { program: '城市低保' }, [{ person_id: a }]), 'provident-fund': [account(a, { contribution_base: 500 })] })).toEqual([]);
  });
  it("an uncovered member's small account in a 特困 household is judged by the household's income", async () => {
    const roster = household('H8', { program: '农村特困' }, [{ person_id: a }, { person_id: b, is_covered: false }]);
    expect(await runRules({ roster, 'provident-fund': [account(b, { contribution_base: 500 })] })).toEqual([]);
  });
});

describe('provident-fund-income: a base derived from 月缴存额 when the centre sends no 个人缴存基数', () => {
  it('240 ÷ 0.24 = 1000 ≥ 829: a lead, the evidence says the base was derived', async () => {
    const flags = await runRules({ roster: household('H9', { program: '城市低保' }, [{ person_id: a }]), 'provident-fund': [account(a, { contribution_base: null, monthly_deposit: 240 })] }, undefined, { evidence: true });
    expect(flags).toEqual([{ ...flag('H9', a), evidence: expect.stringContaining('个人缴存基数 1000.00 元（未报送缴存基数，由月缴存额 240.00 元 ÷ 缴存比例 0.24 推算）') }]);
  });
  it('192 ÷ 0.24 = 800 < 829: no lead', async () => {
    expect(await runRules({ roster: household('H9', { program: '城市低保' }, [{ person_id: a }]), 'provident-fund': [account(a, { contribution_base: null, monthly_deposit: 192 })] })).toEqual([]);
  });
  it('the rate is config: 120 ÷ 0.12 = 1000', async () => {
    const flags = await runRules({ roster: household('H9', { program: '城市低保' }, [{ person_id: a }]), 'provident-fund': [account(a, { contribution_base: null, monthly_deposit: 120 })] }, (cfg) => {
      cfg.rules['provident-fund-income'].combined_deposit_rate = 0.12;
    });
    expect(flags).toEqual([flag('H9', a)]);
  });
  it('a base that is sent wins over the deposit', async () => {
    expect(await runRules({ roster: household('H9', { program: '城市低保' }, [{ person_id: a }]), 'provident-fund': [account(a, { contribution_base: 800, monthly_deposit: 480 })] })).toEqual([]);
  });
});

describe('provident-fund-income: 低保边缘 urban or rural — 城乡属性, else the program name, else the county', () => {
  // 940 is ≥ 1.5 × 625 = 937.5 (rural) and < 1.5 × 829 = 1243.5 (urban)
  const edge = (attrs: Record<string, string>) => household('H10', { program: '低保边缘', ...attrs }, [{ person_id: a }]);
  const pf = [account(a, { contribution_base: 940 })];
  it('城乡属性 城市 in a 旗: urban line, no lead', async () => {
    expect(await runRules({ roster: edge({ division_code: '150121001', urban_rural: '城市' }), 'provident-fund': pf })).toEqual([]);
  });
  it('城乡属性 农村 in a 区: rural line, a lead naming 城乡属性', async () => {
    const flags = await runRules({ roster: edge({ division_code: '150102001', urban_rural: '农村' }), 'provident-fund': pf }, undefined, { evidence: true });
    expect(flags).toEqual([{ ...flag('H10', a), evidence: expect.stringContaining('低保边缘家庭：按低保边缘标准 1.5 倍核对，农村标准（依据城乡属性）') }]);
  });
  it('no 城乡属性, 保障类别 农村低保边缘 in a 区: rural from the program name', async () => {
    const flags = await runRules({ roster: edge({ division_code: '150102001', program_urban_rural: '农村' }), 'provident-fund': pf }, undefined, { evidence: true });
    expect(flags).toEqual([{ ...flag('H10', a), evidence: expect.stringContaining('农村标准（依据保障类别）') }]);
  });
  it('neither: a 区 is urban (no lead), a 旗 rural (a lead naming the county)', async () => {
    expect(await runRules({ roster: edge({ division_code: '150102001' }), 'provident-fund': pf })).toEqual([]);
    const flags = await runRules({ roster: edge({ division_code: '150121001' }), 'provident-fund': pf }, undefined, { evidence: true });
    expect(flags).toEqual([{ ...flag('H10', a), evidence: expect.stringContaining('农村标准（依据所在区划为旗县市）') }]);
  });
});

describe('provident-fund-income: standards by date (the entry in force on the last day of the month)', () => {
  // 1800 ÷ 2 = 900: over 829, under 1000
  const urban2 = household('H1', { program: '城市低保' }, [{ person_id: a }, { person_id: b }]);
  const raise = (from: string) => (cfg: Config) => {
    cfg.standards.region.push({ from, urban: 1000, rural: 800, document: '内政字〔2026〕99号' });
  };
  it('a standard from the day after the month does not apply to it (re-running an older month keeps its standard)', async () => {
    expect(await runRules({ roster: urban2, 'provident-fund': [account(a, { contribution_base: 1800 })] }, raise('2026-11-01'))).toEqual([flag('H1', a)]);
  });
  it('a standard in force on the last day of the month applies to the whole month', async () => {
    expect(await runRules({ roster: urban2, 'provident-fund': [account(a, { contribution_base: 1800 })] }, raise('2026-10-31'))).toEqual([]);
  });
});
