import { describe, expect, it } from 'vitest';
import { household, makeId, runRules } from '../test-support.ts';

// the month is 2026-10 (runRules); households of 新城区 (150102) by default
const person = (n: number) => makeId('150102', '19800101', String(n).padStart(3, '0'));
const ofRule = <F extends { rule: string }>(flags: F[]) => flags.filter((f) => f.rule === 'residence-not-marked');
/** A 居住证 (the county derived as staging does). */
const permit = (person_id: string, residence_division: string, issued_on: string, valid_until: string | null = null) => ({
  person_id,
  residence_division,
  residence_county: residence_division.slice(0, 6),
  issued_on,
  valid_until,
});
/** A 户籍 registration. */
const registered = (person_id: string, division_code: string, over: Record<string, string | boolean | null> = {}) => ({
  person_id,
  division_code,
  county_code: division_code.slice(0, 6),
  cancelled: false,
  moved_in_on: null,
  moved_out_on: null,
  ...over,
});

describe('residence-not-marked', () => {
  it('a valid 居住证 or a 户籍 in force in another county, 人户分离 not marked: medium, each kind its own flag tagged with its feed', async () => {
    const flags = await runRules(
      {
        roster: [
          ...household('H1', {}, [{ person_id: person(1) }]),
          ...household('H2', {}, [{ person_id: person(2) }]),
          // 人户分离 left blank on the roster: 否
          ...household('H3', { registered_elsewhere: null }, [{ person_id: person(3) }]),
        ],
        residence: [
          permit(person(1), '150203001002', '2026-03-01', '2027-02-28'),
          // no 有效期至: 12 months from issue, until 2026-10-31 exactly
          permit(person(3), '130102001', '2025-11-01'),
        ],
        hukou: [registered(person(1), '150203001002', { moved_in_on: '2019-05-06' }), registered(person(2), '152502001001')],
      },
      undefined,
      { evidence: true, sources: true },
    );
    expect(ofRule(flags)).toEqual([
      {
        rule: 'residence-not-marked',
        household: 'H1',
        person: person(1),
        evidence_key: 'hukou',
        severity: 'medium',
        status: 'issued',
        source: 'hukou 2026-10',
        evidence: '户籍：户籍地 包头市昆都仑区（150203001002），迁入日期 2019-05-06；在保地 呼和浩特市新城区，名册未标注人户分离，请核实实际居住地和户籍地并在名册标注人户分离',
      },
      {
        rule: 'residence-not-marked',
        household: 'H1',
        person: person(1),
        evidence_key: 'residence',
        severity: 'medium',
        status: 'issued',
        source: 'residence 2026-10',
        evidence: '居住证：居住地 包头市昆都仑区（150203001002），签发日期 2026-03-01，有效期至 2027-02-28；在保地 呼和浩特市新城区，名册未标注人户分离，请核实实际居住地和户籍地并在名册标注人户分离',
      },
      {
        rule: 'residence-not-marked',
        household: 'H2',
        person: person(2),
        evidence_key: 'hukou',
        severity: 'medium',
        status: 'issued',
        source: 'hukou 2026-10',
        evidence: '户籍：户籍地 锡林郭勒盟锡林浩特市（152502001001）；在保地 呼和浩特市新城区，名册未标注人户分离，请核实实际居住地和户籍地并在名册标注人户分离',
      },
      {
        rule: 'residence-not-marked',
        household: 'H3',
        person: person(3),
        evidence_key: 'residence',
        severity: 'medium',
        status: 'issued',
        source: 'residence 2026-10',
        evidence: '居住证：居住地 河北省石家庄市长安区（130102001），签发日期 2025-11-01，未注明有效期（按签发后 12 个月计，至 2026-10-31）；在保地 呼和浩特市新城区，名册未标注人户分离，请核实实际居住地和户籍地并在名册标注人户分离',
      },
    ]);
  });

  it('near misses: an expired 居住证, one issued after the month, a move within the county, a cancelled or moved-out 户籍, 人户分离 marked, an unauthorized household: nothing', async () => {
    const flags = await runRules({
      roster: [
        ...household('H1', {}, [{ person_id: person(1) }]),
        ...household('H2', {}, [{ person_id: person(2) }]),
        ...household('H3', {}, [{ person_id: person(3) }]),
        ...household('H4', {}, [{ person_id: person(4) }]),
        ...household('H5', { registered_elsewhere: true }, [{ person_id: person(5) }]),
        ...household('H6', { authorization_signed_on: null, authorization_valid_until: null }, [{ person_id: person(6) }]),
        ...household('H7', {}, [{ person_id: person(7) }]),
        ...household('H8', {}, [{ person_id: person(8) }]),
      ],
      residence: [
        // expired the day before the month's last day
        permit(person(1), '150203001', '2025-10-30', '2026-10-30'),
        // no 有效期至, issued 12 months and a day before the month's end: lapsed
        permit(person(7), '150203001', '2025-10-31'),
        permit(person(2), '150203001', '2026-11-01', '2027-10-31'),
        permit(person(5), '150203001', '2026-01-01', '2027-01-01'),
        permit(person(6), '150203001', '2026-01-01', '2027-01-01'),
        // in the household's own county
        permit(person(8), '150102005', '2026-01-01', '2027-01-01'),
      ],
      hukou: [
        // another 12-digit code of the same county (the roster's is 150102001)
        registered(person(3), '150102009003'),
        registered(person(4), '150203001001', { cancelled: true }),
        registered(person(8), '150203001001', { moved_out_on: '2026-10-31', moved_to: '150102' }),
        // moved in after the month's end
        registered(person(7), '150203001001', { moved_in_on: '2026-11-02' }),
        registered(person(5), '150203001001'),
        registered(person(6), '150203001001'),
      ],
    });
    expect(ofRule(flags)).toEqual([]);
  });

  it('runs with one of its feeds alone, tagging the flag with it; the latest valid 居住证 decides', async () => {
    const flags = await runRules(
      {
        roster: [...household('H1', {}, [{ person_id: person(1) }]), ...household('H2', {}, [{ person_id: person(2) }])],
        // an older permit elsewhere, a newer one at home: no lead; the other way round: a lead
        residence: [
          permit(person(1), '150203001', '2025-01-01', '2027-01-01'),
          permit(person(1), '150102001', '2026-02-01', '2028-01-31'),
          permit(person(2), '150102001', '2025-01-01', '2027-01-01'),
          permit(person(2), '150203001', '2026-02-01', '2028-01-31'),
        ],
      },
      undefined,
      { sources: true },
    );
    expect(ofRule(flags).map((f) => [f.household, f.evidence_key, f.source])).toEqual([['H2', 'residence', 'residence 2026-10']]);
  });
});
