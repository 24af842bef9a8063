import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { RULES, ruleById, selectRules } from './index.ts';
import type { RuleDefinition } from './define-rule.ts';
import { PERIOD_PARAMS, ruleParams } from './params.ts';
import { DEFAULT_CONFIG_PATH, loadConfig, validateConfig } from '../config/config.ts';
import { FEED_IDS } from '../adapters/index.ts';
import { UsageError } from '../base/errors.ts';

const dirs = readdirSync(new URL('.', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

describe('rule registry (meta)', () => {
  it('every rule folder is registered, and every registered rule has a folder named by its id', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual(dirs.sort());
  });

  it('every rule has its SQL, a data-shaped test, a description and a header comment', () => {
    for (const rule of RULES) {
      expect(existsSync(new URL(`./${rule.id}/rule.test.ts`, import.meta.url)), rule.id).toBe(true);
      expect(rule.description.length, rule.id).toBeGreaterThan(60);
      expect(rule.sql.startsWith(`-- ${rule.id}`), rule.id).toBe(true);
      expect(readFileSync(new URL(`./${rule.id}/rule.test.ts`, import.meta.url), 'utf8')).toMatch(/expect: \[\]|toEqual\(\[\]\)/);
    }
  });

  it('a rule binds exactly its declared parameters and region values, each present in the shipped config; it holds no threshold of its own', () => {
    const { config } = loadConfig();
    for (const rule of RULES) {
      const used = new Set([...rule.sql.replace(/--[^\n]*/g, '').matchAll(/\$([a-z_]+)/g)].map((m) => m[1]));
      PERIOD_PARAMS.forEach((p) => used.delete(p));
      const declared = [...Object.keys(rule.params), ...((rule as RuleDefinition).region ?? [])];
      expect([...used].sort(), `${rule.id}: the $names its rule.sql binds = the params (and region values) declared in its rule.ts`).toEqual(declared.sort());
      const built = ruleParams(rule, config, { name: '2026-10', start: '2026-10-01', end: '2026-10-31' });
      for (const p of declared) expect(built[p], `${rule.id}.${p} has a value in config/inner-mongolia.json`).not.toBeNull();
      expect(rule.sql.replace(/--[^\n]*/g, ''), rule.id).not.toMatch(/\b(829|625|10|15)\b(?!\))/);
    }
  });

  it('a rule reads registered feeds, its first source first', () => {
    for (const rule of RULES) {
      expect(rule.sources.length, `${rule.id} names its source feeds`).toBeGreaterThan(0);
      for (const feed of rule.sources) expect(FEED_IDS, `${rule.id}: source ${feed} is a feed of adapters/index.ts`).toContain(feed);
      // a rule that needs any of its sources tags each row with the one it read (pipeline/match.ts)
      if ((rule as RuleDefinition).needs === 'any') expect(rule.sql, `${rule.id} needs any source: its rows name their source_feed`).toMatch(/\bsource_feed\b/);
    }
  });

  it('config.rules is validated from the declarations: a bad value names the key and its bounds', () => {
    const raw = () => JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
    const c = raw();
    c.rules['provident-fund-income'].activity_months = 30;
    expect(() => validateConfig(c)).toThrow(/config\.rules\.provident-fund-income\.activity_months: expected an integer from 1 to 24/);
    const missing = raw();
    delete missing.rules['vehicle-owned'];
    expect(() => validateConfig(missing)).toThrow(/config\.rules\.vehicle-owned: expected a value \(the key is missing\)/);
    const unknown = raw();
    unknown.rules['no-such-rule'] = {};
    expect(() => validateConfig(unknown)).toThrow(/config\.rules\.no-such-rule: expected no such key/);
    const stopped = raw();
    stopped.rules['benefit-not-stopped'].stopped_results = ['已停保'];
    expect(() => validateConfig(stopped)).toThrow(/stopped_results\[0\]: expected one of 属实-已停保/);
  });

  it('selectRules: all in registry order, or the named ones; an unknown id is a usage error naming the rules', () => {
    expect(selectRules()).toBe(RULES);
    expect(selectRules(['business-role', 'vehicle-owned']).map((r) => r.id)).toEqual(['vehicle-owned', 'business-role']);
    expect(() => selectRules(['vehicle-owned', 'nope'])).toThrow(UsageError);
    expect(() => selectRules(['nope'])).toThrow(new RegExp(`no rule nope \\(rules: ${RULES.map((r) => r.id).join(', ')}\\)`));
  });

  it('ruleParams builds what a rule binds: its declared params, the region values it names, the period', () => {
    const { config } = loadConfig();
    expect(ruleParams(ruleById('provident-fund-income')!, config, { name: '2026-10', start: '2026-10-01', end: '2026-10-31' })).toEqual({
      active_statuses: ['正常'],
      activity_months: 3,
      combined_deposit_rate: 0.24,
      low_income_multiplier: 1.5,
      period: '2026-10',
      period_month: '2026-10-01',
      period_end: '2026-10-31',
    });
  });

  it('no rule reads the roster directly: only the authorized int_matched_people', () => {
    for (const rule of RULES) expect(rule.sql, rule.id).not.toMatch(/stg_roster|snap_roster/);
  });

  it('the catalog, as a visible diff on every change', () => {
    expect(RULES.map((r) => [r.id, r.severity, r.title])).toMatchInlineSnapshot(`
      [
        [
          "provident-fund-income",
          "high",
          "公积金缴存显示收入达到低保标准",
        ],
        [
          "vehicle-owned",
          "medium",
          "名下登记有机动车",
        ],
        [
          "business-role",
          "high",
          "担任市场主体法定代表人、经营者或出资人",
        ],
        [
          "duplicate-enrolment",
          "high",
          "重复在保（跨户、跨类别或跨县）",
        ],
        [
          "benefit-not-stopped",
          "high",
          "核实已停保但仍在保（整改未落实）",
        ],
        [
          "death-still-enrolled",
          "high",
          "死亡人员仍在保",
        ],
        [
          "payment-not-enrolled",
          "high",
          "非在保对象领取救助金",
        ],
        [
          "payment-duplicate",
          "high",
          "重复发放救助金",
        ],
        [
          "payment-amount-mismatch",
          "medium",
          "发放金额与保障金不符",
        ],
        [
          "payment-after-death",
          "high",
          "死亡后仍发放救助金",
        ],
        [
          "obligor-capacity",
          "high",
          "赡抚养义务人有赡养能力",
        ],
        [
          "spouse-not-member",
          "medium",
          "配偶未纳入家庭成员",
        ],
        [
          "residence-not-marked",
          "medium",
          "人户分离未标注",
        ],
        [
          "recheck-overdue",
          "medium",
          "定期核查逾期",
        ],
      ]
    `);
  });
});
