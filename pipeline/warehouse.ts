/**
 * The warehouse: the only module that runs SQL (STYLE.md, 6). Every statement has a step name;
 * its duration and row count are logged, never its values. Values are bound as parameters.
 */
import type { DuckDBConnection, DuckDBInstance as Instance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { logger } from '../base/log.ts';
import { WarehouseError, scrubMessage } from '../base/errors.ts';
import { idNumberSqlMacros } from '../domain/id-number.ts';
import { creditCodeSqlMacros } from '../domain/credit-code.ts';
import { dateSqlMacros } from '../domain/dates.ts';
import { divisionsSql } from '../domain/divisions.ts';
import { codeTablesSql } from '../domain/code-tables.ts';
import { migrate } from './migrations.ts';
import { SCHEMA_SQL } from './schema.ts';
import { createShapeTables } from './staged.ts';
import type { Params } from './sql.ts';

// Required, not imported: importing this CommonJS package from ESM makes Node scan its ~120 files
// for named exports, 300 ms of every command's start against 140 ms (docs/measured-choices.md).
const { DuckDBInstance, LIST, VARCHAR, listValue } = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');

export type Row = Record<string, unknown>;

/** Lists of strings (code lists from config) bind as VARCHAR[]; everything else as it is. */
function bind(params?: Params): [Record<string, DuckDBValue> | undefined, Record<string, DuckDBType> | undefined] {
  if (!params) return [undefined, undefined];
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) {
      values[k] = listValue(v);
      types[k] = LIST(VARCHAR);
    } else {
      values[k] = v;
    }
  }
  return [values, types];
}

function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*(?:\r?\n|$)/)
    .filter((s) => s.replace(/--[^\n]*/g, '').trim() !== '');
}

function paramsUsedBy(sql: string, params: Params): Params {
  const used = new Set([...sql.replace(/--[^\n]*/g, '').matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
  return Object.fromEntries(Object.entries(params).filter(([k]) => used.has(k)));
}

export class Warehouse {
  private constructor(
    private readonly instance: Instance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
    /** the data folder: staged Parquet files are resolved against it */
    readonly dataDir: string | undefined,
  ) {}

  /**
   * Opens (or creates) the warehouse at `path` (':memory:' for tests) and brings its schema up to
   * date. `dataDir` defaults to the folder holding the warehouse file.
   */
  static async open(path: string, options: { dataDir?: string } = {}): Promise<Warehouse> {
    // Rows may be written in any order (every output orders explicitly), which lets DuckDB insert
    // in parallel; the one statement that needs file order sets it for itself (pipeline/load/stage.ts).
    const config: Record<string, string> = { preserve_insertion_order: 'false', ...memorySettings(options.dataDir ?? (path === ':memory:' ? undefined : dirname(path))) };
    let instance: Instance;
    try {
      if (path !== ':memory:') await createWhole(path);
      instance = await DuckDBInstance.create(path, config);
    } catch (e) {
      throw new WarehouseError(`cannot open the warehouse ${path}: ${scrubMessage((e as Error).message)}`);
    }
    const connection = await instance.connect();
    const w = new Warehouse(instance, connection, path, options.dataDir ?? (path === ':memory:' ? undefined : dirname(path)));
    // Macros, code tables and divisions are written again only when their SQL changed (a new
    // version of hedui): rewriting them at every open cost a no-op night ~0.2 s, and its checkpoint
    // ~0.5 s more for the catalog it had changed (docs/measured-choices.md).
    const macros = idNumberSqlMacros() + creditCodeSqlMacros() + dateSqlMacros();
    const codeTables = codeTablesSql();
    const divisions = divisionsSql();
    const setup = createHash('sha256').update(macros).update(codeTables).update(divisions).digest('hex');
    await w.exec('setup:table', 'create table if not exists warehouse_setup (sha256 varchar not null)');
    const current = (await w.one<{ sha256: string }>('setup:read', 'select sha256 from warehouse_setup'))?.sha256 === setup;
    if (!current) {
      await w.exec('macros', macros);
      // code tables before migrations and shapes: staging SQL calls their macros
      await w.exec('code-tables', codeTables);
    }
    await w.exec('schema', SCHEMA_SQL);
    await migrate(w);
    if (!current) {
      await w.exec('divisions', divisions);
      await w.exec('setup:record', 'delete from warehouse_setup; insert into warehouse_setup values ($sha256)', { sha256: setup });
    }
    await createShapeTables(w);
    return w;
  }

  /**
   * Runs statements; returns the number of rows changed (of the last statement). With parameters,
   * a script is split at statement ends (';' at the end of a line) and each statement gets the
   * parameters it names: DuckDB binds parameters to one statement and refuses unused ones.
   */
  async exec(step: string, sql: string, params?: Params): Promise<number> {
    const started = performance.now();
    try {
      let rows = 0;
      const statements = params ? splitStatements(sql) : [sql];
      for (const statement of statements) {
        const result = await this.connection.run(statement, ...bind(params && paramsUsedBy(statement, params)));
        rows = Number(result.rowsChanged ?? 0);
      }
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
      const reader = await this.connection.runAndReadAll(sql, ...bind(params && paramsUsedBy(sql, params)));
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

  private transactionDepth = 0;

  /**
   * Runs `fn` in a transaction: all of it lands, or none of it. Nested calls join the outer
   * transaction (DuckDB has no savepoints): the outermost one commits or rolls back.
   */
  async transaction<T>(step: string, fn: () => Promise<T>): Promise<T> {
    if (this.transactionDepth > 0) {
      this.transactionDepth++;
      try {
        return await fn();
      } finally {
        this.transactionDepth--;
      }
    }
    await this.exec(`${step}:begin`, 'begin transaction');
    this.transactionDepth = 1;
    try {
      const result = await fn();
      await this.exec(`${step}:commit`, 'commit');
      return result;
    } catch (e) {
      await this.connection.run('rollback').catch(() => undefined);
      throw e;
    } finally {
      this.transactionDepth = 0;
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

/**
 * DuckDB's memory ceiling, when `HEDUI_MEMORY_LIMIT` sets one (DuckDB's syntax, e.g. '2GB'; by
 * default DuckDB's own, 80 % of RAM), how its allocator then frees, and where it spills beyond
 * it: the data folder's `.duckdb-tmp/` (the same disk as the warehouse, owner-only like the rest).
 * A 2GB default was tried and left out: its one province run (on a loaded machine) took the rules
 * 7 → 29 s, not yet told apart from the load (docs/README.md).
 */
function memorySettings(dataDir: string | undefined): Record<string, string> {
  const limit = process.env.HEDUI_MEMORY_LIMIT;
  return {
    // Under a ceiling, memory DuckDB has freed goes back to the system soon, not when its
    // allocator's caches fill, so the process stays nearer the ceiling: at 4 × the province under
    // 1.5GB, peak RSS 2.81 → 2.28 GiB in the same time. Without one they are left at DuckDB's
    // defaults: they cost the test suite ~9 s of CPU (docs/measured-choices.md).
    ...(limit ? { memory_limit: limit, allocator_background_threads: 'true', allocator_flush_threshold: '32MB' } : {}),
    ...(dataDir ? { temp_directory: join(dataDir, '.duckdb-tmp') } : {}),
  };
}

/**
 * A new warehouse file is made under a temporary name and renamed into place: DuckDB writes a new
 * file's headers in steps, and a run killed between them left a 4096-byte file no later run could
 * open. The caller holds the data folder's lock, so any leftover temporary file is a killed run's.
 */
async function createWhole(path: string): Promise<void> {
  if (await stat(path).catch(() => undefined)) return;
  const folder = dirname(path);
  const prefix = `${basename(path)}.creating`;
  for (const name of await readdir(folder)) if (name.startsWith(prefix)) await rm(join(folder, name), { force: true });
  const tmp = `${path}.creating-${process.pid}`;
  const fresh = await DuckDBInstance.create(tmp);
  fresh.closeSync();
  await rm(`${tmp}.wal`, { force: true });
  await rename(tmp, path);
}

/** Opens an in-memory warehouse for a test (staged files under `dataDir`, else a new temporary folder), runs `fn`, closes it. */
export async function withWarehouse<T>(fn: (w: Warehouse) => Promise<T>, dataDir?: string): Promise<T> {
  const w = await Warehouse.open(':memory:', { dataDir: dataDir ?? (await mkdtemp(join(tmpdir(), 'hedui-warehouse-'))) });
  try {
    return await fn(w);
  } finally {
    w.close();
  }
}
