/**
 * Plain text tables for the terminal: a header, a dashed rule, one line per row, columns two
 * spaces apart. No box-drawing characters (they garble in some terminals and in mail), aligned by
 * display width so Chinese text (two columns per character) lines up, numbers right-aligned.
 */

export interface TableColumn {
  /** the row's key */
  key: string;
  /** the heading (default: the key) */
  header?: string;
  /** default: right when every value of the column is a number, else left */
  align?: 'left' | 'right';
}

/**
 * Display width of a code point in a monospaced terminal: 2 for East Asian Wide and Fullwidth
 * characters (CJK, Hangul, full-width forms, most emoji), 0 for combining marks and zero-width
 * characters, 1 otherwise. The ranges are the wide blocks of Unicode's EastAsianWidth.txt.
 */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];
const ZERO: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x200b, 0x200f],
  [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];
const within = (ranges: readonly (readonly [number, number])[], cp: number) => ranges.some(([a, b]) => cp >= a && cp <= b);

export function codePointWidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || within(ZERO, cp)) return 0;
  return within(WIDE, cp) ? 2 : 1;
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += codePointWidth(ch.codePointAt(0)!);
  return width;
}

const isNumber = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.replace(/[\r\n\t]+/g, ' '); // one line per row
}

const pad = (text: string, width: number, align: 'left' | 'right') => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
};

/**
 * The rows as an aligned text table ending in a newline; `(none)` when there are no rows.
 * Columns default to every key in the order the rows first show it.
 */
export function formatTable(rows: readonly Record<string, unknown>[], columns?: readonly (string | TableColumn)[]): string {
  if (rows.length === 0) return '(none)\n';
  const keys = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cols = keys.map((c) => (typeof c === 'string' ? { key: c } : c)).map((c) => {
    const values = rows.map((r) => r[c.key]).filter((v) => v !== null && v !== undefined);
    const align = c.align ?? (values.length > 0 && values.every(isNumber) ? 'right' : 'left');
    const header = c.header ?? c.key;
    const texts = rows.map((r) => cell(r[c.key]));
    const width = Math.max(displayWidth(header), ...texts.map(displayWidth));
    return { header, align, texts, width };
  });
  const line = (parts: string[]) => parts.join('  ').trimEnd() + '\n';
  return (
    line(cols.map((c) => pad(c.header, c.width, c.align))) +
    line(cols.map((c) => '-'.repeat(c.width))) +
    rows.map((_, i) => line(cols.map((c) => pad(c.texts[i], c.width, c.align)))).join('')
  );
}
