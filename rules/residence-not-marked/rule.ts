import { defineRule } from '../define-rule.ts';

export const residenceNotMarked = defineRule(
  {
    id: 'residence-not-marked',
    title: '人户分离未标注',
    description:
      'A member of an authorized household whose roster row does not say 人户分离 (否 or blank) and who, on the month’s last day, ' +
      'holds a valid 居住证 (签发日期 on or before it, 有效期至 on or after it; no 有效期至: config.residence.undated_valid_months from issue; pipeline/sql/int_residence.sql) for ' +
      'another county than the household’s, or has a 户籍 in force (not 注销, not 迁出 by then, not 迁入 after it) in another ' +
      'county: medium (内民政发〔2022〕17号: 人户分离 households are marked and re-verified; a lead for the county to mark or ' +
      'explain). Counties compare on the first six digits: a move within the county is no lead. One row per member and kind ' +
      'of evidence (residence, hukou), each tagged with its own feed; runs when either feed has a snapshot.',
    severity: 'medium',
    sources: ['residence', 'hukou'],
    needs: 'any',
    params: {},
  },
  new URL('./rule.sql', import.meta.url),
);
