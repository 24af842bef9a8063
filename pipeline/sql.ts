/**
 * SQL text: quoting for the few names and values that cannot be parameters, and the parameter
 * shape every statement binds. Pure text, no connection: builders and the warehouse both use it.
 */

export type Params = Record<string, string | number | boolean | null | string[]>;

/** Quotes an identifier for SQL (a column or table name coming from a spec, never from data). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal, for the few places DuckDB takes no parameter (file paths in read_csv, COPY). */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
