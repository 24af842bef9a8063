import { describe, expect, it } from 'vitest';
import { idCheckChar, normaliseIdNumber, type IdStatus } from './id-number.ts';
import { withWarehouse } from '../pipeline/warehouse.ts';

/** An ID with a correct check character around the given birth date: only the date can fail it. */
const withBirth = (yyyymmdd: string) => {
  const first17 = `150102${yyyymmdd}001`;
  return first17 + idCheckChar(first17);
};

// One table of cases for both executions of the rules: the TypeScript function and the DuckDB macro.
const cases: { description: string; raw: string; id: string; status: IdStatus }[] = [
  { description: 'valid, check digit X', raw: '11010519491231002X', id: '11010519491231002X', status: 'ok' },
  { description: 'valid, check digit 4', raw: '440524188001010014', id: '440524188001010014', status: 'ok' },
  { description: 'lowercase x', raw: '11010519491231002x', id: '11010519491231002X', status: 'ok' },
  { description: 'full-width digits', raw: '４４０５２４１８８００１０１００１４', id: '440524188001010014', status: 'ok' },
  { description: 'spaces, tab, NBSP, zero-width', raw: ' 440524\t1880\u00A00101\u200B0014 ', id: '440524188001010014', status: 'ok' },
  { description: "Excel's leading apostrophe", raw: "'440524188001010014", id: '440524188001010014', status: 'ok' },
  { description: 'en space, zero-width non-joiner, line separator', raw: '440524\u2002188001\u200C010014\u2028', id: '440524188001010014', status: 'ok' },
  { description: 'ideographic space and quotes', raw: '“440524188001010014”\u3000', id: '440524188001010014', status: 'ok' },
  { description: '15-digit legacy ID upgraded', raw: '120110681231276', id: '120110196812312767', status: 'upgraded_15' },
  { description: '15-digit ID with a bad date', raw: '120110681331276', id: '120110681331276', status: 'bad_date' },
  { description: 'bad check digit', raw: '440524188001010015', id: '440524188001010015', status: 'bad_checksum' },
  { description: 'month 13', raw: '440524188013010014', id: '440524188013010014', status: 'bad_date' },
  { description: 'February 30', raw: '150102199002300011', id: '150102199002300011', status: 'bad_date' },
  { description: '29 February 2000 (leap), check digit right', raw: withBirth('20000229'), id: withBirth('20000229'), status: 'ok' },
  { description: '29 February 1900 (not leap), check digit right', raw: withBirth('19000229'), id: withBirth('19000229'), status: 'bad_date' },
  { description: '29 February 2023, check digit right', raw: withBirth('20230229'), id: withBirth('20230229'), status: 'bad_date' },
  { description: '31 April, check digit right', raw: withBirth('20230431'), id: withBirth('20230431'), status: 'bad_date' },
  { description: 'day 00, check digit right', raw: withBirth('20230400'), id: withBirth('20230400'), status: 'bad_date' },
  { description: 'born 1879, check digit right', raw: withBirth('18791231'), id: withBirth('18791231'), status: 'bad_date' },
  { description: '31 December 1880, check digit right', raw: withBirth('18801231'), id: withBirth('18801231'), status: 'ok' },
  { description: 'organisation code in lowercase', raw: 'abc123', id: 'ABC123', status: 'bad_length' },
  { description: '17 characters', raw: '44052418800101001', id: '44052418800101001', status: 'bad_length' },
  { description: 'letter O for zero', raw: '44O524188001010014', id: '44O524188001010014', status: 'bad_length' },
  { description: 'masked middle', raw: '150102********1234', id: '150102********1234', status: 'masked' },
  { description: 'masked tail', raw: '330222************', id: '330222************', status: 'masked' },
  { description: 'Excel scientific notation', raw: '1.50102E+17', id: '1.50102E+17', status: 'scientific' },
  { description: 'scientific, lowercase e', raw: '1.50102199e+17', id: '1.50102199E+17', status: 'scientific' },
  { description: 'empty', raw: '', id: '', status: 'bad_length' },
];

describe('normaliseIdNumber', () => {
  for (const c of cases) {
    it(`${c.description} → ${c.status}`, () => {
      expect(normaliseIdNumber(c.raw)).toEqual({ id: c.id, status: c.status });
    });
  }
});

describe('hedui_id_clean / hedui_id_status (DuckDB) agree with normaliseIdNumber', () => {
  it('on every case of the table', async () => {
    // every case as a row of one query: a statement that calls the macros costs ~0.3 s however
    // few its rows, and one per case made this test 9 s (docs/measured-choices.md)
    const rows = await withWarehouse((w) =>
      w.rows<{ raw: string; id: string; status: string }>(
        'id-cases',
        `select raw, hedui_id_clean(raw) as id, hedui_id_status(raw) as status
         from (select generate_subscripts($raws::varchar[], 1) as i, unnest($raws::varchar[]) as raw) order by i`,
        { raws: cases.map((c) => c.raw) },
      ),
    );
    expect(rows).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      expect({ description: c.description, ...rows[i] }).toEqual({ description: c.description, raw: c.raw, id: c.id, status: c.status });
    });
  });

  it('hedui_id_masked keeps the division and the last four', async () => {
    const shown = await withWarehouse((w) => w.one<{ shown: string }>('id-masked', "select hedui_id_masked('15010219750505102X') as shown"));
    expect(shown).toEqual({ shown: '150102********102X' });
  });
});
