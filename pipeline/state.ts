/**
 * The state store: what the portal and the operators' commands share with each other and with the
 * nightly run, kept apart from the warehouse. DuckDB allows one writing process, and the nightly
 * run holds the data folder's lock for minutes; accounts, sessions, login throttling, the upload
 * queue and the audit trail must stay usable meanwhile (the portal answers, `hedui accounts` and
 * `hedui audit` work). SQLite in WAL mode is made for many processes: readers never wait, a writer
 * waits at most `busy_timeout` for another, each write is a short transaction.
 *
 * better-sqlite3 12 (synchronous, prebuilt or built against Node's headers); 13 needs Node 22 and
 * crashes on 20 (docs/measured-choices.md). The file is `<data folder>/state.sqlite`, 0600.
 *
 * Times are integer milliseconds since the epoch (UTC) unless a column says otherwise.
 */
import Database from 'better-sqlite3';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';

export type StateDb = Database.Database;

const SCHEMA = `
create table if not exists meta (
  key text primary key,
  value text not null
);

-- portal users. scope: region (all counties), league (its counties), county (itself).
-- password_hash: 'scrypt$N$r$p$salt$hash' (base64). Never deleted: disabled_at.
-- must_change_password: the password was generated (or reset) and shown to an operator; the
-- account changes it at its first login before anything else.
create table if not exists accounts (
  username text primary key,
  scope text not null check (scope in ('region', 'league', 'county')),
  scope_code text,
  password_hash text not null,
  must_change_password integer not null default 0,
  created_at integer not null,
  password_changed_at integer,
  disabled_at integer
);

-- one row per login; the cookie holds the token, the table only its sha256.
-- A session ends at expires_at (absolute) or when last_seen_at is older than the idle timeout.
create table if not exists sessions (
  token_sha256 text primary key,
  username text not null,
  created_at integer not null,
  last_seen_at integer not null,
  expires_at integer not null,
  remote text
);
create index if not exists sessions_by_user on sessions(username);

-- failed logins per (username, client address). user_key is a keyed hash of the username as typed:
-- unknown names are counted like known ones (no enumeration) without keeping what was typed,
-- which may be a password entered in the wrong field.
create table if not exists login_throttle (
  user_key text not null,
  remote text not null,
  failures integer not null,
  last_failure_at integer not null,
  next_allowed_at integer not null,
  primary key (user_key, remote)
);

-- the audit trail, hash-chained: hash = sha256(prev_hash, the row's fields) (pipeline/audit.ts).
-- occurred_at: ISO 8601 UTC text. detail never holds personal data of a household.
create table if not exists audit (
  seq integer primary key autoincrement,
  occurred_at text not null,
  actor text not null,
  action text not null,
  subject text,
  detail text,
  remote text,
  period text,
  prev_hash text not null,
  hash text not null
);
create index if not exists audit_by_period on audit(period);

-- returned workbooks received by the portal, waiting for or done with their import (which runs in
-- a child process that takes the warehouse's lock). state: queued → importing → done | failed.
-- created_file: this upload wrote the file (a refused one is then deleted again).
-- Two kinds, told apart by file (relative to <data folder>/feedback/): '<county>/<sha256>.xlsx', a
-- county's workbook; 'assist/<unit>/<sha256>.xlsx', an answered request workbook (协查请求,
-- 跨省核对请求) sent by a league or the region (portal/imports.ts). county_code: the uploading
-- unit's code: a county's (6 digits), a league's (4) or the region's (2).
create table if not exists uploads (
  upload_id text primary key,
  county_code text not null,
  username text not null,
  remote text,
  sha256 text not null,
  file text not null,
  size integer not null,
  received_at integer not null,
  state text not null check (state in ('queued', 'importing', 'done', 'failed')),
  created_file integer not null,
  worker_pid integer,
  result text,
  finished_at integer
);
create index if not exists uploads_by_county on uploads(county_code, received_at);
`;

/** How long a write waits for another process's write before failing (each is a short transaction). */
const BUSY_TIMEOUT_MS = 10_000;

export const statePath = (dataDir: string) => join(dataDir, 'state.sqlite');

/** Opens (and creates) the data folder's state store. */
export function openState(dataDir: string): StateDb {
  const path = statePath(dataDir);
  const db = new Database(path);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  // created under the process's umask (077 from cli/main.ts); tightened here for a store made before it
  chmodSync(path, 0o600);
  return db;
}

/** A value kept in `meta`, created by `make` the first time it is asked for. */
export function metaValue(db: StateDb, key: string, make: () => string): string {
  const found = db.prepare<[string], { value: string }>('select value from meta where key = ?').get(key);
  if (found) return found.value;
  db.prepare('insert or ignore into meta values (?, ?)').run(key, make());
  return db.prepare<[string], { value: string }>('select value from meta where key = ?').get(key)!.value;
}
