import { WORKBOOK_SCHEMA_VERSION } from './workbook-data.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { writeCountyWorkbook } from './county-workbook.ts';
import { countyWorkbookPath } from './workbook-contract.ts';
import { publishedTinyMonth } from '../test-support.ts';
import { Warehouse } from '../warehouse.ts';
import { COUNTIES } from '../../domain/divisions.ts';
import { writeSummaryWorkbook } from './summary-workbook.ts';
import { emptyCountyData, sampleCountyData, sampleSummary } from './test-data.ts';
import { ASSIST_REQUESTS, ASSIST_SCHEMA_VERSION, assistWorkbookPath } from '../assist/contract.ts';

/**
 * Every workbook must open in LibreOffice (and so, in practice, in WPS and Excel): convert each
 * sheet to CSV with `soffice --headless` and check what it read. LibreOffice is installed by
 * .ci/run (libreoffice-calc-nogui); without it this test fails on purpose rather than skip.
 */

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'hedui-lo-'));
// Token 12 = -1: one CSV per sheet (LibreOffice ≥ 7.2). Raw values, not "as shown".
const CSV_ALL_SHEETS = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1';

async function soffice(): Promise<string> {
  for (const bin of ['soffice', 'libreoffice']) {
    try {
      await run(bin, ['--version']);
      return bin;
    } catch {
      // try the next name
    }
  }
  throw new Error(
    'LibreOffice (soffice) is not installed, so the "opens in LibreOffice" check cannot run. ' +
      'Install it: apt-get install -y --no-install-recommends libreoffice-calc-nogui (.ci/run does this).',
  );
}

/** Converts every sheet of each workbook to CSV in one LibreOffice run; returns, per workbook, sheet name → rows. */
async function workbooksAsCsv(xlsx: string[]): Promise<Map<string, string[][]>[]> {
  const bin = await soffice();
  // one output folder: a workbook's CSVs are found by its name, which no other may begin with
  const stems = xlsx.map((path) => path.split('/').pop()!.replace(/\.xlsx$/, ''));
  for (const a of stems) for (const b of stems) if (a !== b && b.startsWith(`${a}-`)) throw new Error(`${b} would be read as sheets of ${a}`);
  if (new Set(stems).size < stems.length) throw new Error('two workbooks of the same name');
  const out = await mkdtemp(join(dir, 'csv-'));
  // A private profile, so parallel runs (and other users of soffice) do not collide.
  const profile = pathToFileURL(await mkdtemp(join(dir, 'profile-'))).href;
  await run(bin, [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', CSV_ALL_SHEETS, '--outdir', out, ...xlsx], { timeout: 300_000 });
  const files = (await readdir(out)).sort();
  return Promise.all(
    xlsx.map(async (path) => {
      const stem = path.split('/').pop()!.replace(/\.xlsx$/, '');
      const sheets = new Map<string, string[][]>();
      for (const file of files.filter((f) => f.startsWith(`${stem}-`))) {
        sheets.set(file.slice(stem.length + 1, -'.csv'.length), parseCsv(await readFile(join(out, file), 'utf8')));
      }
      return sheets;
    }),
  );
}

const parseCsv = (body: string): string[][] => parse(body, { relax_column_count: true, bom: true }) as string[][];

// Every workbook the tests read goes through one LibreOffice run: each start of soffice with a new
// profile costs 6–7 s (5.5 s of CPU), and one per test made this file 44 s (docs/measured-choices.md).
const sample = { path: join(dir, 'county.xlsx'), data: sampleCountyData() };
const emptyPath = join(dir, 'empty.xlsx');
const summaryPath = join(dir, 'sample-summary.xlsx'); // not summary.xlsx: the month's has that name
/** The published month: its issued flags, and the county workbooks read (the counties with flags, and two without). */
let month: {
  flags: { county_code: string; flag_id: string }[];
  counties: (typeof COUNTIES)[number][];
  paths: string[];
  summary: string;
  assist: { path: string; requests: { request_id: string; person_id: string }[] }[];
};
const read = new Map<string, Map<string, string[][]>>();
const sheetsOf = (path: string) => read.get(path)!;

beforeAll(async () => {
  await writeCountyWorkbook(sample.path, sample.data);
  await writeCountyWorkbook(emptyPath, emptyCountyData());
  await writeSummaryWorkbook(summaryPath, sampleSummary());

  const dataDir = await publishedTinyMonth({ today: '2026-11-01' }, 'hedui-lo-month-'); // the portal tests' month: one build for all
  const w = await Warehouse.open(join(dataDir, 'hedui.duckdb'));
  try {
    const flags = await w.rows<{ county_code: string; flag_id: string }>('t', "select county_code, flag_id from flags where period = '2026-10' and status = 'issued'");
    const withFlags = [...new Set(flags.map((f) => f.county_code))];
    const counties = [...COUNTIES.filter((c) => withFlags.includes(c.code)), ...COUNTIES.filter((c) => !withFlags.includes(c.code)).slice(0, 2)];
    const paths = counties.map((c) => join(dataDir, 'out/2026-10', countyWorkbookPath('2026-10', c)));
    const assist = await w.rows<{ request_id: string; kind: 'province' | 'league'; target_code: string; person_id: string }>(
      't',
      "select request_id, kind, target_code, person_id from assist_requests where period = '2026-10' order by request_id",
    );
    const asked = (kind: 'province' | 'league', target: string) => ({
      path: join(dataDir, 'out/2026-10', assistWorkbookPath('2026-10', kind, target)),
      requests: assist.filter((a) => a.kind === kind && (kind === 'province' || a.target_code === target)),
    });
    month = { flags, counties, paths, summary: join(dataDir, 'out/2026-10/summary.xlsx'), assist: [asked('province', '15'), asked('league', '1525')] };
  } finally {
    w.close();
  }

  const all = [sample.path, emptyPath, summaryPath, ...month.paths, month.summary, ...month.assist.map((a) => a.path)];
  (await workbooksAsCsv(all)).forEach((sheets, i) => read.set(all[i], sheets));
}, 300_000);

describe('workbooks open in LibreOffice', () => {
  it('reads every sheet of a county workbook with the values we wrote, formulas-looking text as text', () => {
    const data = sample.data;
    const sheets = sheetsOf(sample.path);
    expect([...sheets.keys()].sort()).toEqual(['待补授权', '待补义务人授权', '未发放名单', '疑点家庭', '疑点明细', '说明', '定期核查到期'].sort());

    const households = sheets.get('疑点家庭')!;
    expect(households[0]).toEqual([
      '序号', '户编号', '户主姓名', '户主身份证号', '保障类别', '保障人数', '月保障金(元)', '人户分离', '疑点规则', '最高风险等级',
      '首次下发期', '下发日期', '反馈截止日期', '逾期天数', '核实结果', '核实说明', '核实人', '核实日期', '疑点编号',
    ]);
    expect(households[1]).toEqual([
      '1', '1501020001', '=HYPERLINK("x")', data.households[0].headId, '城市低保', '3', '1234.5', '是', '名下有机动车；市场主体任职', '高',
      '2026-09', '2026-10-03', '2026-10-18', '12', '', '', '', '', 'f-0001,f-0002',
    ]);
    expect(households[2][2]).toBe('+1');
    expect(households[3][2]).toBe('@SUM(A1)');
    expect(households).toHaveLength(4);

    const details = sheets.get('疑点明细')!;
    expect(details).toHaveLength(5);
    expect(details[1][11]).toBe('=1+1 号牌 蒙A12345 小型轿车 初次登记 2019-05-01');
    expect(details[2][4]).toBe('-张三');

    const pending = sheets.get('待补授权')!;
    expect(pending[1][0]).toBe('序号');
    expect(pending[3][3]).toMatch(/^\d{17}X$/);

    const obligors = sheets.get('待补义务人授权')!;
    expect(obligors[1][0]).toBe('序号');
    expect(obligors[2]).toEqual(['1', '1501020012', '=孙七', data.obligorPending[0].supportedId, '-孙八', data.obligorPending[0].shownId, '新城区', '子', '2026-11-02', '2029-11-01', '签署日期晚于本期末']);
    expect(obligors[3].slice(5, 9)).toEqual(['620402********4002', '外地或未知', '女', '']);

    const recheck = sheets.get('定期核查到期')!;
    expect(recheck[1][0]).toBe('序号');
    expect(recheck[2].slice(0, 4)).toEqual(['1', '1501020000101', '=HYPERLINK("x")', '城市低保']);
    expect(recheck[3].slice(8, 12)).toEqual(['2026-11-20', '下月到期', '2026-12-31', '授权即将到期，请组织续签']);

    const readme = sheets.get('说明')!;
    expect(readme[1].slice(0, 2)).toEqual(['格式版本', WORKBOOK_SCHEMA_VERSION]);
    expect(readme.find((r) => r[0] === '反馈截止日期')?.[1]).toBe('2026-11-18');
  });

  it('reads an empty county workbook and the summary workbook', () => {
    const county = sheetsOf(emptyPath);
    expect(county.get('疑点家庭')).toHaveLength(1);
    expect(county.get('说明')!.some((r) => r[0] === '本期无疑点家庭')).toBe(true);

    const summary = sheetsOf(summaryPath);
    expect([...summary.keys()].sort()).toEqual(['汇总', '分县', '数据质量', '数据源', '闸门'].sort());
    expect(summary.get('汇总')![5].slice(0, 7)).toEqual(['', '全区合计', '3', '8', '11', '3', '5']);
    expect(summary.get('分县')![1].slice(0, 4)).toEqual(['150100', '呼和浩特市', '150102', '新城区']);
  });

  it('opens every county workbook of a published month, each with exactly its county’s flags', () => {
    const { flags, counties, paths } = month;
    counties.forEach((c, i) => {
      const details = sheetsOf(paths[i]).get('疑点明细')!;
      expect(details[0][1], c.code).toBe('疑点编号');
      expect(details.slice(1).map((r) => r[1]).sort(), c.code).toEqual(flags.filter((f) => f.county_code === c.code).map((f) => f.flag_id).sort());
    });
    expect(sheetsOf(month.summary).has('分县')).toBe(true);
  });

  it('opens the cross-province and a cross-league request workbook, each with exactly its requests, IDs as text', () => {
    for (const { path, requests } of month.assist) {
      expect(requests.length, path).toBeGreaterThan(0);
      const sheets = sheetsOf(path);
      expect([...sheets.keys()].sort()).toEqual(['说明', '核对请求'].sort());
      const rows = sheets.get('核对请求')!;
      expect(rows[0]).toEqual(ASSIST_REQUESTS.columns.map((c) => c.header));
      const col = (k: keyof typeof ASSIST_REQUESTS.col) => ASSIST_REQUESTS.col[k] - 1;
      expect(rows.slice(1).map((r) => [r[col('requestId')], r[col('personId')]]).sort(), path).toEqual(requests.map((a) => [a.request_id, a.person_id]).sort());
      expect(sheets.get('说明')![1].slice(0, 2)).toEqual(['格式版本', ASSIST_SCHEMA_VERSION]);
    }
  });
});
