import { describe, expect, it } from 'vitest';
import { household, makeId, payHousehold, runRules } from '../test-support.ts';

// the month is 2026-10 (runRules); payments default to 城市低保金 800 元 for 2026-10, paid 2026-10-10, 成功
const a = makeId('150102', '19600101', '011');
const b = makeId('150102', '19620202', '022');
const ghost = makeId('150102', '19700303', '033');
const flag = (household: string, person: string, evidence_key: string, amount: string) => ({
  rule: 'payment-not-enrolled',
  household,
  person,
  evidence_key,
  severity: 'high',
  status: 'issued',
  amount,
});

describe('payment-not-enrolled', () => {
  it('a payment to a person on no roster goes to a household of its own in the paying county, with the amount to recover', async () => {
    const flags = await runRules(
      { roster: household('H1', {}, [{ person_id: a }]), payments: [{ payee_id: a }, { payee_id: ghost, batch_no: 'B2', division_code: '150203' }] },
      undefined,
      { amounts: true, evidence: true },
    );
    expect(flags).toEqual([
      {
        ...flag(payHousehold(ghost, '150203'), ghost, '2026-10:城市低保:B2', '800.00'),
        evidence:
          '发放记录：所属期 2026-10 城市低保金 800.00 元（发放日期 2026-10-10，批次 B2，某银行，账号尾号 1234）；2026-10 在保名册中无此人（户）（领取人 某某，不在本月名册）；应追回 800.00 元',
      },
    ]);
  });

  it('paid under another program than enrolled: flagged on the household, naming the program it is enrolled in', async () => {
    const flags = await runRules(
      { roster: household('H1', { program: '农村低保' }, [{ person_id: a }]), payments: [{ payee_id: a }] },
      undefined,
      { amounts: true },
    );
    expect(flags).toEqual([flag('H1', a, '2026-10:城市低保:B202610', '800.00')]);
  });

  it('a household item paid to the head counts for the household; a failed or returned payment was not paid', async () => {
    const flags = await runRules({
      roster: household('H1', {}, [{ person_id: a }, { person_id: b, relation: '妻' }]),
      payments: [
        { payee_id: a, head_id: a },
        { payee_id: ghost, batch_no: 'B2', status: '失败' },
        { payee_id: ghost, batch_no: 'B3', status: '退回' },
      ],
    });
    expect(flags).toEqual([]);
  });

  it('a back-payment is judged by the roster of the month it pays for; a month without a roster in the warehouse is not judged', async () => {
    const flags = await runRules(
      {
        // a left the roster in October; b joined in October
        earlier: [{ feed: 'roster', period: '2026-09', rows: household('H1', {}, [{ person_id: a }]) }],
        roster: household('H2', {}, [{ person_id: b }]),
        payments: [
          { payee_id: a, benefit_month: '2026-09-01', batch_no: 'B9' }, // enrolled in September: fine
          { payee_id: b, benefit_month: '2026-09-01', batch_no: 'B9' }, // not enrolled in September: a lead
          { payee_id: b, benefit_month: '2026-08-01', batch_no: 'B8' }, // no roster of August here: not judged
        ],
      },
      undefined,
      { amounts: true },
    );
    expect(flags).toEqual([flag('H2', b, '2026-09:城市低保:B9', '800.00')]);
  });

  it('a payee whose household waits for its authorization is not placed; 价格临时补贴 is not judged; the same payment delivered twice is one', async () => {
    const flags = await runRules(
      {
        roster: [...household('H1', { authorization_signed_on: null, program: '农村低保' }, [{ person_id: a }]), ...household('H2', {}, [{ person_id: b }])],
        payments: [{ payee_id: a }, { payee_id: b, item_name: '价格临时补贴', program: '价格临时补贴', amount: 50 }, { payee_id: ghost }, { payee_id: ghost }],
      },
      undefined,
      { amounts: true },
    );
    expect(flags).toEqual([flag(payHousehold(ghost), ghost, '2026-10:城市低保:B202610', '800.00')]);
  });
});
