/**
 * Region configuration: one defaults file (config/inner-mongolia.json) and this schema, which
 * describes every key and validates a file on load. A bad value is refused with a message naming
 * the key and what it allows. Rules never read this module; the pipeline passes each rule its
 * own parameters.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ConfigError } from '../base/errors.ts';
import { bool, fail, list, num, object, oneOf, pattern, text, type Check } from '../base/schema.ts';
import { LEAGUES } from '../domain/divisions.ts';
import { FEEDS, type FeedId } from '../adapters/index.ts';
import type { FeedSettings } from '../adapters/feed.ts';
import { RULES, type RulesConfig } from '../rules/index.ts';

export interface Standard {
  urban: number;
  rural: number;
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
  standards: { floor: Standard; leagues: Record<string, Standard> };
  low_income_multiplier: number;
  /** each rule's parameters, typed and validated from its declaration (rules/<id>/rule.ts) */
  rules: RulesConfig;
  deadline_days: number;
  /** allowed values of 核实结果, in dropdown order */
  dispositions: string[];
  /** what the dispositions mean: each list a subset of dispositions */
  feedback: { confirmed: string[]; data_error: string[]; open: string[] };
  whitelist_default_months: number;
  gates: { max_quarantine_share: number; max_row_count_change: number; max_unauthorized_rise: number; max_resent_share: number };
  /** every registered feed's settings: the file's values over the feed's defaults (adapters/<feed>/adapter.ts) */
  feeds: Record<FeedId, FeedSettings>;
  /** optional: where `hedui pull` fetches each feed from */
  sources?: Partial<Record<FeedId, FeedSource>>;
}

export const DEFAULT_CONFIG_PATH = new URL('./inner-mongolia.json', import.meta.url);

const money = num(1, 100_000);
const standard = object({ urban: money, rural: money });
const leagueCodes = LEAGUES.map((l) => l.code);
const leagueStandards: Check<Record<string, Standard>> = (v, key) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(key, 'an object of league code → {urban, rural}');
  for (const [code, s] of Object.entries(v as object)) {
    if (!leagueCodes.includes(code)) fail(`${key}.${code}`, `a league code (${leagueCodes.join(', ')})`);
    standard(s, `${key}.${code}`);
  }
};
/** A feed's settings in the file: each key may be left to the feed's default. */
const feedSettings = object({ max_age_months: num(0, 36, true), due_day: num(1, 28, true) }, false, ['max_age_months', 'due_day']);
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
  standards: object({ floor: standard, leagues: leagueStandards }),
  low_income_multiplier: num(1, 3),
  rules,
  deadline_days: num(1, 90, true),
  dispositions: list(text, 1),
  feedback: object({ confirmed: list(text), data_error: list(text), open: list(text) }),
  whitelist_default_months: num(1, 60, true),
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

/** The 低保 standard of a league (its own, or the region floor). */
export function standardOf(config: Config, leagueCode: string): Standard {
  return config.standards.leagues[leagueCode] ?? config.standards.floor;
}
