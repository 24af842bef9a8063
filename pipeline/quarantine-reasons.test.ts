import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { idNumberSqlMacros } from '../domain/id-number.ts';
import { QUARANTINE_REASON_TEXTS, fieldText, quarantineReasonText } from './quarantine-reasons.ts';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
/** The code without its comments (they quote 'reason|field' as a pattern). */
const code = (path: string) =>
  path.endsWith('.sql') ? read(path).replace(/--.*$/gm, '') : read(path).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]);

/**
 * Every reason code the staging can write, read from the code that writes it: the literal
 * 'code|field' problems of the feeds' staging.sql and of stage.ts (duplicate_row), the generic
 * checks' reasons in checks.ts, and 'id_' || <status> for every status hedui_id_status_of yields
 * that the checks do not accept.
 */
function stagingReasonCodes(): Set<string> {
  const feeds = readdirSync(new URL('../adapters/', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory());
  const sources = [...feeds.map((d) => code(`../adapters/${d.name}/staging.sql`)), code('./load/stage.ts'), code('./load/checks.ts')];
  const codes = new Set<string>();
  for (const text of sources) for (const c of all(text, /'([a-z][a-z0-9_]*)\|/g)) codes.add(c);
  const checks = code('./load/checks.ts');
  for (const c of [...all(checks, /then '([a-z][a-z0-9_]*)'(?! \|\|)/g), ...all(checks, /unparsed\('([a-z][a-z0-9_]*)'\)/g)]) codes.add(c);

  const macro = idNumberSqlMacros();
  const statusOf = macro.slice(macro.indexOf('macro hedui_id_status_of'), macro.indexOf('macro hedui_id_status('));
  const statuses = all(statusOf, /(?:then|else) '([a-z0-9_]+)'/g);
  for (const text of sources) {
    for (const accepted of all(text, /not in \(([^)]*)\)\s*then 'id_' \|\|/g)) {
      const ok = all(accepted, /'([a-z0-9_]+)'/g);
      for (const s of statuses) if (!ok.includes(s)) codes.add(`id_${s}`);
    }
  }
  return codes;
}

describe('quarantine reason texts', () => {
  it('finds the codes the staging writes (the parser still sees them)', () => {
    const codes = stagingReasonCodes();
    for (const c of ['missing_value', 'duplicate_row', 'bad_credit_code', 'unknown_code', 'bad_date', 'id_bad_checksum', 'id_masked', 'id_scientific']) expect(codes, c).toContain(c);
    expect(codes).not.toContain('id_ok');
    expect(codes).not.toContain('id_upgraded_15');
  });

  it('has a Chinese text for every code the staging SQL can produce and every documented code', () => {
    const missing = [...stagingReasonCodes()].filter((c) => !(c in QUARANTINE_REASON_TEXTS));
    expect(missing).toEqual([]);
  });

  it('names no code that nothing produces', () => {
    const produced = new Set<string>([...stagingReasonCodes()]);
    expect(Object.keys(QUARANTINE_REASON_TEXTS).filter((c) => !produced.has(c))).toEqual([]);
  });

  it('shows the text with the code in brackets, an unknown code as it is', () => {
    expect(quarantineReasonText('id_bad_checksum')).toBe('身份证号校验位错误 (id_bad_checksum)');
    expect(quarantineReasonText('something_new')).toBe('something_new');
  });

  it('shows a field by the department’s header, an unknown one as it is', () => {
    expect(fieldText('vehicles', 'owner_id')).toBe('身份证明号码 (owner_id)');
    expect(fieldText('vehicles', 'nope')).toBe('nope');
    expect(fieldText('roster', null)).toBe('');
  });
});
