import { defineRule } from '../define-rule.ts';
import { list, num, text } from '../params.ts';

export const paymentAmountMismatch = defineRule(
  {
    id: 'payment-amount-mismatch',
    title: '发放金额与保障金不符',
    description:
      'A matched household was paid for this month (所属期 = the month, paid in the month) a total of $judged_programs items that differs ' +
      'from its 月保障金 on this month’s roster by more than $amount_tolerance_yuan 元. Back-payments (所属期 before the month paid) are not ' +
      'mismatches; a duplicate payment counts once here (payment-duplicate tells it). Medium; the overpaid part is the amount to ' +
      'recover. One row per household.',
    severity: 'medium',
    sources: ['payments'],
    recovers: true,
    params: {
      judged_programs: list(text, 1),
      amount_tolerance_yuan: num(0, 10000),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
