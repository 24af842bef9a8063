import { defineRule } from '../define-rule.ts';
import { int, list, text } from '../params.ts';

export const deathStillEnrolled = defineRule(
  {
    id: 'death-still-enrolled',
    title: '死亡人员仍在保',
    description:
      'A matched member died (公安 户籍注销 or 殡葬 火化 record) in a month before this one and is still on the roster. A dead covered ' +
      '特困 person, or a household all of whose members are dead, still on a roster later than the month following the death: high ' +
      '(特困 ends from the next month). A dead covered member of a 低保 household still listed as covered: medium until ' +
      '$high_after_months months after the death (民发〔2022〕83号: the household is re-checked within 3 months), high after. A name ' +
      'that differs from the roster’s under the same ID is said in the evidence. One row per dead member.',
    severity: 'high',
    sources: ['deaths'],
    applicants: true,
    params: {
      support_programs: list(text, 1),
      minimum_programs: list(text, 1),
      stop_grace_months: int(0, 3),
      high_after_months: int(1, 12),
    },
  },
  new URL('./rule.sql', import.meta.url),
);
