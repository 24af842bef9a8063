import { describe, expect, it } from 'vitest';
import { COUNTIES, LEAGUES, countyOf, isProvinceCode, leagueOf, placeName } from './divisions.ts';

describe('divisions', () => {
  it('knows the 12 leagues and the county-level units of Inner Mongolia', () => {
    expect(LEAGUES.map((l) => l.code)).toEqual(['1501', '1502', '1503', '1504', '1505', '1506', '1507', '1508', '1509', '1522', '1525', '1529']);
    expect(COUNTIES.length).toBeGreaterThanOrEqual(103);
  });
  it('maps a 9- or 12-digit division code to its county and league', () => {
    expect(countyOf('150102001')?.name).toBe('新城区');
    expect(countyOf('152921001002')?.leagueName).toBe('阿拉善盟');
    expect(leagueOf('150781')).toEqual({ code: '1507', name: '呼伦贝尔市' });
  });
  it('knows nothing outside the region or of malformed codes', () => {
    expect(countyOf('110101001')).toBeUndefined();
    expect(countyOf('15010')).toBeUndefined();
  });
});

describe('divisions of the whole country', () => {
  it('knows the mainland provinces, and names a county with its league in the region, its province and city elsewhere', () => {
    expect(isProvinceCode('130102001001')).toBe(true);
    expect(isProvinceCode('990101')).toBe(false);
    expect(isProvinceCode('13010')).toBe(false);
    expect(placeName('150203')).toBe('包头市昆都仑区');
    expect(placeName('130102')).toBe('河北省石家庄市长安区');
    expect(placeName('110101')).toBe('北京市东城区');
    expect(placeName('999999')).toBeUndefined();
  });
});
