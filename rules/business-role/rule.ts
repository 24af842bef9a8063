import { defineRule } from '../define-rule.ts';
import { list, num, pattern, text } from '../params.ts';

export const businessRole = defineRule(
  {
    id: 'business-role',
    title: '担任市场主体法定代表人、经营者或出资人',
    description:
      'A member is legal representative, operator or investor of a live market entity: high when live with capital ≥ the threshold ' +
      '(万元), medium when 吊销未注销 with such capital, low for a live 个体工商户. One row per member × entity × role.',
    severity: 'high',
    sources: ['business'],
    params: {
      roles: list(text, 1),
      live_statuses: list(text, 1),
      lower_severity_statuses: list(text),
      capital_threshold_wan: num(0, 100_000),
      individual_business_types: list(pattern(/^\d{4}$/, 'a four-digit entity type (9600 …)')),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
