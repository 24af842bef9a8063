import { describe, expect, it } from 'vitest';
import { household, makeId, payHousehold, runRules } from '../test-support.ts';

// the month is 2026-10 (runRules); payments default to 城市低保金 800 元 for 2026-10, paid 2026-10-10, 成功
const a = makeId('150102', '19600101', '011');
const b = makeId('150102', '19620202', '022');
const ghost = makeId('150203', '19700303', '033');
const flag = (household: string, person: string, evidence_key: string, amount: string) => ({
  rule: 'payment-duplicate',
  household,
  person,
  evidence_key,
  severity: 'high',
  status: 'issued',
  amount,
});
const ofRule = (flags: { rule: string }[]) => flags.filter((f) => f.rule === 'payment-duplicate');

describe('payment-duplicate', () => {
  it('the same item paid twice for one month: high, the smaller payment to recover', async () => {
    const flags = await runRules(
      { roster: household('H1', {}, [{ person_id: a }]), payments: [{ payee_id: a }, { payee_id: a, batch_no: 'B2', amount: 700, paid_on: '2026-10-20' }] },
      undefined,
      { amounts: true, evidence: true },
    );
    expect(ofRule(flags)).toEqual([
      {
        ...flag('H1', a, '2026-10:城市低保', '700.00'),
        evidence:
          '重复发放：所属期 2026-10 共发放 2 笔：城市低保金 800.00 元（发放日期 2026-10-10，批次 B202610，某银行，账号尾号 1234）；' +
          '城市低保金 700.00 元（发放日期 2026-10-20，批次 B2，某银行，账号尾号 1234）；应追回 700.00 元',
      },
    ]);
  });

  it('programs that exclude each other (城市×农村, 低保×特困); 价格临时补贴 twice; 价格临时补贴 beside 低保 is no duplicate', async () => {
    const flags = await runRules(
      {
        roster: [...household('H1', {}, [{ person_id: a }]), ...household('H2', {}, [{ person_id: b }])],
        payments: [
          { payee_id: a },
          { payee_id: a, batch_no: 'B2', item_name: '农村特困供养金', program: '农村特困', amount: 1200 },
          { payee_id: b },
          { payee_id: b, batch_no: 'P1', item_name: '价格临时补贴', program: '价格临时补贴', amount: 50 },
          { payee_id: ghost, batch_no: 'P1', item_name: '价格临时补贴', program: '价格临时补贴', amount: 50, division_code: '150203' },
          { payee_id: ghost, batch_no: 'P2', item_name: '价格临时补贴', program: '价格临时补贴', amount: 50, division_code: '150203' },
        ],
      },
      undefined,
      { amounts: true },
    );
    expect(ofRule(flags)).toEqual([flag('H1', a, '2026-10:农村特困+城市低保', '800.00'), flag(payHousehold(ghost, '150203'), ghost, '2026-10:价格临时补贴', '50.00')]);
  });

  it('a failed or returned payment, the same payment delivered again in a later file, and two months paid once each are no duplicates', async () => {
    const flags = await runRules(
      {
        roster: household('H1', {}, [{ person_id: a }]),
        earlier: [{ feed: 'payments', period: '2026-09', rows: [{ payee_id: a, benefit_month: '2026-09-01', paid_on: '2026-09-10', batch_no: 'B9' }] }],
        payments: [
          { payee_id: a },
          { payee_id: a, batch_no: 'B2', status: '退回' },
          { payee_id: a, batch_no: 'B3', status: '失败' },
          // September's payment again in October's file
          { payee_id: a, benefit_month: '2026-09-01', paid_on: '2026-09-10', batch_no: 'B9' },
        ],
      },
      undefined,
    );
    expect(ofRule(flags)).toEqual([]);
  });
});
