import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

const a = makeId('150102', '19800101', '011');
const code = '91150102MA0N000000';
const entity = (extra: Record<string, string | number | null> = {}) => ({ person_id: a, credit_code: code, ...extra });
const flag = (severity: string, role = '法定代表人') => ({ rule: 'business-role', household: 'H1', person: a, evidence_key: `${code}:${role}`, severity, status: 'issued' });

const cases = [
  { description: 'legal representative of a live company with 50万 capital', rows: [entity()], expect: [flag('high')] },
  { description: 'investor with 10万 subscribed capital (registered capital unknown)', rows: [entity({ role: '出资人', registered_capital: null, subscribed_capital: 10 })], expect: [flag('high', '出资人')] },
  { description: 'cancelled (注销)', rows: [entity({ registration_status: '注销' })], expect: [] },
  { description: 'capital 5万 under the threshold', rows: [entity({ registered_capital: 5 })], expect: [] },
  { description: '吊销未注销 with 20万: lower severity', rows: [entity({ registration_status: '吊销未注销', registered_capital: 20 })], expect: [flag('medium')] },
  { description: '个体工商户 operator, live, no capital: low', rows: [entity({ entity_type: '9600', role: '经营者', registered_capital: null })], expect: [flag('low', '经营者')] },
  { description: '个体工商户 revoked (吊销未注销) with 20万: no longer trades, no flag', rows: [entity({ entity_type: '9600', role: '经营者', registration_status: '吊销未注销', registered_capital: 20 })], expect: [] },
  { description: 'supervisor (监事) is not a role that flags', rows: [entity({ role: '监事' })], expect: [] },
  { description: 'moved out (迁出)', rows: [entity({ registration_status: '迁出' })], expect: [] },
];

describe('business-role', () => {
  for (const t of cases) {
    it(t.description, async () => {
      expect(await runRules({ roster: household('H1', {}, [{ person_id: a }]), business: t.rows })).toEqual(t.expect);
    });
  }

  it('the capital threshold comes from config', async () => {
    const flags = await runRules({ roster: household('H1', {}, [{ person_id: a }]), business: [entity({ registered_capital: 5 })] }, (cfg) => {
      cfg.rules['business-role'].capital_threshold_wan = 0;
    });
    expect(flags).toEqual([flag('high')]);
  });
});
