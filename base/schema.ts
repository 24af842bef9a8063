/**
 * Typed value checks, for the region configuration (config/config.ts) and the parameters each rule
 * declares (rules/define-rule.ts). A check refuses a value with a ConfigError naming its key and
 * what the key allows; it also carries the TypeScript type of what it accepts, so a type is
 * inferred from a declaration (`Infer<typeof check>`) rather than written a second time.
 *
 * A check gets the whole document as `root`, for values that must be one of another key's
 * (`memberOf('dispositions')`).
 */
import { ConfigError } from './errors.ts';

export interface Check<T> {
  (value: unknown, key: string, root?: unknown): void;
  /** phantom: the type of a value the check accepts (never set) */
  readonly __type?: T;
}

export type Infer<C> = C extends Check<infer T> ? T : never;

/** The object type a record of checks describes. */
export type InferFields<F extends Record<string, Check<unknown>>> = { [K in keyof F]: Infer<F[K]> };

const check = <T>(fn: (value: unknown, key: string, root?: unknown) => void): Check<T> => fn as Check<T>;

export const fail = (key: string, expected: string): never => {
  throw new ConfigError(`config key ${key}: expected ${expected}`);
};

export const num = (min: number, max: number, integer = false): Check<number> =>
  check((v, key) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      fail(key, `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
  });

export const int = (min: number, max: number): Check<number> => num(min, max, true);

export const bool: Check<boolean> = check((v, key) => {
  if (typeof v !== 'boolean') fail(key, 'true or false');
});

export const text: Check<string> = check((v, key) => {
  if (typeof v !== 'string' || v.trim() === '') fail(key, 'a non-empty string');
});

export const list = <T>(item: Check<T>, minLength = 0): Check<T[]> =>
  check((v, key, root) => {
    if (!Array.isArray(v) || v.length < minLength) fail(key, `a list${minLength ? ` of at least ${minLength}` : ''}`);
    (v as unknown[]).forEach((x, i) => item(x, `${key}[${i}]`, root));
  });

export const oneOf = <const T extends string>(allowed: readonly T[]): Check<T> =>
  check((v, key) => {
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(key, `one of ${allowed.join(', ')}`);
  });

export const pattern = (re: RegExp, what: string): Check<string> =>
  check((v, key) => {
    if (typeof v !== 'string' || !re.test(v)) fail(key, what);
  });

/** A calendar date written YYYY-MM-DD (2024-02-30 is refused). */
export const isoDate: Check<string> = check((v, key) => {
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.toISOString().slice(0, 10) !== v) fail(key, 'a date YYYY-MM-DD');
});

/** One of the strings listed under the document's top-level key `listKey` (checked there). */
export const memberOf = (listKey: string): Check<string> =>
  check((v, key, root) => {
    const allowed = (root as Record<string, unknown> | undefined)?.[listKey];
    if (!Array.isArray(allowed)) return fail(key, `one of ${listKey}`);
    oneOf(allowed as string[])(v, key);
  });

/**
 * An object with exactly these keys (besides a free-text `note`), each checked; `optional` keys may
 * be absent; `open` allows other keys.
 */
export const object = <F extends Record<string, Check<unknown>>>(fields: F, open = false, optional: readonly string[] = []): Check<InferFields<F>> =>
  check((v, key, root) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(key, 'an object');
    const document = root ?? v;
    for (const [name, fieldCheck] of Object.entries(fields)) {
      if (!(name in (v as object))) {
        if (optional.includes(name)) continue;
        fail(`${key}.${name}`, 'a value (the key is missing)');
      }
      fieldCheck((v as Record<string, unknown>)[name], `${key}.${name}`, document);
    }
    if (!open) {
      for (const name of Object.keys(v as object)) {
        if (!(name in fields) && name !== 'note') fail(`${key}.${name}`, `no such key (known: ${Object.keys(fields).join(', ')})`);
      }
    }
  });
