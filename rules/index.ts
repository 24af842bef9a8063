/** The rule registry, in the order rules run and appear in workbooks. */
import type { RuleDefinition } from './define-rule.ts';
import { providentFundIncome } from './provident-fund-income/rule.ts';
import { vehicleOwned } from './vehicle-owned/rule.ts';
import { businessRole } from './business-role/rule.ts';
import { duplicateEnrolment } from './duplicate-enrolment/rule.ts';
import { benefitNotStopped } from './benefit-not-stopped/rule.ts';

export const RULES: readonly RuleDefinition<any>[] = [providentFundIncome, vehicleOwned, businessRole, duplicateEnrolment, benefitNotStopped];

export function ruleById(id: string): RuleDefinition<any> | undefined {
  return RULES.find((r) => r.id === id);
}
