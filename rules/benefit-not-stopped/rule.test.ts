import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

const head = makeId('150102', '19700101', '011');
const child = makeId('150102', '20050101', '022');
const answer = (result: string, period = '2026-09', household_id = 'H1') => ({ flag_id: 'f1', period, household_id, result, verified_on: '2026-09-20' });
const flag = { rule: 'benefit-not-stopped', household: 'H1', person: head, evidence_key: 'stopped:2026-09', severity: 'high', status: 'issued' };
const roster = household('H1', {}, [{ person_id: child, relation: '子' }, { person_id: head }]);

describe('benefit-not-stopped', () => {
  it('a household answered 属实-已停保 last month and still on the roster: one flag, on its head', async () => {
    expect(await runRules({ roster, answers: [answer('属实-已停保')] })).toEqual([flag]);
  });
  it('answered 属实-已整改 (not a stop): nothing', async () => {
    expect(await runRules({ roster, answers: [answer('属实-已整改')] })).toEqual([]);
  });
  it('answered stopped, and the household has left the roster: nothing', async () => {
    expect(await runRules({ roster: household('H2', {}, [{ person_id: head }]), answers: [answer('属实-已停保')] })).toEqual([]);
  });
  it('an answer for this same month does not count yet (the stop takes effect next month)', async () => {
    expect(await runRules({ roster, answers: [answer('属实-已停保', '2026-10')] })).toEqual([]);
  });
});
