/**
 * Where a run's time goes, from its debug log. Every SQL statement of hedui is logged with
 * `{step, ms, rows}` when it ends (msg 'sql'); the process is one connection, so statements run one
 * after the other and the time between one statement's end and the next one's start is JS work
 * (hashing, decoding, building and writing workbooks). Phases follow the info messages:
 *
 *   startup   spawn → first load step (node + tsx, warehouse open, macros, schema)
 *   load      sha256 of new files, decode (the gap before `<feed>:read_csv`), read_csv, validate
 *             (`<feed>:check`, `<feed>:count`), quarantine/stage inserts, loads bookkeeping
 *   match     snapshots, gates, households, rules (`rule:*`), flags — up to the 'matched' message
 *   publish   'matched' → 'published': publish SQL (`publish:*`, `snapshot:*`, `manifest:*`) and
 *             the rest, which is the workbooks (row reads `pub:*`/`summary:*` and exceljs in workers)
 *   end       run history, checkpoint, close, exit
 */
import type { LogLine } from './child.ts';

const LOAD_STEPS = /^(known-sha|current-loads|record-load|cleanup-raw|cleanup-checked|supersede-rows|supersede-load|load:.*|(roster|provident-fund|vehicles|business):.*)$/;
const PUBLISH_SQL = /^(publish:.*|snapshot:.*|manifest:.*)$/;

export interface StageTimes {
  /** seconds */
  startup: number;
  hash: number;
  decode: number;
  readCsv: number;
  validate: number;
  /** everything of the load phase: hash, decode, read_csv, validate, inserts, bookkeeping */
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

export function analyseLog(lines: LogLine[], spawnedAt: number, endedAt: number): StageTimes {
  const t: StageTimes = {
    startup: 0, hash: 0, decode: 0, readCsv: 0, validate: 0, load: 0, rules: 0, workbooks: 0, publishSql: 0, publish: 0, checkpoint: 0, end: 0,
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
  type Phase = 'startup' | 'load' | 'match' | 'publish' | 'end';
  let phase: Phase = 'startup';
  let prev = spawnedAt;
  const phaseMs: Record<Phase, number> = { startup: 0, load: 0, match: 0, publish: 0, end: 0 };
  for (const line of lines) {
    const isSql = line.msg === 'sql' && typeof line.step === 'string';
    const ms = isSql ? Number(line.ms ?? 0) : 0;
    const start = line.time - ms;
    const gap = Math.max(0, start - prev);
    const step = isSql ? (line.step as string) : '';
    // phase transitions happen before the line is counted
    if (isSql && LOAD_STEPS.test(step) && (phase === 'startup' || phase === 'load')) phase = 'load';
    else if (isSql && phase === 'load' && !LOAD_STEPS.test(step)) phase = 'match';
    else if (isSql && phase === 'startup' && /^(snapshot-candidates|nightly:months)$/.test(step)) phase = 'match';
    // the gap before this line
    if (phase === 'startup') {
      add('(startup: node, tsx, imports)', gap);
    } else if (phase === 'load') {
      if (/:read_csv$/.test(step)) {
        t.decode += gap / 1000;
        add(`(decode ${step.split(':')[0]})`, gap);
      } else if (step === 'current-loads') {
        t.hash += gap / 1000;
        add('(sha256 of files)', gap);
      } else add('(js: load)', gap);
    } else if (phase === 'match') add('(js: match)', gap);
    else if (phase === 'publish') add('(js: workbooks, manifest, swap)', gap);
    else add('(js: end)', gap);
    phaseMs[phase] += gap + ms;
    if (isSql) {
      add(step, ms, Number(line.rows ?? 0));
      if (/:read_csv$/.test(step)) t.readCsv += ms / 1000;
      if (/^(roster|provident-fund|vehicles|business):(check|count)$/.test(step)) t.validate += ms / 1000;
      if (phase === 'publish' && PUBLISH_SQL.test(step)) t.publishSql += ms / 1000;
      if (step === 'checkpoint') t.checkpoint += ms / 1000;
    }
    // rows read: the loader's per-file message (a CREATE TABLE AS reports no row count)
    if (line.msg === 'file staged' || line.msg === 'file rejected') t.rowsRead += Number(line.read ?? 0);
    if (line.msg === 'matched') phase = 'publish';
    else if (line.msg === 'published') phase = 'end';
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
