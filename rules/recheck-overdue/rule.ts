import { defineRule } from '../define-rule.ts';
import { int } from '../params.ts';

export const recheckOverdue = defineRule(
  {
    id: 'recheck-overdue',
    title: '定期核查逾期',
    description:
      'An authorized household whose regular re-check (动态管理: every config.recheck.months_short months for a household with a member ' +
      'of working age or marked 人户分离, else every months_long; 民发〔2021〕57号 第三十一条) is more than overdue_months past due on ' +
      'the month’s last day, counted from the last check hedui knows of (pipeline/sql/int_recheck.sql). Medium, about the household’s ' +
      'head; one row per household and due date, so an answer closes this cycle and the next cycle is a new lead.',
    severity: 'medium',
    sources: ['roster'],
    params: { overdue_months: int(0, 12) },
  },
  new URL('./rule.sql', import.meta.url),
);
