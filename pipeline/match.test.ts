import { describe, expect, it } from 'vitest';
import { withWarehouse } from './warehouse.ts';
import { checkFlagIdsUnique, runnableRules } from './match.ts';
import { skippedRules } from './inputs.ts';
import { feedById } from '../adapters/index.ts';

describe('checkFlagIdsUnique', () => {
  it('refuses a period whose flag ids repeat, and passes one whose ids do not', async () => {
    await withWarehouse(async (w) => {
      const flag = (period: string, id: string) =>
        `('${period}', '${id}', 'vehicle-owned', 'p', 'h', '150102', 'high', null, 'e', '{}', 'x', 'vehicles', '2026Q2', 'issued', null, '${period}', '2026-10-01', '2026-10-16', false, null)`;
      await w.exec('plant', `insert into flags values ${[flag('2026-09', 'a'), flag('2026-09', 'b'), flag('2026-10', 'a'), flag('2026-10', 'a')].join(', ')}`);
      await expect(checkFlagIdsUnique(w, '2026-09')).resolves.toBeUndefined();
      await expect(checkFlagIdsUnique(w, '2026-10')).rejects.toThrow(/1 flag id\(s\) of 2026-10 repeat/);
    });
  });
});

describe('rules with several source feeds', () => {
  // snapshots as a month holds them: only the feeds matter to which rules run
  const snapshot = (feed: string, period: string) => ({ feed: feedById(feed)!, period, rows: 1, ageMonths: 0, stale: false, loadIds: `${feed}:${period}` });
  const rules = [
    { id: 'one-source', sources: ['vehicles'] },
    { id: 'two-sources', sources: ['provident-fund', 'vehicles'] },
    { id: 'needs-business', sources: ['roster', 'business'] },
  ];

  it('run only when every source feed has a snapshot, tagged with the first one', () => {
    const snapshots = [snapshot('roster', '2026-10'), snapshot('vehicles', '2026Q3'), snapshot('provident-fund', '2026-10')];
    const ran = runnableRules(rules, snapshots).map(({ rule, source }) => `${rule.id}@${source.feed.id} ${source.period}`);
    expect(ran).toEqual(['one-source@vehicles 2026Q3', 'two-sources@provident-fund 2026-10']);
  });

  it('are skipped naming each missing feed; a rule whose sources are all there is not listed', () => {
    const snapshots = [snapshot('roster', '2026-10')];
    expect(skippedRules(snapshots, rules)).toEqual([
      { rule: 'one-source', reason: 'no vehicles snapshot' },
      { rule: 'two-sources', reason: 'no provident-fund snapshot, no vehicles snapshot' },
      { rule: 'needs-business', reason: 'no business snapshot' },
    ]);
    expect(skippedRules([...snapshots, snapshot('business', '2026-10')], rules).map((r) => r.rule)).toEqual(['one-source', 'two-sources']);
    expect(runnableRules(rules, [])).toEqual([]);
  });

  it('a rule that needs any source runs with one of them, tagged with the first there, and is skipped with none', () => {
    const anyOf = [{ id: 'either', sources: ['residence', 'hukou'], needs: 'any' as const }];
    const ran = (snapshots: ReturnType<typeof snapshot>[]) => runnableRules(anyOf, snapshots).map(({ source, sources }) => [source.feed.id, sources.map((s) => s.feed.id)]);
    expect(ran([snapshot('roster', '2026-10'), snapshot('hukou', '2026-09')])).toEqual([['hukou', ['hukou']]]);
    expect(ran([snapshot('hukou', '2026-10'), snapshot('residence', '2026-10')])).toEqual([['residence', ['residence', 'hukou']]]);
    expect(skippedRules([snapshot('hukou', '2026-10')], anyOf)).toEqual([]);
    expect(skippedRules([snapshot('roster', '2026-10')], anyOf)).toEqual([{ rule: 'either', reason: 'no residence or hukou snapshot' }]);
  });
});
