/**
 * The rule registry, in the order rules run and appear in workbooks. Adding a rule: its folder,
 * one line here and its values in the region JSON (docs/adding-a-rule.md); config.rules is
 * validated from the declarations and typed by them.
 */
import { UsageError } from '../base/errors.ts';
import type { RuleDefinition, RuleParams } from './define-rule.ts';
import { providentFundIncome } from './provident-fund-income/rule.ts';
import { vehicleOwned } from './vehicle-owned/rule.ts';
import { businessRole } from './business-role/rule.ts';
import { duplicateEnrolment } from './duplicate-enrolment/rule.ts';
import { benefitNotStopped } from './benefit-not-stopped/rule.ts';
import { deathStillEnrolled } from './death-still-enrolled/rule.ts';
import { paymentNotEnrolled } from './payment-not-enrolled/rule.ts';
import { paymentDuplicate } from './payment-duplicate/rule.ts';
import { paymentAmountMismatch } from './payment-amount-mismatch/rule.ts';
import { paymentAfterDeath } from './payment-after-death/rule.ts';
import { obligorCapacity } from './obligor-capacity/rule.ts';
import { spouseNotMember } from './spouse-not-member/rule.ts';
import { recheckOverdue } from './recheck-overdue/rule.ts';
import { residenceNotMarked } from './residence-not-marked/rule.ts';

export const RULES = [
  providentFundIncome,
  vehicleOwned,
  businessRole,
  duplicateEnrolment,
  benefitNotStopped,
  deathStillEnrolled,
  paymentNotEnrolled,
  paymentDuplicate,
  paymentAmountMismatch,
  paymentAfterDeath,
  obligorCapacity,
  spouseNotMember,
  residenceNotMarked,
  recheckOverdue,
] as const satisfies readonly RuleDefinition[];

export type Rule = (typeof RULES)[number];
export type RuleId = Rule['id'];

/** config.rules: the parameter values of every registered rule, by id (config/config.ts's Config uses it). */
export type RulesConfig = { [R in Rule as R['id']]: RuleParams<R> };

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

/**
 * The rules to run: all of them (no `only`), or those `only` names, in registry order. An id that
 * names no rule is a usage error naming the known ones.
 */
export function selectRules(only?: readonly string[]): readonly Rule[] {
  if (!only) return RULES;
  const unknown = only.filter((id) => !ruleById(id));
  if (unknown.length) throw new UsageError(`no rule ${unknown.join(', ')} (rules: ${RULES.map((r) => r.id).join(', ')})`);
  return RULES.filter((r) => only.includes(r.id));
}
