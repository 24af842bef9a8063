/**
 * The checks every feed shares, generated from its column specs: required values, ID numbers,
 * dates, year-months, amounts, integers, yes/no. Each column becomes a cleaned (typed) value and
 * the first failing check of the row, in column order, becomes its reason. Feed-specific code
 * tables are checked afterwards in the feed's own staging.sql.
 *
 * Reason codes (also in adapters/README.md):
 *   missing_value, id_masked, id_scientific, id_bad_checksum, id_bad_date, id_bad_length,
 *   bad_date, bad_amount, bad_number, unknown_code, bad_credit_code, duplicate_row
 */
import type { ColumnSpec } from '../columns.ts';
import { ident } from '../../pipeline/warehouse.ts';

export const REASONS = [
  'missing_value',
  'id_masked',
  'id_scientific',
  'id_bad_checksum',
  'id_bad_date',
  'id_bad_length',
  'bad_date',
  'bad_amount',
  'bad_number',
  'unknown_code',
  'bad_credit_code',
  'duplicate_row',
] as const;
export type Reason = (typeof REASONS)[number];

/** Text of an amount without thousands separators and a trailing unit. */
const amountText = (c: string) => `regexp_replace(replace(${c}, ',', ''), '(万元|元)$', '')`;

function cleaned(col: ColumnSpec): string {
  const c = ident(col.name);
  switch (col.kind) {
    case 'id_number':
      return `hedui_id_clean(${c})`;
    case 'date':
      return `hedui_date(${c})`;
    case 'year_month':
      return `hedui_year_month(${c})`;
    case 'yuan':
      return `try_cast(${amountText(c)} as decimal(18, 2))`;
    case 'wan_yuan':
      return `try_cast(${amountText(c)} as decimal(18, 4))`;
    case 'integer':
      return `try_cast(${c} as integer)`;
    case 'yes_no':
      return `case when upper(${c}) in ('是', 'Y', 'YES', '1', 'TRUE') then true when upper(${c}) in ('否', 'N', 'NO', '0', 'FALSE') then false end`;
    default:
      return c;
  }
}

/** The reason this column fails, as a SQL CASE yielding 'reason|field' or NULL. */
function problem(col: ColumnSpec): string {
  const c = ident(col.name);
  const parts: string[] = [];
  if (col.required) parts.push(`when ${c} is null then 'missing_value'`);
  switch (col.kind) {
    case 'id_number':
      parts.push(`when ${c} is not null and hedui_id_status(${c}) not in ('ok', 'upgraded_15') then 'id_' || hedui_id_status(${c})`);
      break;
    case 'date':
    case 'year_month':
      parts.push(`when ${c} is not null and ${cleaned(col)} is null then 'bad_date'`);
      break;
    case 'yuan':
    case 'wan_yuan':
      parts.push(`when ${c} is not null and ${cleaned(col)} is null then 'bad_amount'`);
      break;
    case 'integer':
      parts.push(`when ${c} is not null and ${cleaned(col)} is null then 'bad_number'`);
      break;
    case 'yes_no':
      parts.push(`when ${c} is not null and ${cleaned(col)} is null then 'unknown_code'`);
      break;
  }
  if (parts.length === 0) return 'null';
  return `case ${parts.join(' ')} end || '|${col.name}'`;
}

/**
 * SELECT over `source` (canonical varchar columns + line + row_hash) giving: line, row_hash,
 * each column cleaned, and `generic_problem` ('reason|field' or NULL).
 */
export function genericChecksSql(columns: readonly ColumnSpec[], source: string): string {
  const values = columns.map((col) => `${cleaned(col)} as ${ident(col.name)}`);
  const problems = columns.map(problem).filter((p) => p !== 'null');
  return `select line, row_hash, ${values.join(', ')},
  coalesce(${problems.join(',\n    ')}) as generic_problem
from ${source}`;
}
