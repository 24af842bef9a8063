import { defineRule } from '../define-rule.ts';

export const duplicateEnrolment = defineRule(
  {
    id: 'duplicate-enrolment',
    title: '重复在保（跨户、跨类别或跨县）',
    description:
      'The same person on two matched roster rows: two households or two programs, in one county or two. Covered on both: a duplicate ' +
      'payment, high. Covered on one and an uncovered member of the other (or uncovered on both): a household-composition conflict, ' +
      'medium. Both sides are flagged; each sees only the other side’s county and program. One row per enrolment × other county, ' +
      'program and kind.',
    severity: 'high',
    sources: ['roster'],
    params: {},
  },
  new URL('./rule.sql', import.meta.url),
);
