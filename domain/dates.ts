/**
 * Dates as departments write them: 2022-03-03, 2022/3/3, 2022.3.3, 20220303, 2022年3月3日,
 * with or without a time after them, and Excel serial day numbers (45000 = 2023-03-15).
 * Year-months (最近缴存年月): 202610, 2026-10, 2026/10, 2026年10月, or a full date.
 *
 * As with ID numbers, the TypeScript functions (small files: whitelist, feedback) and the DuckDB
 * macros (bulk loading) are held to each other by one table of cases in dates.test.ts.
 */

const EXCEL_EPOCH_UTC = Date.UTC(1899, 11, 30);

/** 'YYYY-MM-DD' plus days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function isoIfValid(y: number, m: number, d: number): string | null {
  if (y < 1880 || y > 2200 || m < 1 || m > 12 || d < 1) return null;
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** 'YYYY-MM-DD' or null when the text is not a date in any accepted form. */
export function parseDepartmentDate(raw: string): string | null {
  const s = raw.normalize('NFKC').trim();
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    const day = new Date(EXCEL_EPOCH_UTC + Math.floor(Number(s)) * 86_400_000);
    return day.toISOString().slice(0, 10);
  }
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(s);
  if (!m) m = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(s);
  return m ? isoIfValid(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

/** 'YYYY-MM' or null. */
export function parseYearMonth(raw: string): string | null {
  const s = raw.normalize('NFKC').trim();
  const m = /^(\d{4})[-/.年]?(\d{1,2})月?$/.exec(s);
  if (m && (s.length === 6 || !/^\d+$/.test(s))) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? `${m[1]}-${String(month).padStart(2, '0')}` : null;
  }
  const day = parseDepartmentDate(s);
  return day ? day.slice(0, 7) : null;
}

/**
 * The DuckDB macros. `hedui_date(raw)` and `hedui_year_month(raw)` compose the steps:
 * `hedui_date_text(raw)` cleans the text, `hedui_date_of_text(t)` / `hedui_year_month_of_text(t)`
 * parse it, `hedui_date_in_range(d)` bounds it. DuckDB expands a macro by substituting its
 * argument text at every reference, so a composite repeats the cleaning; bulk loading applies the
 * composites once per distinct text of a column (pipeline/load/checks.ts), where that costs
 * nothing worth counting. A cast to DATE accepts one or two digits for month and day (2022-3-3) and is
 * lenient about what follows ('2022-03-03x' casts), so it is only applied behind a full-match
 * pattern; on 8 M dates it is ~20 % cheaper than strptime.
 */
export function dateSqlMacros(): string {
  return `
create or replace macro hedui_date_text(s) as
  case
    when regexp_full_match(s, '[0-9]{4}[-/.]?[0-9]{1,2}[-/.]?[0-9]{1,2}') then s
    else regexp_replace(translate(trim(s), '０１２３４５６７８９／－．', '0123456789/-.'), '[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$', '')
  end;
create or replace macro hedui_date_of_text(t) as
  case
    when regexp_full_match(t, '[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}') then try_cast(translate(t, '/.', '--') as date)
    when regexp_full_match(t, '[0-9]{5}(\\.[0-9]+)?') then (date '1899-12-30' + cast(floor(cast(t as double)) as integer))
    when regexp_full_match(t, '[0-9]{8}') then try_strptime(t, '%Y%m%d')::date
    when regexp_full_match(t, '[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日') then try_strptime(t, '%Y年%m月%d日')::date
  end;
create or replace macro hedui_date_in_range(d) as
  case when year(d) between 1880 and 2200 then d end;
create or replace macro hedui_year_month_of_text(t) as
  case
    when regexp_full_match(t, '[0-9]{6}') then try_strptime(t || '01', '%Y%m%d')::date
    when regexp_full_match(t, '[0-9]{4}[-/.年][0-9]{1,2}月?') then
      try_strptime(regexp_replace(regexp_replace(t, '月$', ''), '[-/.年]', '-') || '-01', '%Y-%m-%d')::date
    else date_trunc('month', hedui_date_in_range(hedui_date_of_text(t)))::date
  end;
create or replace macro hedui_date(s) as hedui_date_in_range(hedui_date_of_text(hedui_date_text(s)));
create or replace macro hedui_year_month(s) as hedui_year_month_of_text(hedui_date_text(s));
`;
}
