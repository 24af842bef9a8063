import { defineRule } from '../define-rule.ts';
import { int, list, text } from '../params.ts';

export const providentFundIncome = defineRule(
  {
    id: 'provident-fund-income',
    title: '公积金缴存显示收入达到低保标准',
    description:
      'Members with an active provident-fund account (status active, a deposit in the last N months) whose household contribution bases, ' +
      'summed and divided by the household size, reach the local 低保 standard (1.5× for 低保边缘). The contribution base is close to the ' +
      'monthly wage. One row per active account of a member of such a household.',
    severity: 'high',
    sources: ['provident-fund'],
    params: { active_statuses: list(text, 1), activity_months: int(1, 24) },
    region: ['low_income_multiplier'],
  },
  new URL('./rule.sql', import.meta.url),
);
