import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Warehouse } from './warehouse.ts';
import { literal } from './sql.ts';
import { createStagedViews } from './staged.ts';
import { MIGRATIONS } from './migrations.ts';
import { openState } from './state.ts';
import { auditReport, verifyAudit } from './audit.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hedui-migrations-'));
  dirs.push(dir);
  return dir;
}

async function withOpen<T>(dir: string, fn: (w: Warehouse) => Promise<T>): Promise<T> {
  const w = await Warehouse.open(join(dir, 'hedui.duckdb'));
  try {
    return await fn(w);
  } finally {
    w.close();
  }
}

describe('migrations', () => {
  it('are all recorded on a new warehouse, once: opening it again applies nothing', async () => {
    const dir = await dataDir();
    const first = await withOpen(dir, (w) => w.rows('m', 'select id, name, applied_at::varchar as at from schema_migrations order by id'));
    expect(first.map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await withOpen(dir, (w) => w.rows('m', 'select id, name, applied_at::varchar as at from schema_migrations order by id'))).toEqual(first);
  });

  it('bring a warehouse of an earlier version to the current shape: its columns, its staged files, its flags\' issue dates', async () => {
    const dir = await dataDir();
    // an earlier warehouse: flags with a primary key and without carried_over, staged rows in a
    // table, and (a later version) a staged Parquet file of clean rows only, without `problem`
    await withOpen(dir, async (w) => {
      await mkdir(join(dir, 'staged', 'vehicles'), { recursive: true });
      await w.exec(
        'old-file',
        `copy (select * from shape_stg_vehicles union all select 'vehicles:2026Q3:x', 2, 'A', '150102198001010011', '王某', '02', '蒙A12345', 'K33', 'A', date '2020-01-01', 'A')
         to ${literal(join(dir, 'staged/vehicles/old.parquet'))} (format parquet)`,
      );
      await w.exec(
        'old-load',
        "insert into loads (load_id, feed, period, file, sha256, bytes, rows_read, rows_staged, rows_quarantined, status, loaded_at, staged_file) values ('vehicles:2026Q3:x', 'vehicles', '2026Q3', 'inbox/vehicles/2026Q3/a.csv', 'x', 1, 1, 1, 0, 'staged', now(), 'staged/vehicles/old.parquet')",
      );
      // flags as it was: with its primary key, and without carried_over
      await w.exec(
        'old-flags',
        `drop table flags;
         create table flags (period varchar not null, flag_id varchar not null, rule_id varchar not null, person_id varchar not null, household_id varchar not null,
           county_code varchar not null, severity varchar not null, record_key varchar, evidence_key varchar not null, evidence varchar not null,
           fingerprint varchar not null, source_feed varchar not null, source_period varchar not null, status varchar not null, whitelist_entry varchar,
           first_issued_period varchar not null, issued_on date not null, due_on date not null, primary key (period, flag_id));
         insert into flags values ('2026-09', 'f1', 'vehicle-owned', 'p', 'h', '150102', 'high', null, 'e', '{}', 'x', 'vehicles', '2026Q2', 'issued', null, '2026-09', '2026-10-01', '2026-10-16')`,
      );
      await w.exec('old-shape', 'create table stg_vehicles (x integer); delete from schema_migrations');
    });
    await withOpen(dir, async (w) => {
      expect((await w.rows('m', 'select id from schema_migrations order by id')).map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id));
      expect(await w.one('c', "select count(*)::integer as n from information_schema.columns where table_name = 'flags' and column_name = 'carried_over'")).toEqual({ n: 1 });
      expect(await w.one('c', "select count(*)::integer as n from information_schema.columns where table_name = 'flags' and column_name = 'amount_yuan'")).toEqual({ n: 1 });
      expect(await w.one('k', "select count(*)::integer as n from duckdb_constraints() where table_name = 'flags' and constraint_type = 'PRIMARY KEY'")).toEqual({ n: 0 });
      expect(await w.rows('f', 'select period, flag_id, carried_over from flags')).toEqual([{ period: '2026-09', flag_id: 'f1', carried_over: false }]);
      // the dates its county's workbook showed become the flag's recorded first issue, and the month's publication date
      expect(await w.rows('i', 'select flag_id, county_code, first_issued_period, issued_on::varchar as issued_on, due_on::varchar as due_on from flag_issues')).toEqual([
        { flag_id: 'f1', county_code: '150102', first_issued_period: '2026-09', issued_on: '2026-10-01', due_on: '2026-10-16' },
      ]);
      expect(await w.rows('p', 'select period, issued_on::varchar as issued_on, due_on::varchar as due_on from publications')).toEqual([{ period: '2026-09', issued_on: '2026-10-01', due_on: '2026-10-16' }]);
      await createStagedViews(w);
      expect(await w.rows('v', 'select line, owner_name from stg_vehicles')).toEqual([{ line: 2, owner_name: '王某' }]);
    });
  });

  it('a hand-written shape table of an earlier version is replaced by the shape derived from the feed, once', async () => {
    const dir = await dataDir();
    const columns = (w: Warehouse) => w.rows<{ name: string; type: string }>('c', "select column_name as name, data_type as type from duckdb_columns() where table_name = 'shape_stg_vehicles' order by column_index");
    const derived = await withOpen(dir, async (w) => {
      const current = await columns(w);
      // as schema.sql wrote it before: a table without the comment that says what it was derived from
      await w.exec('old-shape', 'drop table shape_stg_vehicles; create table shape_stg_vehicles (load_id varchar not null, line integer not null, owner_id varchar not null)');
      return current;
    });
    expect(derived.slice(0, 3)).toEqual([{ name: 'load_id', type: 'VARCHAR' }, { name: 'line', type: 'INTEGER' }, { name: 'owner_id_type', type: 'VARCHAR' }]);
    expect(derived).toContainEqual({ name: 'first_registered_on', type: 'DATE' });
    await withOpen(dir, async (w) => {
      expect(await columns(w)).toEqual(derived);
      await createStagedViews(w);
      expect(await w.rows('v', 'select * from stg_vehicles')).toEqual([]);
    });
  });
  it('move accounts (with their password hashes) and the audit trail of an earlier warehouse to the state store, chained in their order', async () => {
    const dir = await dataDir();
    // an earlier warehouse: the portal's tables lived in it
    await withOpen(dir, async (w) => {
      await w.exec('t', 'delete from schema_migrations where id = 7');
      await w.exec('t', 'create table accounts (username varchar primary key, scope varchar not null, scope_code varchar, password_hash varchar not null, created_at timestamp not null, disabled_at timestamp)');
      await w.exec('t', 'create table portal_sessions (token_sha256 varchar primary key, username varchar not null, created_at timestamp not null, expires_at timestamp not null, remote varchar)');
      await w.exec('t', 'create table login_failures (username varchar, remote varchar, occurred_at timestamp not null)');
      await w.exec('t', 'create table audit (occurred_at timestamp not null, actor varchar not null, action varchar not null, subject varchar, detail varchar, remote varchar, period varchar)');
      await w.exec('t', "insert into accounts values ('xc', 'county', '150102', 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', '2026-10-01 08:00:00', null), ('old', 'region', null, 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', '2026-09-01 08:00:00', '2026-10-02 09:00:00')");
      await w.exec('t', "insert into portal_sessions values ('abc', 'xc', '2026-11-01 00:00:00', '2026-11-01 08:00:00', '127.0.0.1')");
      await w.exec('t', "insert into audit values ('2026-11-02 03:00:00', 'xc', 'portal.download', '150102', 'a.xlsx', '10.0.0.1', '2026-10'), ('2026-11-01 02:00:00', 'ops', 'whitelist.add', 'W1', 'scope=vehicle-owned', null, null)");
    });
    await withOpen(dir, async (w) => {
      const tables = await w.rows<{ name: string }>('t', "select table_name as name from information_schema.tables where table_name in ('accounts', 'audit', 'portal_sessions', 'login_failures')");
      expect(tables).toEqual([]);
    });
    const state = openState(dir);
    try {
      expect(state.prepare('select username, scope, scope_code, password_hash, disabled_at is not null as disabled from accounts order by username').all()).toEqual([
        { username: 'old', scope: 'region', scope_code: null, password_hash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', disabled: 1 },
        { username: 'xc', scope: 'county', scope_code: '150102', password_hash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', disabled: 0 },
      ]);
      expect(state.prepare('select count(*) as n from sessions').get()).toEqual({ n: 0 }); // everyone logs in again
      // oldest first, times kept (shown in China time), and a sound chain
      expect(auditReport(state).map((a) => [a.occurred_at, a.action])).toEqual([
        ['2026-11-01 10:00:00', 'whitelist.add'],
        ['2026-11-02 11:00:00', 'portal.download'],
      ]);
      expect(verifyAudit(state)).toMatchObject({ ok: true, rows: 2 });
    } finally {
      state.close();
    }
  });
  it('a new warehouse file appears whole: a creation killed half-way leaves only a temporary file, which the next open removes', async () => {
    const dir = await dataDir();
    await writeFile(join(dir, 'hedui.duckdb.creating-999999'), Buffer.alloc(4096)); // a header, then SIGKILL
    expect(await withOpen(dir, (w) => w.one<{ n: number }>('t', 'select count(*)::integer as n from schema_migrations'))).toEqual({ n: MIGRATIONS.length });
    expect((await readdir(dir)).filter((f) => f.includes('creating'))).toEqual([]);
  });
});
