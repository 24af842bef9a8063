import { defineRule } from '../define-rule.ts';
import { int, list, text } from '../params.ts';

export const paymentNotEnrolled = defineRule(
  {
    id: 'payment-not-enrolled',
    title: '非在保对象领取救助金',
    description:
      'A successful 一卡通 payment of a $judged_programs item for a month (所属期) in which the roster of that month does not enrol the ' +
      'payee (a covered member) or the household it was paid to (its head) in that program. Judged for 所属期 within $lookback_months ' +
      'months up to this one, against the roster of the 所属期 (a 所属期 without a roster in the warehouse is not judged). High, with ' +
      'the amount to recover. The flag goes to the payee’s household on this month’s roster, or, for a payee on no roster, to a ' +
      'household of its own in the paying county (PAY-<county>-<hashed 户主身份证号>). One row per payment.',
    severity: 'high',
    sources: ['payments'],
    recovers: true,
    params: {
      judged_programs: list(text, 1),
      lookback_months: int(1, 24),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
