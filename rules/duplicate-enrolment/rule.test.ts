import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

const a = makeId('150102', '19800101', '011');
const b = makeId('150102', '19820202', '022');
const flag = (household: string, evidence_key: string, person = a) => ({ rule: 'duplicate-enrolment', household, person, evidence_key, severity: 'high', status: 'issued' });

describe('duplicate-enrolment', () => {
  it('one person in two households in two counties: both counties are told', async () => {
    const flags = await runRules({
      roster: [...household('H1', { division_code: '150102001' }, [{ person_id: a }]), ...household('H2', { division_code: '150203001', program: '农村低保' }, [{ person_id: a }])],
    });
    expect(flags).toEqual([flag('H1', '150203:农村低保'), flag('H2', '150102:城市低保')]);
  });

  it('one person in 城市低保 and 城市特困 in one county (低保特困重复)', async () => {
    const flags = await runRules({
      roster: [...household('H1', {}, [{ person_id: a }]), ...household('H2', { program: '城市特困' }, [{ person_id: a }])],
    });
    expect(flags).toEqual([flag('H1', '150102:城市特困'), flag('H2', '150102:城市低保')]);
  });

  it('two people with the same name are not duplicates', async () => {
    const flags = await runRules({
      roster: [...household('H1', {}, [{ person_id: a, name: '王芳' }]), ...household('H2', {}, [{ person_id: b, name: '王芳' }])],
    });
    expect(flags).toEqual([]);
  });

  it('an unauthorized household is never matched, not even against the roster', async () => {
    const flags = await runRules({
      roster: [...household('H1', {}, [{ person_id: a }]), ...household('H2', { authorization_signed_on: null }, [{ person_id: a }])],
    });
    expect(flags).toEqual([]);
  });
});
