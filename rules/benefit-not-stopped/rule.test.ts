import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';
import { withWarehouse } from '../../pipeline/warehouse.ts';
import { loadConfig } from '../../config/config.ts';
import { ruleParams } from '../params.ts';
import { benefitNotStopped } from './rule.ts';

const head = makeId('150102', '19700101', '011');
const child = makeId('150102', '20050101', '022');
// the month run is 2026-10; with grace_months 1 an answer verified in August counts, one verified in September not yet
const answer = (result: string, period = '2026-08', verified_on = '2026-08-20', household_id = 'H1') => ({ flag_id: 'f1', period, household_id, result, verified_on });
const flag = (answered = '2026-08') => ({ rule: 'benefit-not-stopped', household: 'H1', person: head, evidence_key: `stopped:${answered}`, severity: 'high', status: 'issued' });
const roster = household('H1', {}, [{ person_id: child, relation: '子' }, { person_id: head }]);

describe('benefit-not-stopped: stopped, yet still on the roster', () => {
  it('a household answered 属实-已停保, verified two months before and still on the roster: one flag, on its head', async () => {
    expect(await runRules({ roster, answers: [answer('属实-已停保')] })).toEqual([flag()]);
  });
  it('answered 属实-已整改 (not a stop): nothing', async () => {
    expect(await runRules({ roster, answers: [answer('属实-已整改')] })).toEqual([]);
  });
  it('answered stopped, and the household has left the roster: nothing', async () => {
    expect(await runRules({ roster: household('H2', {}, [{ person_id: head }]), answers: [answer('属实-已停保')] })).toEqual([]);
  });
  it('an answer for this same month does not count yet', async () => {
    expect(await runRules({ roster, answers: [answer('属实-已停保', '2026-10', '2026-10-20')] })).toEqual([]);
  });
});

describe('benefit-not-stopped: grace_months', () => {
  it('verified in September: the October roster is within the grace month (the stop takes effect from the next month): nothing', async () => {
    expect(await runRules({ roster, answers: [answer('属实-已停保', '2026-09', '2026-09-20')] })).toEqual([]);
  });
  it('verified in September with grace_months 0: the October roster is later, flagged', async () => {
    const zero = await runRules({ roster, answers: [answer('属实-已停保', '2026-09', '2026-09-20')] }, (c) => (c.rules['benefit-not-stopped'].grace_months = 0));
    expect(zero).toEqual([flag('2026-09')]);
  });
  it('verified in August with grace_months 2: not yet (August + 2 = October)', async () => {
    expect(await runRules({ roster, answers: [answer('属实-已停保')] }, (c) => (c.rules['benefit-not-stopped'].grace_months = 2))).toEqual([]);
  });
  it('the latest 核实日期 of a household’s stop answers counts: one in August and one in September, not yet', async () => {
    const answers = [answer('属实-已停保'), { ...answer('属实-已停保', '2026-08', '2026-09-02'), flag_id: 'f2' }];
    expect(await runRules({ roster, answers })).toEqual([]);
  });
});

/**
 * 属实-已调整保障金 on the rule's SQL alone: the intermediates it reads, as given rows (the answered
 * workbook's 月保障金 is recorded by an earlier month's commit, which a one-month run has not got).
 */
async function adjusted(given: { shown?: number; now: number; verifiedOn?: string; result?: string }): Promise<{ evidence_key: string; evidence: string }[]> {
  const { config } = loadConfig();
  return withWarehouse(async (w) => {
    await w.exec('given', "create temp table int_matched_people as select 'P1' as person_id, 'H1' as household_id, true as is_head, '150102' as county_code");
    await w.exec('given', "create temp table int_household_amounts as select 'H1' as household_id, $now::decimal(18, 2) as monthly_amount", { now: given.now });
    await w.exec(
      'given',
      "create temp table int_answers as select 'f1' as flag_id, '2026-08' as period, 'H1' as household_id, '150102' as county_code, $result as result, $verified::date as verified_on",
      { result: given.result ?? '属实-已调整保障金', verified: given.verifiedOn ?? '2026-08-20' },
    );
    if (given.shown !== undefined) await w.exec('given', "insert into issued_households values ('2026-08', 'H1', $shown)", { shown: given.shown });
    const hits = await w.rows<{ evidence_key: string; evidence: string }>('rule', benefitNotStopped.sql, ruleParams(benefitNotStopped, config, { name: '2026-10', start: '2026-10-01', end: '2026-10-31' }));
    return hits.map((h) => ({ evidence_key: h.evidence_key, evidence: h.evidence }));
  });
}

describe('benefit-not-stopped: 属实-已调整保障金, yet the same 月保障金', () => {
  it('the roster still shows the amount the answered workbook showed: a lead 保障金未调整', async () => {
    expect(await adjusted({ shown: 800, now: 800 })).toEqual([{ evidence_key: 'not-adjusted:2026-08', evidence: expect.stringMatching(/^保障金未调整：.*月保障金仍为 800\.00 元/) }]);
  });
  it('the amount changed: nothing', async () => {
    expect(await adjusted({ shown: 800, now: 650 })).toEqual([]);
  });
  it('verified within the grace month: nothing yet', async () => {
    expect(await adjusted({ shown: 800, now: 800, verifiedOn: '2026-09-10' })).toEqual([]);
  });
  it('no amount recorded for the answered month (published before it was kept): nothing, never a guess', async () => {
    expect(await adjusted({ now: 800 })).toEqual([]);
  });
  it('another confirmed result (属实-已整改) with the same amount: nothing', async () => {
    expect(await adjusted({ shown: 800, now: 800, result: '属实-已整改' })).toEqual([]);
  });
  it('through the whole match: the answered month’s amount is not on record, so nothing', async () => {
    expect(await runRules({ roster, answers: [answer('属实-已调整保障金')] })).toEqual([]);
  });
});
