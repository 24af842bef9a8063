/** The warehouse's schema text (schema.sql): applied when a warehouse opens, read by migrations that rebuild a table. */
import { readFileSync } from 'node:fs';
import { WarehouseError } from '../base/errors.ts';

export const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/** The `create table if not exists <table> (…);` statement of schema.sql, for migrations that rebuild a table. */
export function schemaTableSql(table: string): string {
  const statement = new RegExp(`create table if not exists ${table} \\([\\s\\S]*?\\n\\);`).exec(SCHEMA_SQL)?.[0];
  if (!statement) throw new WarehouseError(`schema.sql has no table ${table}`);
  return statement;
}
