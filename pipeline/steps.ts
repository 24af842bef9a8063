/**
 * SQL steps, the Splink shape: builders are pure functions that *return* named steps
 * (`{ name, sql, params }`); runSteps alone runs them, through the warehouse (STYLE.md, 6).
 *
 * A step that makes an intermediate (`creates`: an `int_*` or `pub_*` table or view) holds only its
 * SELECT; the executor says where the result goes:
 *   default            `create or replace temp table|view <name> as <select>`, dropped when the
 *                      month is done (dropIntermediates)
 *   keepIn: <schema>   `create or replace table <schema>.<name> as <select>` (views become tables
 *                      too), never dropped: `hedui run --keep-intermediate` or
 *                      HEDUI_KEEP_INTERMEDIATE=1 keeps a month's in `debug_<period>`
 *                      (e.g. `select * from debug_2026_10.int_households`), replaced by the next
 *                      kept run of that month
 * Later steps and rules read intermediates by their bare name: in keep mode the schema is put first
 * on the search path, so the same SQL runs in both modes.
 *
 * Checks are `assert_<condition>.sql` files under pipeline/sql/ that return the offending rows
 * (none: the check passes); TypeScript turns those rows into findings and messages.
 */
import { readFileSync } from 'node:fs';
import type { Warehouse } from './warehouse.ts';
import { ident, literal, type Params } from './sql.ts';
import { logger } from '../base/log.ts';

/** An intermediate a step makes: what it is called, and whether it is a table or a view (by default). */
export interface Intermediate {
  name: string;
  kind: 'table' | 'view';
}

export const table = (name: string): Intermediate => ({ name, kind: 'table' });
export const view = (name: string): Intermediate => ({ name, kind: 'view' });

export interface Step {
  /** what logs and errors name */
  name: string;
  /** one statement; with `creates`, the SELECT whose rows make the intermediate */
  sql: string;
  params?: Params;
  creates?: Intermediate;
}

export interface StepOptions {
  /** keep every intermediate as a real table in this schema instead of a temp table or view, and never drop it */
  keepIn?: string;
}

const sqlFiles = new Map<string, string>();

/** The text of pipeline/sql/<name> (read once). */
export function sqlFile(name: string): string {
  let text = sqlFiles.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./sql/${name}`, import.meta.url), 'utf8');
    sqlFiles.set(name, text);
  }
  return text;
}

/** A check: `pipeline/sql/assert_<condition>.sql`, whose rows are what offends. */
export function assertion(condition: string, params?: Params): Step {
  return { name: `assert:${condition}`, sql: sqlFile(`assert_${condition}.sql`), params };
}

/** Runs a check (or any query step) and returns its rows: for an assertion, none means it passes. */
export async function stepRows<T>(w: Warehouse, step: Step): Promise<T[]> {
  return w.rows<T>(step.name, step.sql, step.params);
}

/** The schema a month's intermediates are kept in: `debug_2026_10`. */
export const keptSchemaOf = (period: string) => `debug_${period.replace(/[^A-Za-z0-9]/g, '_')}`;

/** Where a month's intermediates go: kept (`--keep-intermediate`, else HEDUI_KEEP_INTERMEDIATE=1) or temporary. */
export function intermediatesFor(period: string, keep?: boolean): StepOptions {
  return (keep ?? process.env.HEDUI_KEEP_INTERMEDIATE === '1') ? { keepIn: keptSchemaOf(period) } : {};
}

/** The statement the executor runs for a step (pure: what tests look at). */
export function statementOf(step: Step, options: StepOptions = {}): string {
  if (!step.creates) return step.sql;
  const select = step.sql.replace(/;\s*$/, '');
  const target = options.keepIn
    ? `table ${ident(options.keepIn)}.${ident(step.creates.name)}`
    : `temp ${step.creates.kind} ${ident(step.creates.name)}`;
  return `create or replace ${target} as\n${select}`;
}

/** Runs steps in order; returns the rows each changed (its row count for a created table). */
export async function runSteps(w: Warehouse, steps: Step[], options: StepOptions = {}): Promise<number[]> {
  if (options.keepIn && steps.some((s) => s.creates)) {
    // bare names (rules, later steps) find the kept tables; temp views (snap_*) and main tables still resolve
    await w.exec('intermediates:keep', `create schema if not exists ${ident(options.keepIn)}; set search_path = ${literal(`${options.keepIn},main`)}`);
  }
  const rows: number[] = [];
  for (const step of steps) rows.push(await w.exec(step.name, statementOf(step, options), step.params));
  return rows;
}

/** Before a kept run of a month: its previous kept intermediates go, so the schema holds this run's only. */
export async function clearKept(w: Warehouse, options: StepOptions): Promise<void> {
  if (options.keepIn) await w.exec('intermediates:clear', `drop schema if exists ${ident(options.keepIn)} cascade`);
}

/** The statements that drop intermediates (pure). */
export function dropStatements(intermediates: Intermediate[]): string {
  return intermediates.map((i) => `drop ${i.kind} if exists ${ident(i.name)}`).join('; ');
}

/**
 * Done with intermediates: by default they are dropped; kept ones stay where they are, and the
 * search path is the warehouse's own again.
 */
export async function dropIntermediates(w: Warehouse, step: string, intermediates: Intermediate[], options: StepOptions = {}): Promise<void> {
  if (!options.keepIn) {
    await w.exec(step, dropStatements(intermediates));
    return;
  }
  await w.exec('intermediates:unkeep', 'reset search_path');
  logger().info({ schema: options.keepIn, tables: intermediates.map((i) => i.name) }, 'intermediate tables kept');
}
