import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_PATH, loadConfig, standardOf, validateConfig } from './config.ts';
import { FEED_IDS } from '../adapters/index.ts';

const shipped = () => JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));

describe('configuration', () => {
  it('the shipped Inner Mongolia configuration validates, with the region floor 829 / 625 of 内政字〔2024〕131号', () => {
    const { config, sha256 } = loadConfig();
    expect(config.standards.region).toEqual([{ from: '2024-01-01', urban: 829, rural: 625, document: '内政字〔2024〕131号' }]);
    expect(standardOf(config, '1501', '2026-10-31')).toEqual({ urban: 829, rural: 625, urban_document: '内政字〔2024〕131号', rural_document: '内政字〔2024〕131号' });
    expect(config.deadline_days).toBe(15);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  const bad: [string, (c: any) => void, RegExp][] = [
    ['a negative standard', (c) => (c.standards.region[0].rural = -5), /config\.standards\.region\[0\]\.rural: expected a number from 1 to 100000/],
    ['an unknown league', (c) => (c.standards.leagues['1599'] = [{ from: '2025-01-01', urban: 900, rural: 700, document: 'x' }]), /config\.standards\.leagues\.1599: expected a league code/],
    ['a standard without a date', (c) => delete c.standards.region[0].from, /config\.standards\.region\[0\]\.from: expected a value \(the key is missing\)/],
    ['an impossible date', (c) => (c.standards.region[0].from = '2024-02-30'), /config\.standards\.region\[0\]\.from: expected a date YYYY-MM-DD/],
    ['a standard without its document', (c) => delete c.standards.region[0].document, /config\.standards\.region\[0\]\.document: expected a value/],
    ['no region standard', (c) => (c.standards.region = []), /config\.standards\.region: expected a list of at least 1/],
    ['entries out of date order', (c) => c.standards.region.push({ from: '2023-01-01', urban: 800, rural: 600, document: 'x' }), /config\.standards\.region\[1\]\.from: expected a date after 2024-01-01/],
    ['a league entry without urban', (c) => (c.standards.leagues['1501'] = [{ from: '2025-01-01', rural: 700, document: 'x' }]), /config\.standards\.leagues\.1501\[0\]\.urban: expected a value/],
    ['a quarantine share above 1', (c) => (c.gates.max_quarantine_share = 1.5), /config\.gates\.max_quarantine_share: expected a number from 0 to 1/],
    ['a re-sent share of 0 (every file beside another would be re-sent)', (c) => (c.gates.max_resent_share = 0), /config\.gates\.max_resent_share: expected a number from 0\.01 to 1/],
    ['a fractional deadline', (c) => (c.deadline_days = 15.5), /config\.deadline_days: expected an integer from 1 to 90/],
    ['a misspelt key', (c) => (c.rules['vehicle-owned'].exempt_plate_type = ['07']), /config\.rules\.vehicle-owned\.exempt_plate_type: expected no such key/],
    ['a missing key', (c) => delete c.rules['business-role'].capital_threshold_wan, /capital_threshold_wan: expected a value \(the key is missing\)/],
    ['a three-digit plate type', (c) => (c.rules['vehicle-owned'].exempt_plate_types = ['007']), /exempt_plate_types\[0\]: expected a two-digit plate type/],
  ];
  it('feeds: a feed or a key left out takes the default its adapter declares; an unknown feed is refused', () => {
    const c = shipped();
    delete c.feeds.vehicles;
    delete c.feeds.business.due_day;
    const { feeds } = validateConfig(c);
    expect(feeds.vehicles).toEqual({ max_age_months: 6, due_day: 15 });
    expect(feeds.business).toEqual({ max_age_months: 3, due_day: 10 });
    const none = shipped();
    delete none.feeds;
    expect(Object.keys(validateConfig(none).feeds)).toEqual(FEED_IDS);
    const unknown = shipped();
    unknown.feeds.trains = { max_age_months: 1 };
    expect(() => validateConfig(unknown)).toThrow(/config\.feeds\.trains: expected a feed \(roster, provident-fund, /);
    const source = shipped();
    source.sources = { trains: { type: 'folder', path: '/x' } };
    expect(() => validateConfig(source)).toThrow(/config\.sources\.trains: expected a feed/);
  });

  it('standards by date: a day uses the entries in force on it; a league never goes below the floor; a day before every entry is refused', () => {
    const c = validateConfig(shipped());
    c.standards.region.push({ from: '2026-07-01', urban: 900, rural: 700, document: '内政字〔2026〕1号' });
    c.standards.leagues['1502'] = [{ from: '2025-01-01', urban: 880, rural: 680, document: '包民发〔2025〕2号' }];
    expect(standardOf(c, '1501', '2026-06-30')).toMatchObject({ urban: 829, rural: 625, urban_document: '内政字〔2024〕131号' });
    expect(standardOf(c, '1501', '2026-07-01')).toMatchObject({ urban: 900, rural: 700, rural_document: '内政字〔2026〕1号' });
    expect(standardOf(c, '1502', '2026-06-30')).toEqual({ urban: 880, rural: 680, urban_document: '包民发〔2025〕2号', rural_document: '包民发〔2025〕2号' });
    expect(standardOf(c, '1502', '2026-10-31')).toMatchObject({ urban: 900, rural: 700, urban_document: '内政字〔2026〕1号' });
    expect(standardOf(c, '1502', '2024-12-31')).toMatchObject({ urban: 829, urban_document: '内政字〔2024〕131号' });
    expect(() => standardOf(c, '1501', '2023-12-31')).toThrow(/no 低保 standard in force on 2023-12-31/);
  });

  it.each(bad)('refuses %s, naming the key and the allowed range', (_d, mutate, message) => {
    const c = shipped();
    mutate(c);
    expect(() => validateConfig(c)).toThrow(message);
  });
});
