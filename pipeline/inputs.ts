/**
 * A month's inputs: what each feed delivered on or before the month, which snapshot the month uses,
 * and the gates that hold publication when a delivery is not whole.
 *
 * The month follows what was *delivered*, not what was staged: for each feed, the latest period on
 * or before the month with any file in the inbox (a loads row that is not superseded) is the one
 * the month must use. A rejected file in it holds the month; an older snapshot is used only on the
 * operator's word (`run --use-previous FEED`), which is recorded with who and when, and stays in
 * force for re-runs of that month while the delivery it skips is still rejected. The roster is
 * monthly: a month without a roster of its own period holds unless the operator says
 * `--use-previous roster`.
 */
import { FEEDS, feedById, type FeedId } from '../adapters/index.ts';
import type { FeedAdapter } from '../adapters/feed.ts';
import type { Config } from '../config/config.ts';
import { RULES } from '../rules/index.ts';
import type { RuleDefinition } from '../rules/define-rule.ts';
import type { Warehouse } from './warehouse.ts';
import { assertion, stepRows } from './steps.ts';
import { monthsBetween, parsePeriod, shiftMonth, type Period } from './period.ts';
import { UsageError } from '../base/errors.ts';

export interface Snapshot {
  feed: FeedAdapter;
  /** the period read; for an event feed the latest of the periods read (every one up to it) */
  period: string;
  rows: number;
  ageMonths: number;
  stale: boolean;
  /** the loads that make the snapshot, sorted and ','-joined: what a re-run compares */
  loadIds: string;
  /** set when the operator chose this older snapshot over the delivery the month should use */
  fallback?: Fallback;
}

export interface Fallback {
  /** the period the month should have used (a rejected delivery, or the roster's own month) */
  skipped: string;
  why: 'rejected' | 'not_delivered';
  by: string;
  /** 'YYYY-MM-DD HH:MM:SS' (UTC) */
  at: string;
}

export type GateName = 'missing_roster' | 'rejected_file' | 'row_count_drift' | 'unauthorized_rise' | 'use_previous' | 'snapshot_age' | 'missing_feed';

export interface GateFinding {
  gate: GateName;
  subject: string;
  detail: string;
}

export interface DeliveredFile {
  file: string;
  period: string;
  status: 'staged' | 'rejected';
  rowsRead: number;
  rowsStaged: number;
  rowsQuarantined: number;
  reason: string | null;
  /** what a person should know of a file that was read (a workbook footer's count that disagrees with the rows read) */
  note?: string | null;
}

/** One feed as the month sees it: what arrived, what is used. */
export interface FeedInputs {
  feed: string;
  /** the latest period on or before the month with a file in the inbox */
  delivered: string | null;
  /** the files of the delivered period and, when it differs, of the snapshot used */
  files: DeliveredFile[];
  snapshot: Snapshot | null;
}

export interface MonthInputs {
  feeds: FeedInputs[];
  snapshots: Snapshot[];
  /** the gates that hold the month as its deliveries stand */
  held: GateFinding[];
  /** what the operator accepted (drift, older snapshots): shown on 说明 and summary.xlsx */
  accepted: GateFinding[];
  /** what does not hold the month but a reader must know: an old snapshot, a feed never delivered */
  warnings: GateFinding[];
  /** rules that cannot run: a source feed of theirs has no snapshot */
  skippedRules: { rule: string; reason: string }[];
}

export interface InputOptions {
  /** feeds for which the operator accepts an older snapshot than the delivery the month should use */
  usePrevious?: string[];
  /** who says so (recorded) */
  by?: string;
}

/** Feeds named on the command line must exist. */
export function checkFeedNames(option: string, feeds: string[] | undefined): void {
  for (const f of feeds ?? []) {
    if (!feedById(f)) throw new UsageError(`${option} ${f}: no such feed (feeds: ${FEEDS.map((x) => x.id).join(', ')})`);
  }
}

const byEnd = (a: string, b: string) => {
  const ea = parsePeriod(a).end;
  const eb = parsePeriod(b).end;
  return ea === eb ? a.localeCompare(b) : ea.localeCompare(eb);
};

/**
 * The month's inputs as the warehouse's loads stand (the loader has made them follow the inbox).
 * With `usePrevious`, records the operator's word for each feed it changes; a feed it does not
 * change is a usage error, so the record never claims a fallback that did not happen.
 */
export async function monthInputs(w: Warehouse, month: Period, config: Config, options: InputOptions = {}): Promise<MonthInputs> {
  const usePrevious = new Set(options.usePrevious ?? []);
  checkFeedNames('--use-previous', [...usePrevious]);
  const loads = await deliveredLoads(w);
  const recorded = await w.rows<{ feed: string; skipped_period: string; why: 'rejected' | 'not_delivered'; accepted_by: string; at: string }>(
    'inputs:fallbacks',
    "select feed, skipped_period, why, accepted_by, strftime(accepted_at, '%Y-%m-%d %H:%M:%S') as at from snapshot_fallbacks where period = $period",
    { period: month.name },
  );
  const result: MonthInputs = { feeds: [], snapshots: [], held: [], accepted: [], warnings: [], skippedRules: [] };

  for (const feed of FEEDS) {
    const ofFeed = loads.filter((l) => l.feed === feed.id && parsePeriod(l.period).end <= month.end);
    const periods = [...new Set(ofFeed.map((l) => l.period))].sort(byEnd);
    const filesOf = (period: string) => ofFeed.filter((l) => l.period === period);
    const whole = (period: string) => filesOf(period).every((l) => l.status === 'staged');
    const delivered = periods.at(-1) ?? null;
    const rejected = delivered ? filesOf(delivered).filter((l) => l.status === 'rejected') : [];

    // the period this month should use and, when it cannot, why
    let skipped: { period: string; why: Fallback['why'] } | undefined;
    if (rejected.length) skipped = { period: delivered!, why: 'rejected' };
    else if (feed.id === 'roster' && delivered !== null && delivered !== month.name) skipped = { period: month.name, why: 'not_delivered' };

    let chosen = skipped ? undefined : (delivered ?? undefined);
    let fallback: Fallback | undefined;
    if (skipped) {
      const previous = periods.filter((p) => byEnd(p, skipped.period) < 0 && whole(p)).at(-1);
      const old = recorded.find((r) => r.feed === feed.id && r.skipped_period === skipped.period);
      if (previous && (old || usePrevious.has(feed.id))) {
        chosen = previous;
        fallback = old
          ? { skipped: old.skipped_period, why: old.why, by: old.accepted_by, at: old.at }
          : await recordFallback(w, month.name, feed.id, skipped, previous, options.by ?? 'operator');
      } else if (skipped.why === 'rejected') {
        for (const r of rejected) result.held.push({ gate: 'rejected_file', subject: r.file, detail: `${feed.id} ${r.period}: ${r.reason ?? 'rejected'}` });
        if (previous) result.held.push({ gate: 'rejected_file', subject: feed.id, detail: `to publish with ${feed.id} ${previous} instead: --use-previous ${feed.id}` });
      } else {
        result.held.push({
          gate: 'missing_roster',
          subject: 'roster',
          detail: `no roster of ${month.name} delivered (latest: ${delivered})${previous ? `; to use roster ${previous}: --use-previous roster` : ''}`,
        });
      }
    } else if (usePrevious.has(feed.id)) {
      throw new UsageError(`--use-previous ${feed.id}: ${delivered ? `the ${feed.id} delivery ${delivered} was staged whole` : `no ${feed.id} delivery on or before ${month.end}`}; there is nothing to fall back from`);
    }
    if (!delivered && feed.id === 'roster') {
      result.held.push({ gate: 'missing_roster', subject: 'roster', detail: `no roster delivered on or before ${month.end}` });
    }

    let snapshot: Snapshot | null = null;
    if (chosen) {
      snapshot = { ...snapshotAt(feed, ofFeed, chosen, month.end, config).snapshot, fallback };
      result.snapshots.push(snapshot);
      if (fallback) {
        result.accepted.push({
          gate: 'use_previous',
          subject: feed.id,
          detail: `${feed.id} ${chosen} used instead of ${fallback.skipped} (${fallback.why === 'rejected' ? 'its delivery was rejected' : 'not delivered'}): --use-previous by ${fallback.by} at ${fallback.at} UTC`,
        });
      }
    }
    if (snapshot?.stale) result.warnings.push({ gate: 'snapshot_age', subject: feed.id, detail: `${feed.id} ${snapshot.period}: ${snapshot.ageMonths} months old` });
    if (!delivered && feed.id !== 'roster') result.warnings.push({ gate: 'missing_feed', subject: feed.id, detail: `no ${feed.id} delivery on or before ${month.end}` });
    const shown = [...new Set([delivered, chosen].filter((p): p is string => Boolean(p)))];
    const files = ofFeed
      .filter((l) => shown.includes(l.period))
      .map((l) => ({ file: l.file, period: l.period, status: l.status, rowsRead: l.rows_read, rowsStaged: l.rows_staged, rowsQuarantined: l.rows_quarantined, reason: l.reason, note: l.note }));
    result.feeds.push({ feed: feed.id, delivered, files, snapshot });
  }

  await driftGates(w, result, config);
  result.skippedRules = skippedRules(result.snapshots);
  return result;
}

interface DeliveredLoad {
  feed: string;
  period: string;
  file: string;
  status: 'staged' | 'rejected';
  rows_read: number;
  rows_staged: number;
  rows_quarantined: number;
  reason: string | null;
  note: string | null;
  load_id: string;
  /** 'YYYY-MM-DD', China Standard Time: when hedui read the file */
  loaded_on: string;
}

/** Every load the inbox holds now (staged or rejected; superseded ones left the inbox). */
function deliveredLoads(w: Warehouse): Promise<DeliveredLoad[]> {
  return w.rows<DeliveredLoad>(
    'inputs:loads',
    `select feed, period, file, status, rows_read, rows_staged, rows_quarantined, reason, note, load_id,
            strftime(loaded_at + interval 8 hour, '%Y-%m-%d') as loaded_on
     from loads where status in ('staged', 'rejected') order by feed, period, file`,
  );
}

/**
 * The snapshot of `feed` at `chosen`, a period all of whose files were staged, for a month ending
 * `monthEnd`, and the loads it reads: the period's, or for an event feed every staged load delivered
 * up to the chosen period (a rejected file of an earlier period was held when that period was the
 * latest, or accepted then).
 */
function snapshotAt(feed: FeedAdapter<FeedId>, ofFeed: readonly DeliveredLoad[], chosen: string, monthEnd: string, config: Config): { snapshot: Snapshot; used: DeliveredLoad[] } {
  const end = parsePeriod(chosen).end;
  const used = ofFeed.filter((l) => l.status === 'staged' && (feed.kind === 'events' ? parsePeriod(l.period).end <= end : l.period === chosen));
  const ageMonths = monthsBetween(end, monthEnd);
  const snapshot: Snapshot = {
    feed,
    period: chosen,
    rows: used.reduce((n, l) => n + l.rows_staged, 0),
    ageMonths,
    stale: ageMonths > config.feeds[feed.id].max_age_months,
    loadIds: used.map((l) => l.load_id).sort().join(','),
  };
  return { snapshot, used };
}

/** A feed as a check request reads it: its snapshot, when it is delivered, and what a reader must know. */
export interface LatestFeed {
  feed: FeedAdapter;
  snapshot: Snapshot | null;
  /** the day its latest file used was read ('YYYY-MM-DD', China Standard Time) */
  deliveredOn: string | null;
  /** why it is not used, or what it stands in for, in Chinese (null: the latest delivery, whole) */
  note: string | null;
}

/**
 * Each feed as it stands on `day`, for a check request (pipeline/requests/answer.ts): the latest
 * period ending by the end of day's month whose files were all staged; an event feed with every
 * staged period up to it. Unlike a month, nothing holds a request: a latest delivery that was
 * rejected is passed over for the one before it, and the report says so.
 */
export async function latestFeeds(w: Warehouse, day: string, config: Config): Promise<LatestFeed[]> {
  const month = parsePeriod(day.slice(0, 7));
  const loads = await deliveredLoads(w);
  return FEEDS.map((feed) => {
    const ofFeed = loads.filter((l) => l.feed === feed.id && parsePeriod(l.period).end <= month.end);
    const periods = [...new Set(ofFeed.map((l) => l.period))].sort(byEnd);
    const whole = periods.filter((p) => ofFeed.every((l) => l.period !== p || l.status === 'staged'));
    const chosen = whole.at(-1);
    const delivered = periods.at(-1);
    if (!chosen) {
      const note = delivered ? `${delivered} 的交付被退回，此前无可用数据` : '尚未交付';
      return { feed, snapshot: null, deliveredOn: null, note };
    }
    const { snapshot, used } = snapshotAt(feed, ofFeed, chosen, month.end, config);
    const deliveredOn = used.map((l) => l.loaded_on).sort().at(-1) ?? null;
    const note = chosen !== delivered ? `最新交付 ${delivered} 被退回，使用 ${chosen}` : snapshot.stale ? `数据已 ${snapshot.ageMonths} 个月未更新` : null;
    return { feed, snapshot, deliveredOn, note };
  });
}

async function recordFallback(w: Warehouse, period: string, feed: string, skipped: { period: string; why: Fallback['why'] }, used: string, by: string): Promise<Fallback> {
  await w.exec('inputs:fallback', 'insert into snapshot_fallbacks values ($period, $feed, $skipped, $why, $used, $by, now())', {
    period,
    feed,
    skipped: skipped.period,
    why: skipped.why,
    used,
    by,
  });
  const at = await w.one<{ at: string }>('inputs:fallback-at', "select strftime(max(accepted_at), '%Y-%m-%d %H:%M:%S') as at from snapshot_fallbacks where period = $period and feed = $feed", { period, feed });
  return { skipped: skipped.period, why: skipped.why, by, at: at!.at };
}

/**
 * A snapshot whose row count moved more than the configured share from the feed's previous snapshot
 * holds, unless accepted (assert_row_count_drift.sql returns the snapshots past the threshold).
 */
async function driftGates(w: Warehouse, inputs: MonthInputs, config: Config): Promise<void> {
  // events accumulate: their count grows every month by design, there is no previous snapshot to compare
  const snapshots = inputs.snapshots.filter((s) => s.feed.kind === 'snapshot');
  if (!snapshots.length) return;
  const limit = config.gates.max_row_count_change;
  const offending = await stepRows<{ feed: string; period: string; rows: number; previous_period: string; previous_rows: number; accepted: boolean }>(
    w,
    assertion('row_count_drift', { feeds: snapshots.map((s) => s.feed.id), snapshot_periods: snapshots.map((s) => s.period), max_row_count_change: limit }),
  );
  for (const s of snapshots) {
    const d = offending.find((r) => r.feed === s.feed.id);
    if (!d) continue;
    const change = Math.abs(d.rows - d.previous_rows) / d.previous_rows;
    const detail = `${d.feed} ${d.period}: ${d.rows} rows vs ${d.previous_rows} in ${d.previous_period} (${(change * 100).toFixed(1)}% > ${(limit * 100).toFixed(0)}%)`;
    if (d.accepted) inputs.accepted.push({ gate: 'row_count_drift', subject: d.feed, detail: `${detail}: accepted by the operator (--accept-drift ${d.feed})` });
    else inputs.held.push({ gate: 'row_count_drift', subject: d.feed, detail: `${detail}; accept with --accept-drift ${d.feed}` });
  }
}

export async function acceptDrift(w: Warehouse, feedId: string, snapshot: Snapshot): Promise<void> {
  await w.exec('accept-drift', 'insert into drift_acceptances values ($feed, $period, $rows, now())', { feed: feedId, period: snapshot.period, rows: snapshot.rows });
}

/**
 * The source feeds of a rule that have no snapshot this month: it runs only when there are none.
 * A rule that `needs` any source misses none as long as one of them has a snapshot.
 */
export function missingSources(rule: Pick<RuleDefinition, 'sources' | 'needs'>, snapshots: Snapshot[]): string[] {
  const missing = rule.sources.filter((feed) => !snapshots.some((s) => s.feed.id === feed));
  return rule.needs === 'any' && missing.length < rule.sources.length ? [] : missing;
}

/** Rules that cannot run this month: one of their source feeds has no snapshot (each missing one named), or none has for a rule that `needs` any. */
export function skippedRules(snapshots: Snapshot[], rules: readonly Pick<RuleDefinition, 'id' | 'sources' | 'needs'>[] = RULES): { rule: string; reason: string }[] {
  return rules.flatMap((r) => {
    const missing = missingSources(r, snapshots);
    if (!missing.length) return [];
    return [{ rule: r.id, reason: r.needs === 'any' ? `no ${missing.join(' or ')} snapshot` : missing.map((feed) => `no ${feed} snapshot`).join(', ') }];
  });
}

/**
 * The share of the roster's households waiting for authorization may not rise by more than
 * `gates.max_unauthorized_rise` (points) from the previous month (assert_unauthorized_rise.sql):
 * a jump means the roster's authorization columns came wrong, and publishing would silently check
 * far fewer households.
 */
export async function unauthorizedRiseGate(
  w: Warehouse,
  month: Period,
  now: { households: number; pending: number },
  config: Config,
  accepted: boolean,
): Promise<GateFinding | undefined> {
  const previousPeriod = shiftMonth(month.name, 1);
  const limit = config.gates.max_unauthorized_rise;
  const [rise] = await stepRows<{ households: number; pending: number; previous_households: number; previous_pending: number }>(
    w,
    assertion('unauthorized_rise', { households: now.households, pending: now.pending, previous_period: previousPeriod, max_unauthorized_rise: limit }),
  );
  if (!rise) return undefined;
  const share = (households: number, pending: number) => (100 * pending) / households;
  const shareNow = share(rise.households, rise.pending);
  const shareBefore = share(rise.previous_households, rise.previous_pending);
  const detail = `households waiting for authorization ${shareNow.toFixed(1)}% (${rise.pending}/${rise.households}) vs ${shareBefore.toFixed(1)}% in ${previousPeriod}: +${(shareNow - shareBefore).toFixed(1)} points > ${limit}`;
  return accepted
    ? { gate: 'unauthorized_rise', subject: 'roster', detail: `${detail}: accepted by the operator (--accept-unauthorized-rise)` }
    : { gate: 'unauthorized_rise', subject: 'roster', detail: `${detail}; check the roster's authorization columns, or accept with --accept-unauthorized-rise` };
}
