import { defineRule } from '../define-rule.ts';
import { int } from '../params.ts';

export const paymentAfterDeath = defineRule(
  {
    id: 'payment-after-death',
    title: '死亡后仍发放救助金',
    description:
      'A successful 一卡通 payment to a person who died before the month paid for (所属期 later than the month of death), by the ' +
      'deaths feed (公安 户籍注销 or 殡葬 火化). High, with the amount to recover. Judged for 所属期 within $lookback_months months up to ' +
      'this one. The flag goes where payment-not-enrolled’s would. One row per payment.',
    severity: 'high',
    sources: ['payments', 'deaths'],
    recovers: true,
    params: {
      lookback_months: int(1, 24),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
