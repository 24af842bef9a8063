/**
 * Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from
 * 0-9 A-H J-N P-R T U W-Y; the last is a check character over the first 17.
 */
export const CREDIT_CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CODE_CHARS.indexOf(first17[i]);
    if (v < 0) throw new Error(`invalid character at position ${i + 1} of a credit code`);
    sum += v * WEIGHTS[i];
  }
  return CREDIT_CODE_CHARS[(31 - (sum % 31)) % 31];
}

export function isValidCreditCode(raw: string): boolean {
  const code = raw.normalize('NFKC').trim().toUpperCase();
  if (!/^[0-9A-HJ-NP-RTUW-Y]{18}$/.test(code)) return false;
  return creditCodeCheckChar(code.slice(0, 17)) === code[17];
}

/** The same check as a DuckDB macro, `hedui_credit_code_ok(code)`, for bulk loading. */
export function creditCodeSqlMacros(): string {
  const value = (i: number) => `(instr('${CREDIT_CODE_CHARS}', substr(c, ${i + 1}, 1)) - 1)`;
  const sum = WEIGHTS.map((w, i) => `${value(i)} * ${w}`).join(' + ');
  return `
create or replace macro hedui_credit_code_ok(c) as
  regexp_full_match(c, '[0-9A-HJ-NP-RTUW-Y]{18}') and
  substr('${CREDIT_CODE_CHARS}', ((31 - ((${sum}) % 31)) % 31) + 1, 1) = substr(c, 18, 1);
`;
}
