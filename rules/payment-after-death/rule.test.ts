import { describe, expect, it } from 'vitest';
import { household, makeId, payHousehold, runRules } from '../test-support.ts';

// the month is 2026-10 (runRules); payments default to 城市低保金 800 元 for 2026-10, paid 2026-10-10, 成功
const a = makeId('150102', '19400101', '011');
const b = makeId('150102', '19420202', '022');
const ghost = makeId('150102', '19300303', '033');
const flag = (household: string, person: string, evidence_key: string, amount: string) => ({
  rule: 'payment-after-death',
  household,
  person,
  evidence_key,
  severity: 'high',
  status: 'issued',
  amount,
});
const ofRule = (flags: { rule: string }[]) => flags.filter((f) => f.rule === 'payment-after-death');
const died = (person_id: string, died_on: string) => ({ person_id, died_on, deregistered_on: died_on });

describe('payment-after-death', () => {
  it('paid for a month after the month of death: high, the payment to recover; the month of the death itself is paid as usual', async () => {
    const flags = await runRules(
      {
        roster: [...household('H1', {}, [{ person_id: a }]), ...household('H2', {}, [{ person_id: b }])],
        deaths: [died(a, '2026-09-03'), died(b, '2026-10-03')],
        payments: [{ payee_id: a }, { payee_id: b }],
      },
      undefined,
      { amounts: true, evidence: true },
    );
    expect(ofRule(flags)).toEqual([
      {
        ...flag('H1', a, '2026-10:城市低保:B202610', '800.00'),
        evidence: '死亡后仍发放：领取人死亡日期 2026-09-03（公安户籍注销）；所属期 2026-10 城市低保金 800.00 元（发放日期 2026-10-10，批次 B202610，某银行，账号尾号 1234）；应追回 800.00 元',
      },
    ]);
  });

  it('a dead payee on no roster; a death after the month; a returned payment', async () => {
    const flags = await runRules(
      {
        roster: household('H1', {}, [{ person_id: a }]),
        deaths: [died(ghost, '2026-06-30'), died(a, '2026-11-02')],
        payments: [
          { payee_id: ghost, benefit_month: '2026-08-01', paid_on: '2026-08-10', batch_no: 'B8' },
          { payee_id: ghost, batch_no: 'B10', status: '退回' },
          { payee_id: a, benefit_month: '2026-11-01', paid_on: '2026-10-28', batch_no: 'B11' },
        ],
      },
      undefined,
      { amounts: true },
    );
    expect(ofRule(flags)).toEqual([flag(payHousehold(ghost), ghost, '2026-08:城市低保:B8', '800.00')]);
  });

  it('the month of the death, and a payment made after the death for a month before it, are paid as usual', async () => {
    const flags = await runRules({
      roster: household('H1', {}, [{ person_id: a }]),
      deaths: [died(a, '2026-09-28')],
      payments: [{ payee_id: a, benefit_month: '2026-09-01', paid_on: '2026-10-02', batch_no: 'B9' }],
    });
    expect(ofRule(flags)).toEqual([]);
  });

  it('needs the deaths feed: without it the rule is skipped, the others run', async () => {
    const flags = await runRules({ roster: household('H1', {}, [{ person_id: a }]), payments: [{ payee_id: a, amount: 300 }] });
    expect(flags.map((f) => f.rule)).toEqual(['payment-amount-mismatch']);
  });
});
