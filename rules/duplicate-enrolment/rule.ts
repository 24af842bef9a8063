import { defineRule } from '../define-rule.ts';

export const duplicateEnrolment = defineRule(
  {
    id: 'duplicate-enrolment',
    title: '重复在保（跨户、跨类别或跨县）',
    description:
      'The same person enrolled twice in the month: two households or two programs, in one county or two. Both sides are flagged; each ' +
      'sees only the other side’s county and program. One row per enrolment × other county and program.',
    severity: 'high',
    sources: ['roster'],
    params: {},
  },
  new URL('./rule.sql', import.meta.url),
);
