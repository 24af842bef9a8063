/**
 * Where a run's time goes, from its debug log. Every SQL statement of hedui is logged with
 * `{step, ms, rows}` when it ends (msg 'sql'); the process is one connection, so statements run one
 * after the other and the time between one statement's end and the next one's start is JS work or
 * waiting. Phases follow hedui's own info messages, never step names:
 *
 *   startup   spawn → 'loading inbox' (node + tsx, imports, warehouse open, macros, schema, lock)
 *   load      'loading inbox' → 'inbox loaded': read_csv, validate (`<feed>:count|typed|check|counts`;
 *             check writes the Parquet file in the same pass), quarantine, bookkeeping. Hashing and decoding run in the background
 *             (debug messages 'hashed' and 'decoded' carry their durations); what DuckDB waited for
 *             them is the gap before each 'file ready'.
 *   match     'inbox loaded' → 'matched': snapshots, gates, households, rules, flags
 *   publish   'matched' → 'published': publish SQL (`publish:*`, `snapshot:*`, `manifest:*`) and
 *             the rest, which is the workbooks (row reads `pub:*`/`summary:*` and exceljs in workers)
 *   end       run history, checkpoint, close, exit
 * A nightly with nothing new never logs 'matched': its match/publish phases stay 0.
 */
import type { LogLine } from './child.ts';
import { FEED_IDS } from '../../adapters/index.ts';

const PUBLISH_SQL = /^(publish:.*|snapshot:.*|manifest:.*)$/;
/** The check steps of every registered feed: `<feed>:count|typed|check|counts` (pipeline/load/stage.ts). */
const VALIDATE_SQL = new RegExp(`^(${FEED_IDS.join('|')}):(count|typed|check|counts)$`);

export interface StageTimes {
  /** seconds */
  startup: number;
  /** background sha256 of new inbox files (overlaps DuckDB's work) */
  hash: number;
  /** background decoding: GBK → UTF-8, xlsx → CSV, header reads (overlaps DuckDB's work) */
  decode: number;
  /** the load phase waiting for the background work: gaps before each 'file ready' */
  waitForFiles: number;
  readCsv: number;
  validate: number;
  /** the whole load phase */
  load: number;
  /** the match phase's wall time */
  rules: number;
  /** publish phase wall − its publish SQL */
  workbooks: number;
  publishSql: number;
  publish: number;
  checkpoint: number;
  end: number;
  total: number;
  rowsRead: number;
  /** ms per step name (SQL) and per pseudo-step '(…)' for the JS gaps, with counts and rows */
  steps: Map<string, { ms: number; count: number; rows: number }>;
}

/** Messages of the background hashing and decoding (pipeline/load/inbox.ts). */
const BACKGROUND = new Set(['hashed', 'decoded']);
type Phase = 'startup' | 'load' | 'match' | 'publish' | 'end';
/** The phase that begins with each of hedui's info messages. */
const PHASE_AFTER: Record<string, Phase> = { 'loading inbox': 'load', 'inbox loaded': 'match', matched: 'publish', published: 'end' };

export function analyseLog(lines: LogLine[], spawnedAt: number, endedAt: number): StageTimes {
  const t: StageTimes = {
    startup: 0, hash: 0, decode: 0, waitForFiles: 0, readCsv: 0, validate: 0, load: 0, rules: 0,
    workbooks: 0, publishSql: 0, publish: 0, checkpoint: 0, end: 0,
    total: (endedAt - spawnedAt) / 1000,
    rowsRead: 0,
    steps: new Map(),
  };
  const add = (name: string, ms: number, rows = 0) => {
    const s = t.steps.get(name) ?? { ms: 0, count: 0, rows: 0 };
    s.ms += ms;
    s.count++;
    s.rows += rows;
    t.steps.set(name, s);
  };
  let phase: Phase = 'startup';
  let prev = spawnedAt;
  const phaseMs: Record<Phase, number> = { startup: 0, load: 0, match: 0, publish: 0, end: 0 };
  for (const line of lines) {
    if (BACKGROUND.has(line.msg)) {
      // logged by background work while statements run: durations only, not the main timeline
      const ms = Number(line.ms ?? 0);
      if (line.msg === 'hashed') t.hash += ms / 1000;
      else {
        t.decode += ms / 1000;
        add(`(decode ${String(line.feed)}, background)`, ms);
      }
      continue;
    }
    const isSql = line.msg === 'sql' && typeof line.step === 'string';
    const ms = isSql ? Number(line.ms ?? 0) : 0;
    const step = isSql ? (line.step as string) : '';
    // the gap before this line (for a SQL line, up to its start)
    const gap = Math.max(0, line.time - ms - prev);
    if (line.msg === 'file ready') {
      t.waitForFiles += gap / 1000;
      add(`(wait for ${String(line.feed)} file: hash, decode)`, gap);
    } else add(`(js: ${phase})`, gap);
    phaseMs[phase] += Math.max(0, line.time - prev);
    if (isSql) {
      add(step, ms, Number(line.rows ?? 0));
      if (/:read_csv$/.test(step)) t.readCsv += ms / 1000;
      if (VALIDATE_SQL.test(step)) t.validate += ms / 1000;
      if (phase === 'publish' && PUBLISH_SQL.test(step)) t.publishSql += ms / 1000;
      if (step === 'checkpoint') t.checkpoint += ms / 1000;
    }
    // rows read: the loader's per-file message (a CREATE TABLE AS reports no row count)
    if (line.msg === 'file staged' || line.msg === 'file rejected') t.rowsRead += Number(line.read ?? 0);
    phase = PHASE_AFTER[line.msg] ?? phase;
    prev = line.time;
  }
  const tail = Math.max(0, endedAt - prev);
  add('(exit: close, lock, process end)', tail);
  phaseMs[phase] += tail;
  t.startup = phaseMs.startup / 1000;
  t.load = phaseMs.load / 1000;
  t.rules = phaseMs.match / 1000;
  t.publish = phaseMs.publish / 1000;
  t.workbooks = t.publish - t.publishSql;
  t.end = phaseMs.end / 1000;
  return t;
}

export function topSteps(t: StageTimes, n: number): { step: string; ms: number; count: number; rows: number }[] {
  return [...t.steps.entries()]
    .map(([step, s]) => ({ step, ...s }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
}
