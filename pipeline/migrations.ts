/**
 * Migrations: what brings a warehouse (and its data folder) made by an earlier version of hedui up
 * to the current one. schema.sql creates what is missing (`create … if not exists`), which is
 * enough for a new warehouse but adds no column to a table that exists and rewrites no file; each
 * change of that kind is a numbered step here, applied once, in order, and recorded in
 * schema_migrations. Every step must also be harmless on a warehouse schema.sql has just created,
 * since a new warehouse runs them all.
 *
 * Never edit or renumber a step that has shipped; add one.
 */
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { literal, type Params } from './sql.ts';
import { schemaTableSql } from './schema.ts';
import { openState } from './state.ts';
import { recordAudit } from './audit.ts';

/**
 * What a step needs of the warehouse (pipeline/warehouse.ts runs the steps when it opens; declared
 * here so the two modules do not import each other).
 */
export interface MigrationTarget {
  readonly dataDir: string | undefined;
  exec(step: string, sql: string, params?: Params): Promise<number>;
  one<T>(step: string, sql: string, params?: Params): Promise<T | undefined>;
  rows<T>(step: string, sql: string, params?: Params): Promise<T[]>;
  transaction<T>(name: string, fn: () => Promise<T>): Promise<T>;
}
import { logger } from '../base/log.ts';

interface Migration {
  id: number;
  name: string;
  up(w: MigrationTarget): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'flags.carried_over',
    up: async (w) => {
      await w.exec('migration:1', 'alter table flags add column if not exists carried_over boolean default false');
    },
  },
  {
    id: 2,
    name: 'staged rows in Parquet files, not warehouse tables',
    up: async (w) => {
      await w.exec('migration:2', 'alter table loads add column if not exists staged_file varchar');
      for (const table of ['stg_roster', 'stg_provident_fund', 'stg_vehicles', 'stg_business']) await w.exec('migration:2', `drop table if exists ${table}`);
    },
  },
  {
    id: 3,
    name: 'staged Parquet files hold every row read, with its problem',
    // Files written before this step hold the clean rows only: they get an empty problem column,
    // which is what the stg_/snap_ views select on (pipeline/staged.ts).
    up: async (w) => {
      if (!w.dataDir) return;
      const files = await w.rows<{ staged_file: string }>('migration:3', "select staged_file from loads where status = 'staged' and staged_file is not null");
      for (const { staged_file } of files) {
        const path = join(w.dataDir, staged_file);
        if (!(await stat(path).catch(() => undefined))) continue;
        const has = await w.one<{ n: number }>('migration:3', `select count(*)::integer as n from parquet_schema(${literal(path)}) where name = 'problem'`);
        if (has!.n > 0) continue;
        await w.exec('migration:3', `copy (select *, null::varchar as problem from read_parquet(${literal(path)})) to ${literal(`${path}.tmp`)} (format parquet, compression zstd)`);
        await rename(`${path}.tmp`, path);
      }
    },
  },
  {
    id: 4,
    name: 'flags without a primary key index',
    up: async (w) => {
      const keyed = await w.one<{ n: number }>('migration:4', "select count(*)::integer as n from duckdb_constraints() where table_name = 'flags' and constraint_type = 'PRIMARY KEY'");
      if (keyed!.n === 0) return;
      await w.exec('migration:4', 'alter table flags rename to flags_keyed');
      await w.exec('migration:4', schemaTableSql('flags'));
      await w.exec('migration:4', 'insert into flags by name select * from flags_keyed');
      await w.exec('migration:4', 'drop table flags_keyed');
    },
  },
  {
    id: 5,
    name: 'issue dates recorded at publication (flag_issues, publications)',
    // Before this step a flag's dates were computed (the day after its month ended) and stored on its
    // flags rows: those are what its county's workbooks showed, so they become its recorded first
    // issue. A month's publication date is that of the flags it issued first. The tables themselves
    // come from schema.sql, which runs before the steps.
    up: async (w) => {
      await w.exec(
        'migration:5',
        `insert into flag_issues
         select flag_id, arg_min(county_code, (issued_on, period)), arg_min(first_issued_period, (issued_on, period)), min(issued_on), arg_min(due_on, (issued_on, period))
         from flags where status = 'issued' and flag_id not in (select flag_id from flag_issues)
         group by flag_id`,
      );
      await w.exec(
        'migration:5',
        `insert into publications
         select period, min(issued_on), arg_min(due_on, issued_on)
         from flags where status = 'issued' and first_issued_period = period and period not in (select period from publications)
         group by period`,
      );
    },
  },
  {
    id: 6,
    name: 'loads: workbook header rows, footer rows, sheets read, note',
    // Workbooks as offices send them (issue 23): rows above the header, trailing footer rows set
    // aside, the sheets read and a footer's count that disagrees with the rows read. Loads made
    // before this step leave them empty.
    up: async (w) => {
      for (const column of ['rows_above_header integer', 'footer_rows integer', 'sheets varchar', 'note varchar']) {
        await w.exec('migration:6', `alter table loads add column if not exists ${column}`);
      }
    },
  },
  {
    id: 7,
    name: 'accounts and the audit trail move to the state store',
    // The portal's state and the audit lived in the warehouse, which the nightly run locks for
    // minutes (issue 17); they now live in state.sqlite (pipeline/state.ts). Accounts keep their
    // password hashes; audit rows are chained in their old order with their old times; sessions
    // and login failures are not carried over (everyone logs in again). A warehouse schema.sql
    // has just created has none of these tables.
    up: async (w) => {
      const legacy = new Set(
        (await w.rows<{ name: string }>('migration:7', "select table_name as name from information_schema.tables where table_schema = 'main'")).map((t) => t.name),
      );
      if (w.dataDir && (legacy.has('accounts') || legacy.has('audit'))) {
        const state = openState(w.dataDir);
        try {
          const accounts = legacy.has('accounts')
            ? await w.rows<{ username: string; scope: string; scope_code: string | null; password_hash: string; created_ms: number; disabled_ms: number | null }>(
                'migration:7',
                'select username, scope, scope_code, password_hash, epoch_ms(created_at)::double as created_ms, epoch_ms(disabled_at)::double as disabled_ms from accounts order by username',
              )
            : [];
          const audit = legacy.has('audit')
            ? await w.rows<{ ms: number; actor: string; action: string; subject: string | null; detail: string | null; remote: string | null; period: string | null }>(
                'migration:7',
                'select epoch_ms(occurred_at)::double as ms, actor, action, subject, detail, remote, period from audit order by occurred_at, action, subject',
              )
            : [];
          state.transaction(() => {
            const add = state.prepare('insert or ignore into accounts (username, scope, scope_code, password_hash, created_at, disabled_at) values (?, ?, ?, ?, ?, ?)');
            for (const a of accounts) add.run(a.username, a.scope, a.scope_code, a.password_hash, Number(a.created_ms), a.disabled_ms === null ? null : Number(a.disabled_ms));
            for (const r of audit) recordAudit(state, r, Number(r.ms));
          })();
        } finally {
          state.close();
        }
      }
      for (const table of ['portal_sessions', 'login_failures', 'accounts', 'audit']) await w.exec('migration:7', `drop table if exists ${table}`);
    },
  },
  {
    id: 8,
    name: 'flags.amount_yuan',
    // payments rules (issue 19) say how much was paid wrongly; earlier flags have none
    up: async (w) => {
      await w.exec('migration:8', 'alter table flags add column if not exists amount_yuan decimal(18, 2)');
    },
  },
];

/** Applies the steps this warehouse has not had yet. */
export async function migrate(w: MigrationTarget): Promise<void> {
  const applied = new Set((await w.rows<{ id: number }>('migrations', 'select id from schema_migrations')).map((r) => r.id));
  for (const m of MIGRATIONS) {
    if (applied.has(m.id)) continue;
    await w.transaction(`migration:${m.id}`, async () => {
      await m.up(w);
      await w.exec('migration:done', 'insert into schema_migrations values ($id, $name, now())', { id: m.id, name: m.name });
    });
    logger().info({ migration: m.id, name: m.name }, 'migrated');
  }
}
