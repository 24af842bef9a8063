import { defineRule } from '../define-rule.ts';
import { int, list, num, oneOf, text } from '../params.ts';

export const obligorCapacity = defineRule(
  {
    id: 'obligor-capacity',
    title: '赡抚养义务人有赡养能力',
    description:
      'An authorized obligor (赡养、抚养、扶养义务人) of a member of a 特困 or 低保 household shows capacity to support: active ' +
      'provident-fund accounts whose bases exceed the standard × the obligor’s family size, a role in a live market entity, or a ' +
      'held vehicle that is not a motorcycle or farm machine ($capacity_kinds). Not judged: an obligor on the month’s roster, aged ' +
      '$exempt_age or more, or dead (民发〔2022〕83号 §1(一)). 特困: high (an obligor able to support rules the person out: 特困人员认定' +
      '办法 第四条、第八条). 低保: medium, with the imputed support max(0, (fund income − standard × family size) × $support_ratio) ' +
      'and the household’s per-head income recomputed with it. One row per household × obligor.',
    severity: 'high',
    sources: ['obligors'],
    params: {
      support_programs: list(text, 1),
      minimum_programs: list(text, 1),
      capacity_kinds: list(oneOf(['provident-fund', 'business', 'vehicles'] as const), 1),
      fund_active_statuses: list(text, 1),
      fund_activity_months: int(1, 24),
      combined_deposit_rate: num(0.02, 0.5),
      business_roles: list(text, 1),
      business_live_statuses: list(text, 1),
      vehicle_not_held_statuses: list(text),
      vehicle_exempt_plate_types: list(text),
      vehicle_exempt_type_prefixes: list(text),
      exempt_age: int(16, 100),
      support_ratio: num(0, 1),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
