import { defineRule } from '../define-rule.ts';
import { int, list, pattern } from '../params.ts';

export const paymentDuplicate = defineRule(
  {
    id: 'payment-duplicate',
    title: '重复发放救助金',
    description:
      'One person paid twice for the same month (所属期): the same item twice (城市低保金 twice, 价格临时补贴 twice …), or two items ' +
      'that exclude each other ($conflicts: 城市×农村, 低保×特困). Successful payments only; the same payment delivered twice is one. ' +
      'High, with the amount to recover: all but the largest payment of the month. Judged for 所属期 within $lookback_months months ' +
      'up to this one. One row per person × 所属期.',
    severity: 'high',
    sources: ['payments'],
    recovers: true,
    params: {
      conflicts: list(pattern(/^[^×]+×[^×]+$/, 'two items joined by ×: 城市低保×农村低保')),
      lookback_months: int(1, 24),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
