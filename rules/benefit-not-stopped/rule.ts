import { defineRule } from '../define-rule.ts';
import { list, memberOf } from '../params.ts';

export const benefitNotStopped = defineRule(
  {
    id: 'benefit-not-stopped',
    title: '核实已停保但仍在保（整改未落实）',
    description:
      'A household whose flag a county answered "benefit stopped" (属实-已停保) in an earlier period is still on this month’s roster: ' +
      'the stop did not happen. One row per household and answered period, on the household head.',
    severity: 'high',
    sources: ['roster'],
    params: { stopped_results: list(memberOf('dispositions'), 1) },
  },
  new URL('./rule.sql', import.meta.url),
);
