import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

const a = makeId('150102', '19800101', '011');
const b = makeId('150102', '19820202', '022');
const flag = (household: string, evidence_key: string, person = a, severity = 'high') => ({ rule: 'duplicate-enrolment', household, person, evidence_key, severity, status: 'issued' });

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

  it('covered in one household and an uncovered member of another: a household-composition conflict, medium, on both sides', async () => {
    const flags = await runRules(
      {
        roster: [
          ...household('H1', {}, [{ person_id: a }]),
          ...household('H2', { division_code: '150203001', program: '农村低保' }, [{ person_id: b }, { person_id: a, relation: '子', is_covered: false }]),
        ],
      },
      undefined,
      { evidence: true },
    );
    expect(flags).toEqual([
      {
        ...flag('H1', '150203:农村低保:member', a, 'medium'),
        evidence: '家庭成员构成冲突：此人在本户为保障对象，同时被列为包头市昆都仑区「农村低保」一户的非保障家庭成员（一人只能属于一个共同生活家庭，请核实家庭成员构成）',
      },
      {
        ...flag('H2', '150102:城市低保:member', a, 'medium'),
        evidence: '家庭成员构成冲突：此人在本户为非保障家庭成员，同时被列为呼和浩特市新城区「城市低保」一户的保障对象（一人只能属于一个共同生活家庭，请核实家庭成员构成）',
      },
    ]);
  });

  it('covered in both households stays a duplicate payment (high), beside a conflict with a third', async () => {
    const flags = await runRules({
      roster: [
        ...household('H1', {}, [{ person_id: a }]),
        ...household('H2', {}, [{ person_id: a }]),
        ...household('H3', {}, [{ person_id: b }, { person_id: a, relation: '子', is_covered: false }]),
      ],
    });
    expect(flags).toEqual([
      flag('H1', '150102:城市低保'),
      flag('H1', '150102:城市低保:member', a, 'medium'),
      flag('H2', '150102:城市低保'),
      flag('H2', '150102:城市低保:member', a, 'medium'),
      flag('H3', '150102:城市低保:member', a, 'medium'),
    ]);
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
