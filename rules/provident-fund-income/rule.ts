import { defineRule } from '../define-rule.ts';
import { int, list, num, text } from '../params.ts';

export const providentFundIncome = defineRule(
  {
    id: 'provident-fund-income',
    title: '公积金缴存显示收入达到低保标准',
    description:
      'Members with an active provident-fund account (status active, a deposit in the last N months) whose family contribution bases, ' +
      'summed and divided by the number of family members on the roster (never by 保障人数), reach the 低保 standard in force on the ' +
      "month's last day (the low-income multiple of it for 低保边缘 households and 单人保 families, urban or rural by 城乡属性, program " +
      'or county); any active account of a 特困 person. The contribution base is close to the monthly wage; when only 月缴存额 is sent ' +
      'it is derived with the combined deposit rate. One row per active account of a member of such a household.',
    severity: 'high',
    sources: ['provident-fund'],
    applicants: true,
    params: { active_statuses: list(text, 1), activity_months: int(1, 24), combined_deposit_rate: num(0.01, 1) },
    region: ['low_income_multiplier'],
  },
  new URL('./rule.sql', import.meta.url),
);
