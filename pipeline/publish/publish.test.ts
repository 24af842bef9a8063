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
import { importEntries } from '../whitelist.ts';
import { Warehouse } from '../warehouse.ts';
import { COUNTIES } from '../../domain/divisions.ts';
import { readZipText } from './test-zip.ts';
import { countyWorkbookPath } from './workbook-contract.ts';

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

async function runTiny(dir: string) {
  return withSession({ dataDir: dir, command: 'test' }, async (s) => {
    await importEntries(s.w, join(dir, 'whitelist.csv'), s.config.config, 'test');
    return runMonth(s, '2026-10');
  });
}

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
        for (const h of households) expect(h.startsWith(county.code), `${county.code} holds ${h}`).toBe(true);
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

  it('gives byte-identical files on a re-run of the month and in another data folder', async () => {
    const first = await readFile(join(a.dir, 'out/2026-10/manifest.json'));
    const firstTarget = await readlink(join(a.dir, 'out/2026-10'));
    await withSession({ dataDir: a.dir, command: 'test' }, (s) => runMonth(s, '2026-10'));
    expect(await readlink(join(a.dir, 'out/2026-10'))).not.toBe(firstTarget);
    expect(await readFile(join(a.dir, 'out/2026-10/manifest.json'))).toEqual(first);

    const b = await preparedDataDir();
    await runTiny(b.dir);
    expect(await readFile(join(b.dir, 'out/2026-10/manifest.json'))).toEqual(first);
    for (const o of (await manifestOf(b.dir)).outputs) {
      const { createHash } = await import('node:crypto');
      expect(createHash('sha256').update(await readFile(join(b.dir, 'out/2026-10', o.path))).digest('hex'), o.path).toBe(o.sha256);
    }
  });
});
