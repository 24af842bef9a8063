/**
 * The checks every feed shares, generated from its column specs: required values, ID numbers,
 * dates, year-months, amounts, integers, yes/no. Each column becomes a cleaned (typed) value and
 * the first failing check of the row, in column order, becomes its reason. Feed-specific code
 * tables are checked afterwards in the feed's own staging.sql.
 *
 * The SQL is layered so that each costly step runs once per value: DuckDB expands a macro by
 * repeating its argument at every reference, so a macro is only ever applied to a column.
 *   prepared  ID text stripped (<col>__s)
 *   dates_<i> each distinct text of a date column and its date: a feed has a few tens of thousands
 *             of distinct date texts in millions of rows, and parsing each once and joining it
 *             back is cheaper than parsing every row (docs/measured-choices.md)
 *   parsed    ID upgraded (<col>__c) and its first 17 digits as a number (<col>__n), dates (<col>__d)
 *   valued    the cleaned values under the column names, ID statuses (<col>__status)
 *   checked   generic_problem
 * For a `document_number` column the value stays as written; <col>__id and <col>__status are left
 * for the feed's staging SQL, which knows which documents carry a resident ID.
 *
 * Reason codes: one table with their Chinese texts, pipeline/quarantine-reasons.ts (its test reads
 * this file and the staging SQL for every code written; adapters/README.md documents each).
 */
import type { ColumnSpec } from '../../adapters/columns.ts';
import { ident } from '../sql.ts';

const q = (name: string, suffix = '') => ident(`${name}${suffix}`);
const isDate = (c: ColumnSpec) => c.kind === 'date' || c.kind === 'year_month';
/** Columns whose staged value differs from the text read: their text is kept as <col>__raw. */
const isTransformed = (c: ColumnSpec) => !['text', 'code', 'document_number'].includes(c.kind);
const rawOf = (c: ColumnSpec) => (isTransformed(c) ? q(c.name, '__raw') : q(c.name));

/** Text of an amount without thousands separators and a trailing unit (most amounts have neither). */
const amountText = (c: string) => `case when regexp_matches(${c}, '[,元]') then regexp_replace(replace(${c}, ',', ''), '(万元|元)$', '') else ${c} end`;

function prepared(col: ColumnSpec): string[] {
  const raw = rawOf(col);
  const out = isTransformed(col) ? [`${q(col.name)} as ${raw}`] : [];
  if (col.kind === 'id_number' || col.kind === 'document_number') out.push(`hedui_id_stripped(${q(col.name)}) as ${q(col.name, '__s')}`);
  return out;
}

/** The lookup of a date column's distinct texts (the composed macros are fine once per distinct text). */
function dateLookup(col: ColumnSpec, index: number, source: string): string {
  const parse = col.kind === 'date' ? 'hedui_date(text)' : 'hedui_year_month(text)';
  return `dates_${index} as (select text, ${parse} as parsed from (select distinct ${q(col.name)} as text from ${source}))`;
}

function parsed(col: ColumnSpec, dateIndex: number): string[] {
  if (col.kind === 'id_number' || col.kind === 'document_number') {
    return [`hedui_id_upgraded(${q(col.name, '__s')}) as ${q(col.name, '__c')}`, `hedui_id_number17(${q(col.name, '__s')}) as ${q(col.name, '__n')}`];
  }
  if (isDate(col)) return [`dates_${dateIndex}.parsed as ${q(col.name, '__d')}`];
  return [];
}

/** The staged value of a column and its helper columns, from the parsed layer. */
function valued(col: ColumnSpec): string[] {
  const c = q(col.name);
  const raw = rawOf(col);
  const status = `hedui_id_status_of(${q(col.name, '__s')}, ${q(col.name, '__c')}, ${q(col.name, '__n')}) as ${q(col.name, '__status')}`;
  switch (col.kind) {
    case 'id_number':
      return [`${q(col.name, '__c')} as ${c}`, status];
    case 'document_number':
      return [`${q(col.name, '__c')} as ${q(col.name, '__id')}`, status];
    case 'date':
    case 'year_month':
      return [`${q(col.name, '__d')} as ${c}`];
    case 'yuan':
      return [`try_cast(${amountText(raw)} as decimal(18, 2)) as ${c}`];
    case 'wan_yuan':
      return [`try_cast(${amountText(raw)} as decimal(18, 4)) as ${c}`];
    case 'integer':
      // digits only (a sign, a trailing .0 as a spreadsheet writes 3.0): a bare cast would round 3.5 to 4 and read 1e1 as 10
      return [`try_cast(case when regexp_full_match(${raw}, '[+-]?[0-9]+(\\.0+)?') then regexp_replace(${raw}, '\\.0+$', '') end as integer) as ${c}`];
    case 'yes_no':
      return [`case when upper(${raw}) in ('是', 'Y', 'YES', '1', 'TRUE') then true when upper(${raw}) in ('否', 'N', 'NO', '0', 'FALSE') then false end as ${c}`];
    default:
      return [];
  }
}

/** The reason this column fails, as a SQL CASE yielding 'reason|field' or NULL, over the valued layer. */
function problem(col: ColumnSpec): string | null {
  const c = q(col.name);
  const raw = rawOf(col);
  const parts: string[] = [];
  if (col.required) parts.push(`when ${raw} is null then 'missing_value'`);
  const unparsed = (reason: string) => parts.push(`when ${raw} is not null and ${c} is null then '${reason}'`);
  switch (col.kind) {
    case 'id_number':
      parts.push(`when ${raw} is not null and ${q(col.name, '__status')} not in ('ok', 'upgraded_15') then 'id_' || ${q(col.name, '__status')}`);
      break;
    case 'date':
    case 'year_month':
      unparsed('bad_date');
      break;
    case 'yuan':
    case 'wan_yuan':
      unparsed('bad_amount');
      break;
    case 'integer':
      unparsed('bad_number');
      break;
    case 'yes_no':
      unparsed('unknown_code');
      break;
  }
  return parts.length ? `case ${parts.join(' ')} end || '|${col.name}'` : null;
}

/**
 * SELECT over `source` (canonical varchar columns + line + row_hash) giving: line, row_hash,
 * each column cleaned (plus the helper columns above), and `generic_problem` ('reason|field' or NULL).
 */
export function genericChecksSql(columns: readonly ColumnSpec[], source: string): string {
  const renamed = columns.filter(isTransformed).map((c) => q(c.name));
  const exclude = (names: string[]) => (names.length ? ` exclude (${names.join(', ')})` : '');
  const select = (star: string, extra: string[]) => [star, ...extra].join(', ');
  const problems = columns.map(problem).filter((p): p is string => p !== null);
  const dates = columns.filter(isDate);
  const dateIndex = (col: ColumnSpec) => dates.indexOf(col);
  // every row finds its text once: each lookup holds each distinct text once (NULL finds nothing)
  const joins = dates.map((col, i) => `\n  left join dates_${i} on dates_${i}.text = prepared.${rawOf(col)}`).join('');
  return `with prepared as (select ${select(`*${exclude(renamed)}`, columns.flatMap(prepared))} from ${source}),
${dates.map((col, i) => `${dateLookup(col, i, source)},\n`).join('')}parsed as (select ${select('prepared.*', columns.flatMap((c) => parsed(c, dateIndex(c))))} from prepared${joins}),
valued as (select ${select('*', columns.flatMap(valued))} from parsed)
select *, coalesce(${problems.join(',\n    ')}) as generic_problem
from valued`;
}
