import { defineRule } from '../define-rule.ts';
import { list, num, pattern, text } from '../params.ts';

export const businessRole = defineRule(
  {
    id: 'business-role',
    title: '担任市场主体法定代表人、经营者或出资人',
    description:
      'A member is legal representative, operator or investor of a market entity that still exists. The capital counted is the ' +
      'person’s own 认缴出资, summed over live and 吊销未注销 entities and over the family: above the threshold (万元) each stake is ' +
      'high (medium when 吊销未注销); a live 个体工商户, and a position (法定代表人/经营者) without a stake in a live entity, are low. ' +
      'One row per member × entity × role.',
    severity: 'high',
    sources: ['business'],
    applicants: true,
    params: {
      roles: list(text, 1),
      live_statuses: list(text, 1),
      lower_severity_statuses: list(text),
      capital_threshold_wan: num(0, 100_000),
      individual_business_types: list(pattern(/^\d{4}$/, 'a four-digit entity type (9600 …)')),
      position_roles: list(text),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
