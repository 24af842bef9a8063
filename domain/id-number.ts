/**
 * Resident ID numbers (GB 11643-1999): the one place where they are normalised and checked.
 *
 * Normalisation, in order: NFKC (full-width digits) → strip whitespace, zero-width characters and
 * quotes (Excel's leading apostrophe) → uppercase (x → X) → upgrade 15-digit legacy IDs to 18 →
 * check length, birth date and the ISO 7064 MOD 11-2 check character.
 *
 * The same steps exist as a DuckDB macro (`idNumberSqlMacros`) for bulk loading; the two are held
 * to each other by one table of cases in id-number.test.ts.
 */

export type IdStatus = 'ok' | 'upgraded_15' | 'bad_checksum' | 'bad_date' | 'bad_length' | 'masked' | 'scientific';

export interface NormalisedId {
  /** the cleaned value (18 characters when status is ok or upgraded_15) */
  id: string;
  status: IdStatus;
}

/** Weights of the first 17 digits and the check characters, GB 11643-1999. */
export const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
export const ID_CHECK_CHARS = '10X98765432';

/**
 * Characters removed before any check: every character JavaScript's \s matches (NBSP and the
 * ideographic space among them), zero-width characters, and quotes (Excel's leading apostrophe).
 * One list for both executions: a character class here, a DuckDB translate() deletion set there.
 */
export const ID_STRIP_CHARS =
  ' \t\n\v\f\r\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF' +
  '\u200B\u200C\u200D\u2060' +
  '\'"`‘’“”';
const STRIP = new RegExp(`[${ID_STRIP_CHARS.replace(/[\\\]^-]/g, '\\$&')}]`, 'g');
const MASK = /[*＊●•]/;
const SCIENTIFIC = /^\d(\.\d+)?E\+?\d+$/;

export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return ID_CHECK_CHARS[sum % 11];
}

export function isValidBirthDate(yyyymmdd: string): boolean {
  if (!/^\d{8}$/.test(yyyymmdd)) return false;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1880 || m < 1 || m > 12 || d < 1) return false;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= daysInMonth;
}

export function normaliseIdNumber(raw: string): NormalisedId {
  const id = raw.normalize('NFKC').replace(STRIP, '').toUpperCase();
  if (MASK.test(id)) return { id, status: 'masked' };
  if (SCIENTIFIC.test(id)) return { id, status: 'scientific' };
  if (/^\d{15}$/.test(id)) {
    const first17 = id.slice(0, 6) + '19' + id.slice(6);
    if (!isValidBirthDate(first17.slice(6, 14))) return { id, status: 'bad_date' };
    return { id: first17 + idCheckChar(first17), status: 'upgraded_15' };
  }
  if (!/^\d{17}[\dX]$/.test(id)) return { id, status: 'bad_length' };
  if (!isValidBirthDate(id.slice(6, 14))) return { id, status: 'bad_date' };
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return { id, status: 'bad_checksum' };
  return { id, status: 'ok' };
}

/** Whether the status means the ID can be matched (it is a valid 18-character ID now). */
export function isMatchable(status: IdStatus): boolean {
  return status === 'ok' || status === 'upgraded_15';
}

/**
 * The DuckDB macros: `hedui_id_clean(raw)` gives the cleaned, upgraded value and
 * `hedui_id_status(raw)` the status, with exactly the steps of `normaliseIdNumber`;
 * `hedui_id_masked(id)` the ID shown masked (150102********1234).
 * DuckDB has no NFKC, so the full-width forms that NFKC folds in ID numbers (digits, X, x and the
 * ideographic space) are translated explicitly.
 */
export function idNumberSqlMacros(): string {
  // NFKC's effect on ID numbers: full-width digits and X. DuckDB has no NFKC; translate() maps
  // those and deletes ID_STRIP_CHARS in one pass, without a regular expression.
  const fullWidth = '０１２３４５６７８９Ｘｘ';
  const ascii = '0123456789XX';
  const sqlText = (chars: string) => chars.replaceAll("'", "''");
  const checkSum = (expr: string) =>
    ID_WEIGHTS.map((w, i) => `(ascii(substr(${expr}, ${i + 1}, 1)) - 48) * ${w}`).join(' + ');
  const checkChar = (expr: string) => `substr('${ID_CHECK_CHARS}', ((${checkSum(expr)}) % 11) + 1, 1)`;
  // the same sum from the first 17 digits as one integer: digit i is (n // 10^(16-i)) % 10 —
  // integer arithmetic, about 3× cheaper than 17 substrings
  const checkCharOfNumber = (n: string) =>
    `substr('${ID_CHECK_CHARS}', (((${ID_WEIGHTS.map((w, i) => `((${n} // ${10n ** BigInt(16 - i)}) % 10) * ${w}`).join(' + ')}) % 11) + 1)::bigint, 1)`;
  const birthOk = (expr: string) =>
    `(try_strptime(substr(${expr}, 7, 8), '%Y%m%d') is not null and substr(${expr}, 7, 4)::int >= 1880)`;
  // A regular expression on a short string costs far less than translate(), which costs more the
  // longer its set (docs/measured-choices.md) — so translate only where the cheap test failed.
  const shapeOf18 = (expr: string) => `regexp_full_match(${expr}, '[0-9]{17}[0-9X]')`;
  // The birth date of the fast path from n (digits 7–14 of the ID are YYYYMMDD), by integer
  // arithmetic, cheaper than try_strptime (docs/measured-choices.md). Same rule as isValidBirthDate.
  const birthOkOfNumber = (n: string) => {
    const y = `((${n} // 10000000) % 10000)`;
    const m = `((${n} // 100000) % 100)`;
    const d = `((${n} // 1000) % 100)`;
    const leap = `((${y} % 4 = 0 and ${y} % 100 <> 0) or ${y} % 400 = 0)`;
    return `(${y} >= 1880 and ${m} between 1 and 12 and ${d} between 1 and case when ${m} in (4, 6, 9, 11) then 30 when ${m} = 2 then case when ${leap} then 29 else 28 end else 31 end)`;
  };
  return `
create or replace macro hedui_id_stripped(raw) as
  case
    when ${shapeOf18('raw')} then raw
    when regexp_full_match(raw, '[0-9A-Za-z]+') then upper(raw)
    else upper(translate(raw, '${fullWidth}${sqlText(ID_STRIP_CHARS)}', '${ascii}'))
  end;
create or replace macro hedui_id_upgraded(s) as
  case when length(s) = 15 and regexp_full_match(s, '[0-9]{15}') and try_strptime('19' || substr(s, 7, 6), '%Y%m%d') is not null then
    substr(s, 1, 6) || '19' || substr(s, 7) || ${checkChar("(substr(s, 1, 6) || '19' || substr(s, 7))")}
  else s end;
create or replace macro hedui_id_clean(raw) as hedui_id_upgraded(hedui_id_stripped(raw));
-- n: the first 17 digits of a stripped ID as an integer (NULL when they are not digits)
create or replace macro hedui_id_number17(s) as try_cast(substr(s, 1, 17) as ubigint);
-- status from the stripped value s, its upgraded form c and n = hedui_id_number17(s); pass
-- columns, not expressions (a macro repeats its argument at every reference). The first branch is
-- the common case, a well-formed 18-character ID.
create or replace macro hedui_id_status_of(s, c, n) as
  case
    when ${shapeOf18('s')} and ${checkCharOfNumber('n')} = substr(s, 18, 1) and ${birthOkOfNumber('n')} then 'ok'
    when regexp_matches(s, '[*＊●•]') then 'masked'
    when regexp_full_match(s, '[0-9](\\.[0-9]+)?E\\+?[0-9]+') then 'scientific'
    when regexp_full_match(s, '[0-9]{15}') then case when ${birthOk('c')} then 'upgraded_15' else 'bad_date' end
    when not ${shapeOf18('s')} then 'bad_length'
    when not ${birthOk('s')} then 'bad_date'
    else 'bad_checksum'
  end;
create or replace macro hedui_id_status(raw) as
  hedui_id_status_of(hedui_id_stripped(raw), hedui_id_clean(raw), hedui_id_number17(hedui_id_stripped(raw)));
-- an ID as shown to a county that must not read it whole (another county's obligor, a spouse off
-- the household): the division and the last four kept, 150102********1234
create or replace macro hedui_id_masked(id) as left(id, 6) || '********' || right(id, 4);
`;
}
