import { defineRule } from '../define-rule.ts';
import { int, list, memberOf } from '../params.ts';

export const benefitNotStopped = defineRule(
  {
    id: 'benefit-not-stopped',
    title: '核实已停保但仍在保（整改未落实）',
    description:
      'A county answered a household’s flag "benefit stopped" (属实-已停保) and the household is still on a roster later than the month ' +
      'of the answer’s 核实日期 plus grace_months (a stop takes effect from the next month): the stop did not happen. Or it answered ' +
      '"benefit adjusted" (属实-已调整保障金) and such a later roster still shows the 月保障金 its workbook showed (保障金未调整). ' +
      'One row per household and answered period, on the household head.',
    severity: 'high',
    sources: ['roster'],
    params: {
      stopped_results: list(memberOf('dispositions'), 1),
      adjusted_results: list(memberOf('dispositions'), 1),
      grace_months: int(0, 12),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
