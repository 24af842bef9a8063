/**
 * CSV for people who open it in Excel: UTF-8 with a byte-order mark (without it Excel reads
 * Chinese as GBK and shows mojibake), CRLF line ends, and every field holding a comma, a quote,
 * a CR or an LF quoted with its quotes doubled (RFC 4180).
 */

export interface CsvColumn<T> {
  key: keyof T & string;
  header: string;
}

export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatCsv<T extends object>(rows: readonly T[], columns: readonly CsvColumn<T>[]): string {
  const line = (values: unknown[]) => values.map(csvField).join(',') + '\r\n';
  return '\uFEFF' + line(columns.map((c) => c.header)) + rows.map((r) => line(columns.map((c) => r[c.key]))).join('');
}
