import { defineRule } from '../define-rule.ts';

export const spouseNotMember = defineRule(
  {
    id: 'spouse-not-member',
    title: '配偶未纳入家庭成员',
    description:
      'A member of an authorized household whose latest marriage registration on or before the month’s last day is a 结婚 with a ' +
      'spouse who is not a member of the same household: medium (spouses always count as family members: 民发〔2021〕57号 第七条). ' +
      'A latest registration that is a 离婚 on or after the household’s 保障起始日期: low, information for the household (the ' +
      'family’s members and income may have changed). One row per member.',
    severity: 'medium',
    sources: ['marriages'],
    applicants: true,
    params: {},
  },
  new URL('./rule.sql', import.meta.url),
);
