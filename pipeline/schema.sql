-- The warehouse schema. Applied on every open; every statement is idempotent.
-- Grain is stated per table. No table here is written outside pipeline/warehouse.ts.

-- loads: one row per department file seen (feed × period × sha256).
-- status: staged (its clean rows are in staged_file), rejected (a gate or a format error; nothing
-- staged), superseded (a later file replaced it; its staged file was removed, this row is history).
-- staged_file: the load's clean rows as Parquet, relative to the data folder. Staged feeds are
-- rebuildable from the inbox, so they live beside the warehouse rather than in it: writing them as
-- Parquet is faster than inserting them into this file (docs/measured-choices.md).
-- rows_above_header, footer_rows, sheets, note: workbooks only (pipeline/load/sheets.ts): titles
-- and notes skipped above the header, trailing 合计 / 制表人 rows set aside, the sheets read with
-- their row ranges, and a footer's record count that disagrees with the rows read.
create table if not exists loads (
  load_id varchar primary key,
  feed varchar not null,
  period varchar not null,
  file varchar not null,
  sha256 varchar not null,
  bytes bigint not null,
  mtime_ms bigint,
  format varchar,
  encoding varchar,
  rows_read integer,
  rows_staged integer,
  rows_quarantined integer,
  status varchar not null,
  reason varchar,
  loaded_at timestamp not null,
  superseded_at timestamp,
  staged_file varchar,
  rows_above_header integer,
  footer_rows integer,
  sheets varchar,
  note varchar
);

-- quarantine: one row per rejected source row. Only what is needed to fix the source:
-- the file, the line, why, and which field — never the row's personal data.
create table if not exists quarantine (
  load_id varchar not null,
  feed varchar not null,
  file varchar not null,
  line integer not null,
  reason varchar not null,
  field varchar
);

-- shape_stg_<feed>: the columns of each feed's staged rows. The rows themselves are Parquet files,
-- one per load (loads.staged_file); these tables stay empty and give the views stg_<feed> and
-- snap_<feed> their types when there is no file yet. They are not written here: each is derived
-- from its feed's declaration (column kinds + staging.sql) when the warehouse opens, and re-derived
-- only when that changes (createShapeTables in pipeline/staged.ts).

-- drift_acceptances: an operator accepted a feed snapshot whose row count moved past the gate.
create table if not exists drift_acceptances (
  feed varchar not null,
  period varchar not null,
  rows integer not null,
  accepted_at timestamp not null
);

-- snapshot_fallbacks: an operator chose an older snapshot of a feed for a month than the delivery
-- the month should use (`run --use-previous FEED`): who, when, and which delivery was skipped.
create table if not exists snapshot_fallbacks (
  period varchar not null,
  feed varchar not null,
  skipped_period varchar not null,
  why varchar not null, -- rejected | not_delivered
  used_period varchar not null,
  accepted_by varchar not null,
  accepted_at timestamp not null
);

-- period_households: per published month, the roster's households and those waiting for
-- authorization (the unauthorized-rise gate compares a month with the one before).
create table if not exists period_households (
  period varchar primary key,
  households integer not null,
  pending_authorization integer not null
);

-- whitelist: one row per entry. A person, for a rule or a source feed (scope), optionally one
-- record (plate, credit code, employer) and an evidence fingerprint; always with an expiry.
create table if not exists whitelist (
  entry_id varchar primary key,
  person_id varchar not null,
  scope varchar not null,
  record_key varchar,
  fingerprint varchar,
  reason varchar not null,
  added_by varchar not null,
  valid_from date not null,
  valid_until date not null,
  created_at timestamp not null,
  revoked_at timestamp,
  revoked_by varchar
);

-- accounts, portal sessions, login throttling and the audit trail live in the state store
-- (state.sqlite, pipeline/state.ts), which the portal and operators use while a run holds this warehouse.

-- flags: one row per period × flag (rule × person × evidence). A re-run of a period replaces its rows.
-- status: issued (in the county's workbook) or suppressed (a whitelist entry matched: kept, counted).
-- issued_on, due_on: the flag's own dates, from flag_issues once it has reached its county (the
-- first publication that contained it), else the day of this run (pipeline/sql/flags.sql).
create table if not exists flags (
  period varchar not null,
  flag_id varchar not null,
  rule_id varchar not null,
  person_id varchar not null,
  household_id varchar not null,
  county_code varchar not null,
  severity varchar not null,
  record_key varchar,
  evidence_key varchar not null,
  evidence varchar not null,
  fingerprint varchar not null,
  source_feed varchar not null,
  source_period varchar not null,
  status varchar not null,
  whitelist_entry varchar,
  first_issued_period varchar not null,
  issued_on date not null,
  due_on date not null,
  carried_over boolean not null default false,
  -- the money paid wrongly, to recover (rules that recover: payments), else NULL
  amount_yuan decimal(18, 2)
  -- (period, flag_id) is unique, checked when a month's flags are written (pipeline/match.ts)
  -- rather than by a primary key: DuckDB's index made re-writing a month's flags slow
  -- (migration 4; docs/measured-choices.md)
);

-- flag_issues: one row per flag that has reached its county: the period, day (China Standard Time)
-- and due date of the first publication that contained it (written by pipeline/publish/publish.ts
-- once the release is visible). A flag keeps these dates in every later run and period
-- (pipeline/sql/flags.sql): re-runs and carry-over never move them. Grain: one row per flag_id —
-- kept by the writer (only ids not yet here, and a month's ids are unique, assert_flag_ids_unique)
-- rather than by a primary key, which made recording a province month's flags ~3.5× slower
-- (docs/measured-choices.md), as for flags (migration 4).
create table if not exists flag_issues (
  flag_id varchar not null,
  county_code varchar not null,
  first_issued_period varchar not null,
  issued_on date not null,
  due_on date not null
);

-- publications: one row per published month: the issue date its workbooks show on 说明, summary.xlsx
-- and the manifest — the day of its first publication, or of the latest one that issued a flag for
-- the first time — and the due date of the flags issued that day. A re-run that issues nothing new
-- keeps it, so unchanged inputs give the same bytes on any day.
create table if not exists publications (
  period varchar primary key,
  issued_on date not null,
  due_on date not null
);

-- issued_households: one row per period × household with an issued flag: the 月保障金 the county's
-- workbook showed (the roster the month used; written with the month's flags). A later month
-- compares it with its own roster when the county answered 属实-已调整保障金
-- (rules/benefit-not-stopped). A re-run of the month replaces its rows.
create table if not exists issued_households (
  period varchar not null,
  household_id varchar not null,
  monthly_amount decimal(18, 2) not null
);

-- pending_authorization: one row per period × household not matched for lack of a valid
-- authorization. Household and county only: names and IDs stay in the roster.
create table if not exists pending_authorization (
  period varchar not null,
  household_id varchar not null,
  county_code varchar not null,
  reason varchar not null
);

-- period_snapshots: which snapshot of each feed a period's run used.
create table if not exists period_snapshots (
  period varchar not null,
  feed varchar not null,
  snapshot_period varchar not null,
  rows integer not null,
  age_months integer not null,
  stale boolean not null,
  load_ids varchar not null
);

-- runs: the run history, one row per run of a command. Wall-clock time lives here, never in
-- published files. detail is JSON of counts, file names and gate findings — no personal data.
create table if not exists runs (
  run_id varchar primary key,
  command varchar not null,
  period varchar,
  pid integer not null,
  started_at timestamp not null,
  ended_at timestamp,
  outcome varchar not null,
  detail varchar
);

-- feedback_imports: one row per returned county workbook read (sha256), refused ones included.
create table if not exists feedback_imports (
  import_id varchar primary key,
  file varchar not null,
  sha256 varchar not null,
  county_code varchar,
  period varchar,
  actor varchar not null,
  remote varchar,
  received_on date not null,
  imported_at timestamp not null,
  status varchar not null,
  reason varchar,
  accepted integer not null,
  rejected integer not null,
  unanswered integer not null,
  superseded_by varchar
);

-- dispositions: one row per flag answered in a returned workbook (核实结果 and the rest).
-- A later import for the same county and period supersedes the earlier one as a whole
-- (feedback_imports.superseded_by); the current answer of a flag is its latest unsuperseded row.
create table if not exists dispositions (
  import_id varchar not null,
  flag_id varchar not null,
  period varchar not null,
  county_code varchar not null,
  household_id varchar not null,
  result varchar not null,
  note varchar,
  verifier varchar,
  verified_on date,
  received_on date not null
);

-- feedback_rejections: one row per row of a returned workbook the importer did not take (sheet
-- 疑点家庭 or 疑点明细, sheet row number, reason in words, no personal data), so the portal can show
-- every upload's result later. Grain: one row per import_id × sheet × row.
create table if not exists feedback_rejections (
  import_id varchar not null,
  sheet varchar not null,
  sheet_row integer not null,
  reason varchar not null
);

-- pulls: one row per file fetched into the inbox by `hedui pull` (the loads table says what was read).
create table if not exists pulls (
  feed varchar not null,
  period varchar not null,
  name varchar not null,
  sha256 varchar not null,
  bytes bigint not null,
  pulled_at timestamp not null
);

-- request_files: one row per check-request file read from inbox/requests/<date>/[<county>/]
-- (pipeline/requests/intake.ts), so a file is read once (its size and mtime unchanged: not even hashed
-- again). status: read (its requests recorded) or
-- rejected (unreadable, or no request in it), with the reason.
create table if not exists request_files (
  file varchar primary key,
  sha256 varchar not null,
  bytes bigint not null,
  mtime_ms bigint not null,
  received_on date not null,
  folder_county varchar,
  status varchar not null,
  reason varchar,
  rows_read integer not null,
  requests integer not null,
  read_at timestamp not null
);

-- check_requests: one row per check request (逢救必核, docs/check-requests.md) as a file brought it;
-- request_key is its county and 委托编号 ('150102/WT-001'). status: open (to be answered), refused (a row of it has a problem: nothing matched),
-- answered (its 核对报告 written: answered_on, report_file), replaced (a later file brought the same
-- 委托编号 before it was answered). due_on: 委托日期 + deadline_days, the next working day.
create table if not exists check_requests (
  request_key varchar not null,
  county_code varchar not null,
  request_no varchar not null,
  file varchar not null,
  received_on date not null,
  requested_on date not null,
  due_on date not null,
  kind varchar not null,
  program varchar not null,
  program_urban_rural varchar,
  household_ref varchar,
  members integer not null,
  status varchar not null,
  refusal varchar,
  answered_on date,
  report_file varchar,
  recorded_at timestamp not null,
  primary key (request_key, file)
);

-- check_request_rows: every row read of a request file (line, the member, its problem: the
-- reason it was refused, reason|field as in quarantine). request_key is NULL for a row that
-- names no request it could belong to (no county, no 委托编号).
create table if not exists check_request_rows (
  file varchar not null,
  line integer not null,
  request_key varchar,
  person_id varchar,
  name varchar,
  relation varchar,
  is_applicant boolean,
  authorization_signed_on date,
  problem varchar
);

-- assist_requests: one row per cross-province (kind province: the region's 民政厅 asks another
-- province, 跨省核对请求) or cross-league (kind league: 协查请求 to the league the person lives in)
-- request about a member (docs/assist-requests.md). Made by a month's commit (int_assist.sql,
-- assist_record.sql; a re-run replaces the period's requests not yet sent), sent when the month is
-- published (sent_on: the publication's issue date), answered by an imported workbook (answered_on,
-- result … answer_file: the file's sha256). superseded_by: a later request about the same person and
-- place, made after recheck_months while this one was unanswered.
create table if not exists assist_requests (
  request_id varchar primary key,
  kind varchar not null,
  target_code varchar not null,
  period varchar not null,
  household_id varchar not null,
  person_id varchar not null,
  county_code varchar not null,
  name varchar,
  residence_division varchar not null,
  items varchar not null,
  auth_signed_on date,
  sent_on date,
  answered_on date,
  result varchar,
  note varchar,
  answered_by varchar,
  answer_file varchar,
  answer_recorded_at timestamp,
  superseded_by varchar
);

-- schema_migrations: the steps of pipeline/migrations.ts this warehouse has had. What schema.sql
-- creates is the current shape; those steps bring an older warehouse to it.
create table if not exists schema_migrations (
  id integer primary key,
  name varchar not null,
  applied_at timestamp not null
);
