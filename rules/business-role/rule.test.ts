import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

const a = makeId('150102', '19800101', '011');
const b = makeId('150102', '19820202', '022');
const code = '91150102MA0N000000';
const code2 = '91150102MA0N000001';
const entity = (extra: Record<string, string | number | null> = {}) => ({ person_id: a, credit_code: code, ...extra });
const flag = (severity: string, role = '法定代表人', person = a, credit = code) => ({ rule: 'business-role', household: 'H1', person, evidence_key: `${credit}:${role}`, severity, status: 'issued' });
const family = household('H1', {}, [{ person_id: a }, { person_id: b, relation: '配偶' }]);

const cases = [
  { description: 'legal representative of a live company with an own stake of 50万', rows: [entity({ subscribed_capital: 50 })], expect: [flag('high')] },
  { description: 'investor with 10.5万 subscribed (registered capital unknown): above the threshold', rows: [entity({ role: '出资人', registered_capital: null, subscribed_capital: 10.5 })], expect: [flag('high', '出资人')] },
  { description: 'investor with exactly 10万 subscribed: 10万元(含)以下 is not a lead', rows: [entity({ role: '出资人', registered_capital: 500, subscribed_capital: 10 })], expect: [] },
  { description: 'investor with 5万 of a 500万 company: the entity’s capital is not the person’s', rows: [entity({ role: '出资人', registered_capital: 500, subscribed_capital: 5 })], expect: [] },
  {
    description: 'the family’s stakes add up: 6万 + 6万 in two entities is above 10万, each stake flagged',
    rows: [entity({ role: '出资人', subscribed_capital: 6 }), { person_id: b, credit_code: code2, role: '出资人', subscribed_capital: 6 }],
    expect: [flag('high', '出资人'), flag('high', '出资人', b, code2)],
  },
  {
    description: 'the family’s stakes add up to exactly 10万: not a lead',
    rows: [entity({ role: '出资人', subscribed_capital: 5 }), { person_id: b, credit_code: code2, role: '出资人', subscribed_capital: 5 }],
    expect: [],
  },
  { description: 'a stake repeated on two role rows of one entity counts once', rows: [entity({ subscribed_capital: 6 }), entity({ role: '出资人', subscribed_capital: 6 })], expect: [] },
  { description: 'a hired legal representative (no stake) of a live company: low, a position held', rows: [entity({ registered_capital: 5000 })], expect: [flag('low')] },
  { description: 'a hired legal representative of a 吊销未注销 company: nothing (no longer trades)', rows: [entity({ registration_status: '吊销未注销' })], expect: [] },
  { description: 'cancelled (注销)', rows: [entity({ registration_status: '注销', subscribed_capital: 50 })], expect: [] },
  { description: '吊销未注销 with an own stake of 20万: lower severity', rows: [entity({ registration_status: '吊销未注销', subscribed_capital: 20 })], expect: [flag('medium')] },
  { description: '个体工商户 operator, live, no capital: low', rows: [entity({ entity_type: '9600', role: '经营者', registered_capital: null })], expect: [flag('low', '经营者')] },
  { description: '个体工商户 operator with a small stake: still low (a business run)', rows: [entity({ entity_type: '9600', role: '经营者', subscribed_capital: 3 })], expect: [flag('low', '经营者')] },
  { description: '农民专业合作社 operator with a small stake: not a lead', rows: [entity({ entity_type: '9100', role: '经营者', subscribed_capital: 3 })], expect: [] },
  { description: '个体工商户 revoked (吊销未注销) with 20万 registered: no longer trades, no flag', rows: [entity({ entity_type: '9600', role: '经营者', registration_status: '吊销未注销', registered_capital: 20 })], expect: [] },
  { description: 'supervisor (监事) is not a role that flags', rows: [entity({ role: '监事', subscribed_capital: 50 })], expect: [] },
  { description: 'moved out (迁出)', rows: [entity({ registration_status: '迁出', subscribed_capital: 50 })], expect: [] },
];

describe('business-role', () => {
  for (const t of cases) {
    it(t.description, async () => {
      expect(await runRules({ roster: family, business: t.rows })).toEqual(t.expect);
    });
  }

  it('the capital threshold comes from config', async () => {
    const flags = await runRules({ roster: family, business: [entity({ role: '出资人', subscribed_capital: 5 })] }, (cfg) => {
      cfg.rules['business-role'].capital_threshold_wan = 4;
    });
    expect(flags).toEqual([flag('high', '出资人')]);
  });

  it('evidence words capital as the family’s stakes and a position as a position, types by name', async () => {
    const flags = await runRules(
      {
        roster: family,
        business: [
          entity({ entity_name: '甲公司', role: '出资人', subscribed_capital: 12.5, registered_capital: 100 }),
          { person_id: b, credit_code: code2, entity_name: '乙商店', entity_type: '9600', role: '经营者', registered_capital: null },
        ],
      },
      undefined,
      { evidence: true },
    );
    expect(flags.map((f) => f.evidence)).toEqual([
      `持有市场主体出资：「甲公司」（统一社会信用代码 ${code}，有限责任公司(自然人投资或控股)（1130）），登记状态 存续，担任 出资人，本人认缴出资 12.5 万元；家庭成员认缴出资合计 12.5 万元，超过 10 万元；注册资本 100 万元（市场主体的，不计入本人出资）`,
      `经营个体工商户：「乙商店」（统一社会信用代码 ${code2}，个体工商户（9600）），登记状态 存续，担任 经营者，本人无认缴出资`,
    ]);
    const position = await runRules({ roster: family, business: [entity({ entity_name: '丙公司', registered_capital: 500 })] }, undefined, { evidence: true });
    expect(position.map((f) => f.evidence)).toEqual([
      `担任市场主体职务（无出资）：「丙公司」（统一社会信用代码 ${code}，有限责任公司(自然人投资或控股)（1130）），登记状态 存续，担任 法定代表人，本人无认缴出资；注册资本 500 万元（市场主体的，不计入本人出资）`,
    ]);
  });
});
