import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { RULES } from './index.ts';
import { loadConfig } from '../config/config.ts';

const dirs = readdirSync(new URL('.', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const CONTEXT_PARAMS = ['period', 'period_month', 'period_end'];

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

  it('a rule binds exactly its declared parameters, each present in the shipped config; it holds no threshold of its own', () => {
    const { config } = loadConfig();
    for (const rule of RULES) {
      const used = new Set([...rule.sql.replace(/--[^\n]*/g, '').matchAll(/\$([a-z_]+)/g)].map((m) => m[1]));
      CONTEXT_PARAMS.forEach((p) => used.delete(p));
      expect([...used].sort(), rule.id).toEqual([...rule.params].sort());
      const available = { ...(config.rules as Record<string, object>)[rule.id], low_income_multiplier: 0 };
      for (const p of rule.params) expect(Object.keys(available), `${rule.id}.${p}`).toContain(p);
      expect(rule.sql.replace(/--[^\n]*/g, ''), rule.id).not.toMatch(/\b(829|625|10|15)\b(?!\))/);
    }
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
      ]
    `);
  });
});
