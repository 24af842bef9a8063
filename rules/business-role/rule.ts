import { defineRule } from '../define-rule.ts';

export const businessRole = defineRule<{
  roles: string[];
  live_statuses: string[];
  lower_severity_statuses: string[];
  capital_threshold_wan: number;
  individual_business_types: string[];
}>(
  {
    id: 'business-role',
    title: '担任市场主体法定代表人、经营者或出资人',
    description:
      'A member is legal representative, operator or investor of a live market entity: high when live with capital ≥ the threshold ' +
      '(万元), medium when 吊销未注销 with such capital, low for a live 个体工商户. One row per member × entity × role.',
    severity: 'high',
    sources: ['business'],
    params: ['roles', 'live_statuses', 'lower_severity_statuses', 'capital_threshold_wan', 'individual_business_types'],
  },
  new URL('./rule.sql', import.meta.url),
);
