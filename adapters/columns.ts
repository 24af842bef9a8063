/**
 * The shape every feed adapter declares: the staged columns it produces and the department header
 * names (first = the canonical header, then aliases) it accepts for each. Header matching ignores
 * spaces, full-width brackets and case (see `headerKey`).
 */
export type ColumnKind =
  | 'id_number' // resident ID, normalised by domain/id-number
  | 'document_number' // a resident ID for person documents, an organisation code otherwise: the feed's staging SQL decides
  | 'text'
  | 'code' // a value from a code table, checked by the feed's staging SQL
  | 'date' // any of the date forms departments write (domain/dates)
  | 'year_month' // 最近缴存年月: 202610, 2026-10, 2026/10, 2026年10月
  | 'yes_no' // 是/否
  | 'integer'
  | 'yuan' // money in 元, DECIMAL(18,2)
  | 'wan_yuan'; // money in 万元, DECIMAL(18,4)

export interface ColumnSpec {
  /** staged column name, English business term */
  name: string;
  /** accepted headers; the first is what the department's template calls it */
  headers: readonly string[];
  /** every row must have a value (else the row is quarantined as missing_value); implies columnRequired */
  required: boolean;
  /** the file must have the column (else it is rejected naming it), though a row's value may be empty */
  columnRequired?: boolean;
  kind: ColumnKind;
}

/** Headers compare after NFKC, without whitespace, brackets' width or case: "注册资本（万元）" = "注册资本(万元)". */
export function headerKey(header: string): string {
  return header.normalize('NFKC').replace(/[\s\u200B-\u200D\uFEFF"']/g, '').toLowerCase();
}
