/**
 * Region configuration: one defaults file (config/inner-mongolia.json) and this schema, which
 * describes every key and validates a file on load. A bad value is refused with a message naming
 * the key and what it allows. Rules never read this module; the pipeline passes each rule its
 * own parameters.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ConfigError } from '../base/errors.ts';
import { LEAGUES } from '../domain/divisions.ts';

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
  rules: {
    'provident-fund-income': { active_statuses: string[]; activity_months: number };
    'vehicle-owned': {
      person_id_types: string[];
      not_held_statuses: string[];
      exempt_plate_types: string[];
      exempt_vehicle_type_prefixes: string[];
      exempt_plates: string[];
    };
    'business-role': {
      roles: string[];
      live_statuses: string[];
      lower_severity_statuses: string[];
      capital_threshold_wan: number;
      individual_business_types: string[];
    };
    'duplicate-enrolment': Record<string, never>;
    'benefit-not-stopped': { stopped_results: string[] };
  };
  deadline_days: number;
  /** allowed values of 核实结果, in dropdown order */
  dispositions: string[];
  /** what the dispositions mean: each list a subset of dispositions */
  feedback: { confirmed: string[]; data_error: string[]; open: string[] };
  whitelist_default_months: number;
  gates: { max_quarantine_share: number; max_row_count_change: number; max_unauthorized_rise: number; max_resent_share: number };
  feeds: Record<'roster' | 'provident-fund' | 'vehicles' | 'business', { max_age_months: number; due_day: number }>;
  /** optional: where `hedui pull` fetches each feed from */
  sources?: Partial<Record<'roster' | 'provident-fund' | 'vehicles' | 'business', FeedSource>>;
}

export const DEFAULT_CONFIG_PATH = new URL('./inner-mongolia.json', import.meta.url);

type Check = (value: unknown, key: string) => void;

const fail = (key: string, expected: string): never => {
  throw new ConfigError(`config key ${key}: expected ${expected}`);
};
const num = (min: number, max: number, integer = false): Check => (v, key) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(key, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
};
const bool: Check = (v, key) => {
  if (typeof v !== 'boolean') fail(key, 'true or false');
};
const text: Check = (v, key) => {
  if (typeof v !== 'string' || v.trim() === '') fail(key, 'a non-empty string');
};
const list = (item: Check, minLength = 0): Check => (v, key) => {
  if (!Array.isArray(v) || v.length < minLength) fail(key, `a list${minLength ? ` of at least ${minLength}` : ''}`);
  (v as unknown[]).forEach((x, i) => item(x, `${key}[${i}]`));
};
const oneOf = (allowed: string[]): Check => (v, key) => {
  if (typeof v !== 'string' || !allowed.includes(v)) fail(key, `one of ${allowed.join(', ')}`);
};
const pattern = (re: RegExp, what: string): Check => (v, key) => {
  if (typeof v !== 'string' || !re.test(v)) fail(key, what);
};
const object = (fields: Record<string, Check>, open = false, optional: string[] = []): Check => (v, key) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(key, 'an object');
  for (const [name, check] of Object.entries(fields)) {
    if (!(name in (v as object))) {
      if (optional.includes(name)) continue;
      fail(`${key}.${name}`, 'a value (the key is missing)');
    }
    check((v as Record<string, unknown>)[name], `${key}.${name}`);
  }
  if (!open) {
    for (const name of Object.keys(v as object)) {
      if (!(name in fields) && name !== 'note') fail(`${key}.${name}`, `no such key (known: ${Object.keys(fields).join(', ')})`);
    }
  }
};

const money = num(1, 100_000);
const standard = object({ urban: money, rural: money });
const leagueCodes = LEAGUES.map((l) => l.code);
const leagueStandards: Check = (v, key) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(key, 'an object of league code → {urban, rural}');
  for (const [code, s] of Object.entries(v as object)) {
    if (!leagueCodes.includes(code)) fail(`${key}.${code}`, `a league code (${leagueCodes.join(', ')})`);
    standard(s, `${key}.${code}`);
  }
};
const feedSettings = object({ max_age_months: num(0, 36, true), due_day: num(1, 28, true) });
const headers: Check = (v, key) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(key, 'an object of header name → value');
  for (const [name, value] of Object.entries(v as object)) text(value, `${key}.${name}`);
};
const source: Check = (v, key) => {
  const kind = (v as { type?: unknown } | null)?.type;
  if (kind === 'folder') object({ type: text, path: text, control_file: bool }, false, ['control_file'])(v, key);
  else if (kind === 'http') object({ type: text, url: pattern(/^https?:\/\//, 'an http(s) URL'), headers, control_file: bool }, false, ['headers', 'control_file'])(v, key);
  else fail(`${key}.type`, 'folder or http');
};
const sources: Check = (v, key) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(key, 'an object of feed → source');
  for (const [feed, s] of Object.entries(v as object)) {
    if (!['roster', 'provident-fund', 'vehicles', 'business'].includes(feed)) fail(`${key}.${feed}`, 'a feed (roster, provident-fund, vehicles, business)');
    source(s, `${key}.${feed}`);
  }
};

/** The schema: every key the configuration has, with what it allows. */
const schema = object({
  region: object({ code: pattern(/^\d{2}$/, 'a two-digit province code'), name: text }),
  standards: object({ floor: standard, leagues: leagueStandards }),
  low_income_multiplier: num(1, 3),
  rules: object({
    'provident-fund-income': object({ active_statuses: list(text, 1), activity_months: num(1, 24, true) }),
    'vehicle-owned': object({
      person_id_types: list(pattern(/^[A-Z]$/, 'a one-letter document type (A 居民身份证 …)'), 1),
      not_held_statuses: list(pattern(/^[A-Q]$/, 'a one-letter vehicle status A–Q'), 1),
      exempt_plate_types: list(pattern(/^\d{2}$/, 'a two-digit plate type (07 …)')),
      exempt_vehicle_type_prefixes: list(pattern(/^[A-Z][0-9A-Z]{0,2}$/, 'a vehicle type prefix (M2 …)')),
      exempt_plates: list(text),
    }),
    'business-role': object({
      roles: list(text, 1),
      live_statuses: list(text, 1),
      lower_severity_statuses: list(text),
      capital_threshold_wan: num(0, 100_000),
      individual_business_types: list(pattern(/^\d{4}$/, 'a four-digit entity type (9600 …)')),
    }),
    'duplicate-enrolment': object({}),
    'benefit-not-stopped': object({ stopped_results: list(text, 1) }),
  }),
  deadline_days: num(1, 90, true),
  dispositions: list(text, 1),
  feedback: object({ confirmed: list(text), data_error: list(text), open: list(text) }),
  whitelist_default_months: num(1, 60, true),
  gates: object({ max_quarantine_share: num(0, 1), max_row_count_change: num(0, 10), max_unauthorized_rise: num(0, 100), max_resent_share: num(0.01, 1) }),
  feeds: object({ roster: feedSettings, 'provident-fund': feedSettings, vehicles: feedSettings, business: feedSettings }),
  sources,
}, false, ['sources']);

export function validateConfig(raw: unknown): Config {
  schema(raw, 'config');
  const c = raw as Config;
  oneOf(['15'])(c.region.code, 'config.region.code');
  const subsets: [string[], string][] = [
    [c.feedback.confirmed, 'config.feedback.confirmed'],
    [c.feedback.data_error, 'config.feedback.data_error'],
    [c.feedback.open, 'config.feedback.open'],
    [c.rules['benefit-not-stopped'].stopped_results, 'config.rules.benefit-not-stopped.stopped_results'],
  ];
  for (const [values, key] of subsets) values.forEach((v, i) => oneOf(c.dispositions)(v, `${key}[${i}]`));
  return c;
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
