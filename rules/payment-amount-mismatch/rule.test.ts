import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

// the month is 2026-10 (runRules); payments default to 城市低保金 800 元 for 2026-10, paid 2026-10-10, 成功; households to 800 元
const a = makeId('150102', '19600101', '011');
const b = makeId('150102', '19620202', '022');
const c = makeId('150102', '19900303', '033');
const flag = (household: string, person: string, amount: string | null) => ({
  rule: 'payment-amount-mismatch',
  household,
  person,
  evidence_key: 'amount:2026-10',
  severity: 'medium',
  status: 'issued',
  amount,
});
const ofRule = (flags: { rule: string }[]) => flags.filter((f) => f.rule === 'payment-amount-mismatch');

describe('payment-amount-mismatch', () => {
  it('paid more or less than 月保障金 beyond the tolerance: medium, the overpaid part to recover', async () => {
    const flags = await runRules(
      {
        roster: [
          ...household('H1', { monthly_amount: 600 }, [{ person_id: a }]),
          ...household('H2', { monthly_amount: 900 }, [{ person_id: b }]),
          ...household('H3', { monthly_amount: 800.5 }, [{ person_id: c }]),
        ],
        payments: [{ payee_id: a }, { payee_id: b }, { payee_id: c }],
      },
      undefined,
      { amounts: true, evidence: true },
    );
    expect(ofRule(flags)).toEqual([
      { ...flag('H1', a, '200.00'), evidence: '发放金额与名册不符：所属期 2026-10 实发 800.00 元（城市低保），名册月保障金 600.00 元，相差 200.00 元' },
      { ...flag('H2', b, null), evidence: '发放金额与名册不符：所属期 2026-10 实发 800.00 元（城市低保），名册月保障金 900.00 元，相差 -100.00 元' },
    ]);
  });

  it('members paid one by one add up for the household; a back-payment and 价格临时补贴 are not counted; a returned payment was not paid', async () => {
    const flags = await runRules({
      roster: household('H1', { monthly_amount: 1000 }, [{ person_id: a }, { person_id: b, relation: '妻' }]),
      payments: [
        { payee_id: a, amount: 500 },
        { payee_id: b, amount: 500, batch_no: 'B2' },
        { payee_id: a, amount: 800, batch_no: 'B3', benefit_month: '2026-09-01' },
        { payee_id: a, amount: 50, batch_no: 'P1', item_name: '价格临时补贴', program: '价格临时补贴' },
        { payee_id: b, amount: 500, batch_no: 'B4', status: '退回' },
      ],
    });
    expect(ofRule(flags)).toEqual([]);
  });

  it('a payment of October made in November is not judged in October; an unpaid household is not a mismatch', async () => {
    const flags = await runRules({
      roster: [...household('H1', {}, [{ person_id: a }]), ...household('H2', {}, [{ person_id: b }])],
      payments: [{ payee_id: a, amount: 300, paid_on: '2026-11-02' }],
    });
    expect(ofRule(flags)).toEqual([]);
  });
});
