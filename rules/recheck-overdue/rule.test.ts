import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

// the month is 2026-10 (runRules); households enrolled 2022-01-01 by default. hedui's own history of
// a household begins with the first roster it holds with it: the `earlier` rosters below
const worker = (n: number) => makeId('150102', '19800101', String(n).padStart(3, '0')); // 46: working age
const elder = (n: number) => makeId('150102', '19500101', String(n).padStart(3, '0')); // 76
const ofRule = <F extends { rule: string }>(flags: F[]) => flags.filter((f) => f.rule === 'recheck-overdue');
const since = (period: string, rows: Record<string, string | number | boolean | null>[]) => ({ feed: 'roster' as const, period, rows });

describe('recheck-overdue', () => {
  it('a household with a member of working age, first held 2025-09: due 2026-03-01, more than a month overdue: medium, on its head', async () => {
    const roster = household('H1', { head_id: worker(1) }, [{ person_id: worker(1) }, { person_id: elder(1), relation: '父亲' }]);
    const flags = await runRules({ roster, earlier: [since('2025-09', roster)] }, undefined, { evidence: true });
    expect(ofRule(flags)).toEqual([
      {
        rule: 'recheck-overdue',
        household: 'H1',
        person: worker(1),
        evidence_key: 'recheck:2026-03-01',
        severity: 'medium',
        status: 'issued',
        evidence: '定期核查逾期：有16–59岁成员，每6个月核查一次；上次核查 2025-09-01（系统首次核对（2025-09）），应于 2026-03-01 前核查。请入户核查家庭人口、收入和财产变化，反馈核实结果',
      },
    ]);
  });

  it('the cycle: elders only, yearly (held since 2025-11: due 2026-11, nothing); 人户分离 makes it six months (flagged)', async () => {
    const elders = household('H2', {}, [{ person_id: elder(2) }]);
    const apart = household('H3', { registered_elsewhere: true }, [{ person_id: elder(3) }]);
    const flags = await runRules({ roster: [...elders, ...apart], earlier: [since('2025-11', [...elders, ...apart])] }, undefined, { evidence: true });
    expect(ofRule(flags).map((f) => [f.household, f.evidence_key])).toEqual([['H3', 'recheck:2026-05-01']]);
    expect((ofRule(flags)[0] as { evidence?: string }).evidence).toMatch(/^定期核查逾期：人户分离，每6个月核查一次；上次核查 2025-11-01/);
  });

  it("a county's answer is the last check: verified 2026-08-20, due 2027-02-20, nothing", async () => {
    const roster = household('H4', {}, [{ person_id: worker(4) }]);
    const answers = [{ flag_id: 'f1', period: '2026-08', household_id: 'H4', result: '属实-已整改', verified_on: '2026-08-20' }];
    expect(ofRule(await runRules({ roster, earlier: [since('2025-09', roster)], answers }))).toEqual([]);
  });

  it('a month overdue is the line: due 2026-09-30 is flagged on 2026-10-31, due 2026-10-01 not yet', async () => {
    // enrolled after hedui first held the roster: enrolment is the last check
    const late = household('H5', { enrolled_on: '2026-03-30' }, [{ person_id: worker(5) }]);
    const edge = household('H6', { enrolled_on: '2026-04-01' }, [{ person_id: worker(6) }]);
    const flags = await runRules({ roster: [...late, ...edge], earlier: [since('2025-09', [...late, ...edge])] });
    expect(ofRule(flags).map((f) => [f.household, f.evidence_key])).toEqual([['H5', 'recheck:2026-09-30']]);
  });

  it('only the month itself held (hedui has no history of the household): nothing; an unauthorized household: nothing', async () => {
    const roster = household('H7', {}, [{ person_id: worker(7) }]);
    expect(ofRule(await runRules({ roster }))).toEqual([]);
    const unsigned = household('H8', { authorization_signed_on: null }, [{ person_id: worker(8) }]);
    expect(ofRule(await runRules({ roster: unsigned, earlier: [since('2025-09', unsigned)] }))).toEqual([]);
  });
});
