/**
 * Region configuration: one defaults file (config/inner-mongolia.json) and this schema, which
 * describes every key and validates a file on load. A bad value is refused with a message naming
 * the key and what it allows. Rules never read this module; the pipeline passes each rule its
 * own parameters.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ConfigError } from '../base/errors.ts';
import { bool, fail, isoDate, list, num, object, oneOf, pattern, text, type Check } from '../base/schema.ts';
import { LEAGUES } from '../domain/divisions.ts';
import { FEEDS, type FeedId } from '../adapters/index.ts';
import type { FeedSettings } from '../adapters/feed.ts';
import { RULES, type RulesConfig } from '../rules/index.ts';

export interface Standard {
  urban: number;
  rural: number;
}

/** A 低保 standard as published: in force from `from` (YYYY-MM-DD) until the next entry's `from`. */
export interface DatedStandard extends Standard {
  from: string;
  /** the document that set it (文号), shown in the evidence */
  document: string;
}

/** The standard a league uses on a day, each figure with the document it comes from. */
export interface StandardInForce extends Standard {
  urban_document: string;
  rural_document: string;
}

/**
 * Where a feed's files come from (deployment-specific; none in the shipped configuration).
 * control_file: the source writes a control file (`<file>.ok` / `<file>.chk`) once a file is
 * complete; a file without one is not taken yet (pipeline/pull.ts).
 */
export type FeedSource =
  | { type: 'folder'; path: string; control_file?: boolean }
  | { type: 'http'; url: string; headers?: Record<string, string>; control_file?: boolean };

export interface Config {
  region: { code: string; name: string };
  /**
   * 低保 standards by date: the region's (the floor every league must reach) and any league's own,
   * each a list of dated entries (domain/reference.md: standards change every year; a month is
   * judged by the standard in force on its last day).
   */
  standards: { region: DatedStandard[]; leagues: Record<string, DatedStandard[]> };
  low_income_multiplier: number;
  /** each rule's parameters, typed and validated from its declaration (rules/<id>/rule.ts) */
  rules: RulesConfig;
  deadline_days: number;
  /** allowed values of 核实结果, in dropdown order */
  dispositions: string[];
  /** what the dispositions mean: each list a subset of dispositions */
  feedback: { confirmed: string[]; data_error: string[]; open: string[] };
  whitelist_default_months: number;
  /** the schedule of regular re-checks (动态管理, pipeline/sql/int_recheck.sql; docs/recheck-schedule.md) */
  recheck: { months_short: number; months_long: number; working_age_from: number; working_age_to: number; auth_warn_days: number };
  /** which 居住证 is current (pipeline/sql/int_residence.sql; docs/residence.md) */
  residence: { undated_valid_months: number };
  /** cross-province and cross-league requests (pipeline/assist; docs/assist-requests.md) */
  assist: {
    /** 核对项目, as the request workbooks list them */
    items: string[];
    recheck_months: number;
    cross_province_days: number;
    cross_league_days: number;
    /** the allowed 核对结果 of an answer, in dropdown order */
    results: string[];
    /** those of results that report something for the county to verify */
    found: string[];
  };
  gates: { max_quarantine_share: number; max_row_count_change: number; max_unauthorized_rise: number; max_resent_share: number };
  /** every registered feed's settings: the file's values over the feed's defaults (adapters/<feed>/adapter.ts) */
  feeds: Record<FeedId, FeedSettings>;
  /** optional: where `hedui pull` fetches each feed from */
  sources?: Partial<Record<FeedId, FeedSource>>;
}

export const DEFAULT_CONFIG_PATH = new URL('./inner-mongolia.json', import.meta.url);

const money = num(1, 100_000);
const datedStandard = object({ from: isoDate, urban: money, rural: money, document: text });
/** Dated entries, at least one, in strictly increasing `from` order (two entries from one day would be ambiguous). */
const datedStandards: Check<DatedStandard[]> = (v, key) => {
  list(datedStandard, 1)(v, key);
  (v as DatedStandard[]).forEach((e, i, all) => {
    if (i > 0 && e.from <= all[i - 1].from) fail(`${key}[${i}].from`, `a date after ${all[i - 1].from} (entries in order of their from date)`);
  });
};
const leagueCodes = LEAGUES.map((l) => l.code);
const leagueStandards: Check<Record<string, DatedStandard[]>> = (v, key) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(key, 'an object of league code → dated standards');
  for (const [code, s] of Object.entries(v as object)) {
    if (!leagueCodes.includes(code)) fail(`${key}.${code}`, `a league code (${leagueCodes.join(', ')})`);
    datedStandards(s, `${key}.${code}`);
  }
};
/** A feed's settings in the file: each key may be left to the feed's default. */
const feedSettings = object({ max_age_months: num(0, 36, true), due_day: num(1, 28, true), expected: bool }, false, ['max_age_months', 'due_day', 'expected']);
const feedIds = FEEDS.map((f) => f.id);
/** An object keyed by registered feeds, each value checked; a feed may be absent. */
const byFeed = (value: Check<unknown>, what: string): Check<unknown> => (v, key, root) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(key, `an object of feed → ${what}`);
  for (const [feed, s] of Object.entries(v as object)) {
    if (feed === 'note') continue;
    if (!(feedIds as string[]).includes(feed)) fail(`${key}.${feed}`, `a feed (${feedIds.join(', ')})`);
    value(s, `${key}.${feed}`, root);
  }
};
const headers: Check<Record<string, string>> = (v, key) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(key, 'an object of header name → value');
  for (const [name, value] of Object.entries(v as object)) text(value, `${key}.${name}`);
};
const source: Check<FeedSource> = (v, key) => {
  const kind = (v as { type?: unknown } | null)?.type;
  if (kind === 'folder') object({ type: text, path: text, control_file: bool }, false, ['control_file'])(v, key);
  else if (kind === 'http') object({ type: text, url: pattern(/^https?:\/\//, 'an http(s) URL'), headers, control_file: bool }, false, ['headers', 'control_file'])(v, key);
  else fail(`${key}.type`, 'folder or http');
};
/** config.rules: one section per registered rule, checked by the parameters it declares. */
const rules = object(Object.fromEntries(RULES.map((r) => [r.id, object(r.params)])));

/** The schema: every key the configuration has, with what it allows. */
const schema = object({
  region: object({ code: pattern(/^\d{2}$/, 'a two-digit province code'), name: text }),
  standards: object({ region: datedStandards, leagues: leagueStandards }),
  low_income_multiplier: num(1, 3),
  rules,
  deadline_days: num(1, 90, true),
  dispositions: list(text, 1),
  feedback: object({ confirmed: list(text), data_error: list(text), open: list(text) }),
  whitelist_default_months: num(1, 60, true),
  recheck: object({ months_short: num(1, 24, true), months_long: num(1, 36, true), working_age_from: num(0, 100, true), working_age_to: num(0, 100, true), auth_warn_days: num(0, 365, true) }),
  residence: object({ undated_valid_months: num(1, 120, true) }),
  assist: object({
    items: list(text, 1),
    recheck_months: num(1, 60, true),
    cross_province_days: num(1, 365, true),
    cross_league_days: num(1, 365, true),
    results: list(text, 1),
    found: list(text),
  }),
  gates: object({ max_quarantine_share: num(0, 1), max_row_count_change: num(0, 10), max_unauthorized_rise: num(0, 100), max_resent_share: num(0.01, 1) }),
  feeds: byFeed(feedSettings, 'its settings'),
  sources: byFeed(source, 'source'),
}, false, ['feeds', 'sources']);

/** What the file holds before the feeds' defaults are filled in. */
type ConfigFile = Omit<Config, 'feeds'> & { feeds?: Partial<Record<FeedId, Partial<FeedSettings>>> };

export function validateConfig(raw: unknown): Config {
  schema(raw, 'config');
  const c = raw as ConfigFile;
  oneOf(['15'])(c.region.code, 'config.region.code');
  const subsets: [string[], string][] = [
    [c.feedback.confirmed, 'config.feedback.confirmed'],
    [c.feedback.data_error, 'config.feedback.data_error'],
    [c.feedback.open, 'config.feedback.open'],
  ];
  for (const [values, key] of subsets) values.forEach((v, i) => oneOf(c.dispositions)(v, `${key}[${i}]`));
  c.assist.found.forEach((v, i) => oneOf(c.assist.results)(v, `config.assist.found[${i}]`));
  const feeds = Object.fromEntries(FEEDS.map((f) => [f.id, { ...f.defaults, ...c.feeds?.[f.id] }])) as Record<FeedId, FeedSettings>;
  return { ...c, feeds };
}

export interface LoadedConfig {
  config: Config;
  /** sha256 of the file's bytes, for the manifest */
  sha256: string;
  source: string;
}

export function loadConfig(path?: string): LoadedConfig {
  const source = path ?? DEFAULT_CONFIG_PATH.pathname;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path ?? DEFAULT_CONFIG_PATH);
  } catch {
    throw new ConfigError(`cannot read the configuration file ${source}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ConfigError(`the configuration file ${source} is not valid JSON: ${(e as Error).message}`);
  }
  return { config: validateConfig(raw), sha256: createHash('sha256').update(bytes).digest('hex'), source };
}

/** The entry in force on a day (YYYY-MM-DD): the last whose `from` is on or before it. */
export function entryInForce(entries: readonly DatedStandard[], day: string): DatedStandard | undefined {
  return entries.filter((e) => e.from <= day).at(-1);
}

/**
 * The 低保 standard of a league on a day (a month uses its last day): the league's own entry in
 * force, but never below the region's floor in force (leagues may only set higher ones), each figure
 * with its document. A day before every region entry has no standard: refused, never guessed.
 */
export function standardOf(config: Pick<Config, 'standards'>, leagueCode: string, day: string): StandardInForce {
  const floor = entryInForce(config.standards.region, day);
  if (!floor) throw new ConfigError(`config key config.standards.region: no 低保 standard in force on ${day} (the earliest entry is from ${config.standards.region[0]?.from})`);
  const own = entryInForce(config.standards.leagues[leagueCode] ?? [], day);
  const pick = (figure: 'urban' | 'rural') => (own && own[figure] >= floor[figure] ? own : floor);
  return { urban: pick('urban').urban, rural: pick('rural').rural, urban_document: pick('urban').document, rural_document: pick('rural').document };
}
