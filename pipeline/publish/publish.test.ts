/**
 * Publishing a month on the tiny fixtures: each county's workbook holds exactly its county's
 * issued flags and nothing of another county; a name beginning with "=" stays text; re-running
 * the month, or running it in another data folder, gives byte-identical files.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, writeFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runMonth, withSession } from '../run.ts';
import { importEntries, revokeEntry } from '../whitelist.ts';
import { openState } from '../state.ts';
import { Warehouse } from '../warehouse.ts';
import { COUNTIES } from '../../domain/divisions.ts';
import { readZipText } from './test-zip.ts';
import { countyWorkbookPath, DETAILS, HOUSEHOLDS, OBLIGOR_PENDING, SHEET } from './workbook-contract.ts';
import { countyBatches, OBLIGOR_REASON_TEXT } from './publish.ts';
import { csv, makeDataDir, makeId, putInbox } from '../load/test-support.ts';

const TINY = new URL('../../fixtures/tiny/', import.meta.url).pathname;
const FORMULA_NAME = '=HYPERLINK("http://example.invalid","点我")';

/** Copies the tiny fixtures and renames one flagged person to a formula-looking name. */
async function preparedDataDir(): Promise<{ dir: string; person: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'hedui-publish-'));
  await cp(TINY, dir, { recursive: true });
  const flag = JSON.parse((await readFile(join(dir, 'answer-key/flags.jsonl'), 'utf8')).split('\n').find((l) => l.includes('"vehicle-owned"') && l.includes('"issued"'))!) as { person_id: string };
  const rosterPath = join(dir, 'inbox/roster/2026-10/在保名册_2026-10.csv');
  const lines = (await readFile(rosterPath, 'utf8')).split('\n');
  const i = lines.findIndex((l) => l.split(',')[2] === flag.person_id);
  const cells = lines[i].split(',');
  cells[3] = `"${FORMULA_NAME.replaceAll('"', '""')}"`;
  lines[i] = cells.join(',');
  await writeFile(rosterPath, lines.join('\n'));
  return { dir, person: flag.person_id };
}

/** The day the month is published (China Standard Time), pinned: a Thursday, due + 15 days = Friday 2026-12-18. */
const DAY = '2026-12-03';

async function runTiny(dir: string, options: { rowsPerRead?: number } = {}) {
  return withSession({ dataDir: dir, command: 'test' }, async (s) => {
    await importEntries(s.w, s.state, join(dir, 'whitelist.csv'), s.config.config, 'test');
    return runMonth(s, '2026-10', { today: DAY, ...options });
  });
}

type ObligorKey = { county_code: string; household_id: string; supported_id: string; obligor_id: string; reason: string };
const obligorKey = (await readFile(join(TINY, 'answer-key/obligor-pending.jsonl'), 'utf8'))
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as ObligorKey);

const manifestOf = async (dir: string) => JSON.parse(await readFile(join(dir, 'out/2026-10/manifest.json'), 'utf8')) as { outputs: { path: string; sha256: string }[] };

let a: { dir: string; person: string };
beforeAll(async () => {
  a = await preparedDataDir();
  await runTiny(a.dir);
});

describe('publishing a month', () => {
  it('writes one workbook per county, each holding exactly its county’s issued flags and households', async () => {
    const w = await Warehouse.open(join(a.dir, 'hedui.duckdb'));
    try {
      const manifest = await manifestOf(a.dir);
      expect(manifest.outputs.filter((o) => o.path.endsWith('核对疑点.xlsx'))).toHaveLength(COUNTIES.length);
      for (const county of COUNTIES) {
        const path = join(a.dir, 'out/2026-10', countyWorkbookPath('2026-10', county));
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile(path);
        const rowsOf = (sheet: string, from: number, cols: number[]) => {
          const out: string[][] = [];
          wb.getWorksheet(sheet)!.eachRow((row, n) => n >= from && out.push(cols.map((c) => String(row.getCell(c).value ?? ''))));
          return out.sort();
        };
        const details = rowsOf('疑点明细', 2, [2, 3, 4, 8]);
        const flags = await w.rows<{ flag_id: string; household_id: string; person_id: string; rule_id: string }>(
          't',
          "select flag_id, household_id, person_id, rule_id from flags where period = '2026-10' and status = 'issued' and county_code = $c",
          { c: county.code },
        );
        expect(details, county.code).toEqual(flags.map((f) => [f.flag_id, f.household_id, f.person_id, f.rule_id]).sort());
        const households = rowsOf('疑点家庭', 2, [2]).map((r) => r[0]);
        expect(households, county.code).toEqual([...new Set(flags.map((f) => f.household_id))].sort());
        const hiddenIds = rowsOf('疑点家庭', 2, [19]).flatMap((r) => r[0].split(','));
        expect(hiddenIds.sort(), county.code).toEqual(flags.map((f) => f.flag_id).sort());
        const pending = rowsOf('待补授权', 3, [2]).map((r) => r[0]);
        const expectedPending = await w.rows<{ household_id: string }>('t', "select household_id from pending_authorization where period = '2026-10' and county_code = $c order by 1", { c: county.code });
        expect(pending, county.code).toEqual(expectedPending.map((p) => p.household_id));
        // 待补义务人授权: the answer key's obligors of the county's households, in order, by their shown ID
        const O = OBLIGOR_PENDING.col;
        const obligors: string[][] = [];
        wb.getWorksheet(SHEET.obligorPending)!.eachRow((row, n) => n > OBLIGOR_PENDING.headerRow && obligors.push([O.householdId, O.supportedId, O.shownId, O.reason].map((c) => String(row.getCell(c).value))));
        const expectedObligors = obligorKey.filter((o) => o.county_code === county.code);
        expect(obligors.map(([h, s, , r]) => [h, s, r]), county.code).toEqual(expectedObligors.map((o) => [o.household_id, o.supported_id, OBLIGOR_REASON_TEXT[o.reason]]));
        // the full ID, or masked (an obligor of another or an unknown county)
        obligors.forEach(([, , shown], i) => {
          const id = expectedObligors[i].obligor_id;
          expect([id, `${id.slice(0, 6)}********${id.slice(-4)}`], county.code).toContain(shown);
        });
        // a roster household's id starts with its county's code in the sample; a payee on no roster's names the paying county
        for (const h of households) expect(h.replace(/^PAY-/, '').startsWith(county.code), `${county.code} holds ${h}`).toBe(true);
      }
    } finally {
      w.close();
    }
  });

  it('keeps a name that begins with "=" as text, never a formula', async () => {
    const county = a.person.slice(0, 6);
    const c = COUNTIES.find((x) => x.code === county)!;
    const path = join(a.dir, 'out/2026-10', countyWorkbookPath('2026-10', c));
    const xml = [...(await readZipText(path)).entries()].filter(([name]) => name.includes('worksheets/')).map(([, x]) => x).join('');
    expect(xml).toContain('=HYPERLINK(&quot;http://example.invalid&quot;,&quot;点我&quot;)');
    expect(xml).not.toMatch(/<f>/);
  });

  it('gives byte-identical files on a re-run of the month (on a later day: the dates are kept) and in another data folder, read in other batches', async () => {
    const first = await readFile(join(a.dir, 'out/2026-10/manifest.json'));
    const firstTarget = await readlink(join(a.dir, 'out/2026-10'));
    await withSession({ dataDir: a.dir, command: 'test' }, (s) => runMonth(s, '2026-10', { today: '2026-12-08' }));
    expect(await readlink(join(a.dir, 'out/2026-10'))).not.toBe(firstTarget);
    expect(await readFile(join(a.dir, 'out/2026-10/manifest.json'))).toEqual(first);

    // read county by county (a budget of one row): the same bytes as the whole province at once
    const b = await preparedDataDir();
    await runTiny(b.dir, { rowsPerRead: 1 });
    expect(await readFile(join(b.dir, 'out/2026-10/manifest.json'))).toEqual(first);
    for (const o of (await manifestOf(b.dir)).outputs) {
      const { createHash } = await import('node:crypto');
      expect(createHash('sha256').update(await readFile(join(b.dir, 'out/2026-10', o.path))).digest('hex'), o.path).toBe(o.sha256);
    }
    // three runs of the month: 10 s quiet, past 60 s once on a machine at load 8
  }, 180_000);
});

/** 说明's value beside a label, and a table sheet's column as text dates. */
async function datesOf(path: string): Promise<{ readme: Record<string, string>; households: string[][]; details: string[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v ?? ''));
  const readme: Record<string, string> = {};
  wb.getWorksheet('说明')!.eachRow((r) => void (readme[String(r.getCell(1).value)] = day(r.getCell(2).value)));
  const table = (sheet: string, cols: number[]) => {
    const out: string[][] = [];
    wb.getWorksheet(sheet)!.eachRow((r, n) => n > 1 && out.push(cols.map((c) => day(r.getCell(c).value))));
    return out;
  };
  return {
    readme,
    households: table('疑点家庭', [HOUSEHOLDS.col.householdId, HOUSEHOLDS.col.issuedOn, HOUSEHOLDS.col.dueOn]),
    details: table('疑点明细', [DETAILS.col.flagId, DETAILS.col.issuedOn, DETAILS.col.dueOn]),
  };
}

describe('countyBatches', () => {
  it('cuts the counties, in order, into batches within the row budget; a county above it stands alone', () => {
    const rows = new Map([
      ['a', 10],
      ['b', 15],
      ['c', 30],
      ['d', 5],
      ['f', 20],
    ]);
    // e has no rows: it joins whichever batch it falls in
    expect(countyBatches(['a', 'b', 'c', 'd', 'e', 'f'], rows, 25)).toEqual([['a', 'b'], ['c'], ['d', 'e', 'f']]);
    expect(countyBatches(['a', 'b', 'c'], rows, 1)).toEqual([['a'], ['b'], ['c']]);
    expect(countyBatches(['a', 'b', 'c', 'd', 'e', 'f'], rows, 1000)).toEqual([['a', 'b', 'c', 'd', 'e', 'f']]);
    expect(countyBatches([], rows, 25)).toEqual([]);
  });
});

describe('issue and due dates', () => {
  it('a flag is dated by the day it first reached its county; a later publication dates only its new flags, 说明 shows its own day and the earliest due date', async () => {
    const w = await Warehouse.open(join(a.dir, 'hedui.duckdb'));
    let county: (typeof COUNTIES)[number];
    let revived: string;
    try {
      // a county with issued flags and a flag the whitelist suppresses: revoking the entry issues it on the later day
      const pick = await w.one<{ county_code: string; flag_id: string; entry: string }>(
        't',
        `select s.county_code, s.flag_id, s.whitelist_entry as entry from flags s
         where s.period = '2026-10' and s.status = 'suppressed'
           and exists (select 1 from flags i where i.period = '2026-10' and i.status = 'issued' and i.county_code = s.county_code)
         order by s.county_code, s.flag_id limit 1`,
      );
      county = COUNTIES.find((c) => c.code === pick!.county_code)!;
      revived = pick!.flag_id;
      const state = openState(a.dir);
      await revokeEntry(w, state, pick!.entry, 'test', 'test');
      state.close();
      // every issued flag so far reached its county on DAY
      expect(await w.rows('t', "select distinct strftime(issued_on, '%Y-%m-%d') as issued, strftime(due_on, '%Y-%m-%d') as due from flags where period = '2026-10' and status = 'issued'")).toEqual([
        { issued: DAY, due: '2026-12-18' },
      ]);
    } finally {
      w.close();
    }
    const path = join(a.dir, 'out/2026-10', countyWorkbookPath('2026-10', county));
    const before = await datesOf(path);
    expect(before.readme['下发日期']).toBe(DAY);
    expect(before.readme['反馈截止日期']).toBe('2026-12-18');
    expect(new Set(before.details.map((d) => `${d[1]} ${d[2]}`))).toEqual(new Set([`${DAY} 2026-12-18`]));

    // published again a week later with one new flag (Thursday 2026-12-10: due Friday 2026-12-25)
    await withSession({ dataDir: a.dir, command: 'test' }, (s) => runMonth(s, '2026-10', { today: '2026-12-10' }));
    const after = await datesOf(path);
    expect(after.details.filter((d) => d[0] === revived)).toEqual([[revived, '2026-12-10', '2026-12-25']]);
    expect(after.details.filter((d) => d[0] !== revived).every((d) => d[1] === DAY && d[2] === '2026-12-18')).toBe(true);
    expect(after.details.length).toBe(before.details.length + 1);
    expect(after.readme['下发日期']).toBe('2026-12-10');
    expect(after.readme['反馈截止日期']).toBe('2026-12-18'); // the earliest due date of its open flags
    const manifest = JSON.parse(await readFile(join(a.dir, 'out/2026-10/manifest.json'), 'utf8')) as { issued_on: string; due_on: string };
    expect(manifest).toMatchObject({ issued_on: '2026-12-10', due_on: '2026-12-25' });
    // a household's row shows the earliest dates of its flags: only a household whose one flag is the new one shows the later day
    const onlyNew = after.households.filter(([, issued]) => issued !== DAY);
    expect(onlyNew.every(([, issued, due]) => issued === '2026-12-10' && due === '2026-12-25')).toBe(true);
    expect(after.households.filter(([, issued, due]) => issued === DAY && due !== '2026-12-18')).toEqual([]);
  });
});

describe('待补义务人授权', () => {
  const ROSTER = ['户编号', '户主身份证号', '身份证号', '姓名', '与户主关系', '是否保障对象', '保障类别', '区划代码', '保障人数', '月保障金', '保障起始日期', '核对授权书签署日期', '授权书有效期至', '人户分离', '单人保'];
  const OBLIGORS = ['被赡养人户编号', '被赡养人身份证号', '义务人身份证号', '义务人姓名', '关系', '义务人家庭人口数', '义务人户籍区划', '授权书签署日期', '授权书有效期至'];
  // an authorized household in each of two counties of 呼和浩特市
  const elder = makeId('150102', '19400101', '001');
  const other = makeId('150105', '19420202', '002');
  const roster = csv([
    ROSTER,
    ['1501020001', elder, elder, '王大山', '户主', '是', '城市特困', '150102001', '1', '1200', '2022-01-01', '2025-01-01', '2028-01-01', '否', '否'],
    ['1501050001', other, other, '李秀兰', '户主', '是', '城市特困', '150105001', '1', '1200', '2022-01-01', '2025-01-01', '2028-01-01', '否', '否'],
  ]);
  const son = makeId('150102', '19650303', '013'); // of the household's county, never signed
  const daughter = makeId('150105', '19680808', '024'); // of the other county, expired
  const signed = makeId('620402', '19700707', '035'); // of another province, valid: matched, not listed
  const nephew = makeId('150105', '19700101', '046'); // of the other county's household, valid
  const obligors = csv([
    OBLIGORS,
    ['1501020001', elder, son, '王建国', '儿子', '4', '150102', '', ''],
    ['1501020001', elder, daughter, '王建华', '女儿', '3', '150105', '2024-01-01', '2026-06-30'],
    ['1501020001', elder, signed, '王建军', '儿子', '2', '620402', '2026-01-01', '2029-01-01'],
    ['1501050001', other, nephew, '李明', '儿子', '3', '150105', '2026-01-01', '2029-01-01'],
  ]);
  const county = (code: string) => COUNTIES.find((c) => c.code === code)!;
  const sheetOf = async (dataDir: string, period: string, code: string) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dataDir, 'out', period, countyWorkbookPath(period, county(code))));
    const ws = wb.getWorksheet(SHEET.obligorPending)!;
    const rows: unknown[][] = [];
    ws.eachRow((row, n) => n > OBLIGOR_PENDING.headerRow && rows.push((row.values as unknown[]).slice(1)));
    const readme = new Map<unknown, unknown>();
    wb.getWorksheet(SHEET.readme)!.eachRow((row) => readme.set(row.getCell(1).value, row.getCell(2).value));
    return { first: ws.getCell('A1').value, rows, count: readme.get('待补义务人授权（人）') };
  };

  it('lists an obligor whose authorization is missing or expired in the household’s county only, by the shown ID; a month without obligors says so', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'roster', '2026-09', 'r.csv', roster);
    await putInbox(dataDir, 'roster', '2026-10', 'r.csv', roster);
    await putInbox(dataDir, 'obligors', '2026-10', 'o.csv', obligors);
    await withSession({ dataDir, command: 'test' }, async (s) => {
      await runMonth(s, '2026-09', { today: DAY });
      await runMonth(s, '2026-10', { today: DAY });
    });

    // September has no obligors snapshot: not an empty list that reads as "all authorized"
    expect(await sheetOf(dataDir, '2026-09', '150102')).toEqual({ first: '本月赡抚养义务人数据未到，未核对义务人。', rows: [], count: '赡抚养义务人数据未到' });

    const october = await sheetOf(dataDir, '2026-10', '150102');
    expect(october.first).toBe('以下赡养、抚养、扶养义务人未签署授权书或授权已失效，未对其进行核对。请补签授权书后下月核对。');
    expect(october.count).toBe(2);
    expect(october.rows).toEqual([
      // ordered by obligor ID within the 被赡养人: the son (1501021965…) before the daughter (1501051968…)
      [1, '1501020001', '王大山', elder, '王建国', son, '新城区', '子', undefined, undefined, '未签署授权书'],
      // another county's obligor: masked, their county named, on the household's county's sheet
      [2, '1501020001', '王大山', elder, '王建华', `150105********${daughter.slice(-4)}`, '赛罕区', '女', new Date('2024-01-01T00:00:00Z'), new Date('2026-06-30T00:00:00Z'), '授权书已过期或未填有效期'],
    ]);
    // the daughter's own county lists no one: its household's obligor is authorized
    expect(await sheetOf(dataDir, '2026-10', '150105')).toEqual({ first: '本期无待补授权的赡养、抚养、扶养义务人。', rows: [], count: 0 });
    // and no other county's workbook holds any of them
    for (const c of COUNTIES.filter((x) => !['150102', '150105'].includes(x.code)).slice(0, 3)) {
      expect((await sheetOf(dataDir, '2026-10', c.code)).rows, c.code).toEqual([]);
    }
  });
});
