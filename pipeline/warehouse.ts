/**
 * The warehouse: the only module that runs SQL (STYLE.md, 6). Every statement has a step name;
 * its duration and row count are logged, never its values. Values are bound as parameters.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { logger } from './log.ts';
import { WarehouseError, scrubMessage } from './errors.ts';
import { idNumberSqlMacros } from '../domain/id-number.ts';
import { creditCodeSqlMacros } from '../domain/credit-code.ts';
import { dateSqlMacros } from '../domain/dates.ts';
import { divisionsSql } from '../domain/divisions.ts';

export type Params = Record<string, string | number | boolean | null>;
export type Row = Record<string, unknown>;

const SCHEMA_SQL = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

/** Quotes an identifier for SQL (a column or table name coming from a spec, never from data). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal, for the few places DuckDB takes no parameter (file paths in read_csv, COPY). */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export class Warehouse {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  /** Opens (or creates) the warehouse at `path` (':memory:' for tests) and brings its schema up to date. */
  static async open(path: string, options: { threads?: number; memoryLimit?: string } = {}): Promise<Warehouse> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (e) {
      throw new WarehouseError(`cannot open the warehouse ${path}: ${scrubMessage((e as Error).message)}`);
    }
    const connection = await instance.connect();
    const w = new Warehouse(instance, connection, path);
    await w.exec('macros', idNumberSqlMacros() + creditCodeSqlMacros() + dateSqlMacros());
    await w.exec('schema', SCHEMA_SQL);
    await w.exec('divisions', divisionsSql());
    return w;
  }

  /** Runs statements; returns the number of rows changed (for a single DML statement). */
  async exec(step: string, sql: string, params?: Params): Promise<number> {
    const started = performance.now();
    try {
      const result = await this.connection.run(sql, params as never);
      const rows = Number(result.rowsChanged ?? 0);
      logger().debug({ step, ms: Math.round(performance.now() - started), rows }, 'sql');
      return rows;
    } catch (e) {
      throw new WarehouseError(`step ${step} failed: ${scrubMessage((e as Error).message)}`);
    }
  }

  /** Runs a query and returns its rows as JSON-safe objects (BIGINT and DECIMAL as strings, DATE as 'YYYY-MM-DD'). */
  async rows<T = Row>(step: string, sql: string, params?: Params): Promise<T[]> {
    const started = performance.now();
    try {
      const reader = await this.connection.runAndReadAll(sql, params as never);
      const rows = reader.getRowObjectsJson() as T[];
      logger().debug({ step, ms: Math.round(performance.now() - started), rows: rows.length }, 'sql');
      return rows;
    } catch (e) {
      throw new WarehouseError(`step ${step} failed: ${scrubMessage((e as Error).message)}`);
    }
  }

  async one<T = Row>(step: string, sql: string, params?: Params): Promise<T | undefined> {
    return (await this.rows<T>(step, sql, params))[0];
  }

  /** Runs `fn` in a transaction: all of it lands, or none of it. */
  async transaction<T>(step: string, fn: () => Promise<T>): Promise<T> {
    await this.exec(`${step}:begin`, 'begin transaction');
    try {
      const result = await fn();
      await this.exec(`${step}:commit`, 'commit');
      return result;
    } catch (e) {
      await this.connection.run('rollback').catch(() => undefined);
      throw e;
    }
  }

  async checkpoint(): Promise<void> {
    await this.exec('checkpoint', 'checkpoint');
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Opens an in-memory warehouse for a test, runs `fn`, closes it. */
export async function withWarehouse<T>(fn: (w: Warehouse) => Promise<T>): Promise<T> {
  const w = await Warehouse.open(':memory:');
  try {
    return await fn(w);
  } finally {
    w.close();
  }
}
