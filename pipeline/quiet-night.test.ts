/**
 * The nightly run on a night when nothing changed since a night that found nothing new: answered
 * from that night's record without opening the warehouse; and every kind of change that must make
 * the next night a full one.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nightlyCommand } from './quiet-night.ts';
import { withSession, type NightlyReport } from './run.ts';
import { status } from './status.ts';
import { publishedTinyMonth } from './test-support.ts';
import { GateHeldError } from '../base/errors.ts';

const ROOT = new URL('..', import.meta.url).pathname;

/** A night's report and the words of its exit 3 (null when none). */
async function night(dataDir: string, today: string, configPath?: string): Promise<{ report: NightlyReport; problems: string | null }> {
  try {
    return { report: await nightlyCommand({ dataDir, configPath }, { today }), problems: null };
  } catch (e) {
    if (e instanceof GateHeldError) return { report: e.report as NightlyReport, problems: e.message };
    throw e;
  }
}

const quietRuns = async (dir: string) => (await readFile(join(dir, 'nightly-quiet-runs.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
const warehouseStat = async (dir: string) => {
  const s = await stat(join(dir, 'hedui.duckdb'), { bigint: true });
  return `${s.size}:${s.mtimeNs}`;
};

/** The tiny month published, its check requests answered by a first night and a second that found nothing: recorded. */
async function recordedNight(today = '2026-11-30') {
  const dir = await publishedTinyMonth({ today: '2026-11-01' }, 'hedui-quiet-');
  const first = await night(dir, today);
  expect(first.report.requests?.answered.length).toBe(3); // not a quiet night: not recorded
  expect(existsSync(join(dir, 'nightly-quiet.json'))).toBe(false);
  const second = await night(dir, today);
  expect(second.report).toMatchObject({ months: [], load: { files: 0 }, requests: { files: [], answered: [] } });
  expect(existsSync(join(dir, 'nightly-quiet.json'))).toBe(true);
  return { dir, second };
}

describe('a quiet night', () => {
  it('is answered from the record without opening the warehouse; status shows it, and the next command that records a run writes it into the history once', async () => {
    const { dir, second } = await recordedNight();
    const before = await warehouseStat(dir);
    const third = await night(dir, '2026-11-30');
    expect(third).toEqual(second);
    expect(await warehouseStat(dir)).toBe(before); // no session: a session always writes its run and checkpoints
    expect(await quietRuns(dir)).toHaveLength(1);
    await night(dir, '2026-11-30');
    expect(await quietRuns(dir)).toHaveLength(2);

    // a command that only reads shows them (status) and leaves the warehouse as it was
    const shown = await withSession({ dataDir: dir, command: 'status', recordRun: false }, (s) => status(s.w));
    expect(shown.runs.filter((r) => String(r.run_id).endsWith('-quiet')).map((r) => [r.command, r.outcome])).toEqual([
      ['nightly', 'ok'],
      ['nightly', 'ok'],
    ]);
    expect(await warehouseStat(dir)).toBe(before);
    expect(await quietRuns(dir)).toHaveLength(2);
    await night(dir, '2026-11-30'); // still quiet
    expect(await quietRuns(dir)).toHaveLength(3);

    // a command that records a run writes them into runs, once each
    const history = () =>
      withSession({ dataDir: dir, command: 'test' }, (s) =>
        s.w.rows<{ command: string; outcome: string }>('test:quiet-runs', "select command, outcome from runs where run_id like '%-quiet' order by started_at"),
      );
    expect(await history()).toEqual([
      { command: 'nightly', outcome: 'ok' },
      { command: 'nightly', outcome: 'ok' },
      { command: 'nightly', outcome: 'ok' },
    ]);
    expect(await quietRuns(dir)).toEqual([]);
    expect(await history()).toHaveLength(3);

    // a line cut by a crash while it was appended is left out; the commands go on
    await night(dir, '2026-11-30'); // full: the sessions above wrote the warehouse
    await night(dir, '2026-11-30');
    expect(await quietRuns(dir)).toHaveLength(1);
    await appendFile(join(dir, 'nightly-quiet-runs.jsonl'), '{"run_id":"20261130T');
    expect(await history()).toHaveLength(4);
    expect(await quietRuns(dir)).toEqual([]);
  }, 120_000);

  it('is a full night when the record cannot be read', async () => {
    const { dir, second } = await recordedNight();
    await writeFile(join(dir, 'nightly-quiet.json'), '{"key":');
    expect(await night(dir, '2026-11-30')).toEqual(second);
    expect(await quietRuns(dir)).toEqual([]);
    expect(existsSync(join(dir, 'nightly-quiet.json'))).toBe(true); // recorded anew
    await night(dir, '2026-11-30');
    expect(await quietRuns(dir)).toHaveLength(1);
  }, 120_000);

  it('repeats a recorded exit 3 with the same words, until the day moves past another due day', async () => {
    const { dir } = await recordedNight();
    const held = await night(dir, '2026-12-11'); // the day changed what is due: a full night
    expect(held.problems).toMatch(/missing_feed: provident-fund 2026-11 was due on 2026-12-10/);
    expect(await quietRuns(dir)).toEqual([]);
    expect(await night(dir, '2026-12-12')).toEqual(held); // same periods due: from the record
    expect((await quietRuns(dir)).map((l) => JSON.parse(l).outcome)).toEqual(['held']);
    // 2027-01-01: December has ended and new periods are due
    const later = await night(dir, '2027-01-11');
    expect(later.problems).toMatch(/provident-fund 2026-12 was due on 2027-01-10/);
    expect(await quietRuns(dir)).toEqual([]); // a full night: it wrote the quiet one into the history
  }, 120_000);

  it('is a full night after any change: a file in the inbox, a command that wrote the warehouse, another configuration', async () => {
    const { dir } = await recordedNight();
    // a department's file arrives (here a business delivery with no rows: loaded, and rejected)
    await mkdir(join(dir, 'inbox/business/2026-11'), { recursive: true });
    await writeFile(join(dir, 'inbox/business/2026-11/市场主体_2026-11.csv'), '统一社会信用代码,企业名称,法定代表人身份证号,登记状态\n');
    const delivered = await night(dir, '2026-11-30');
    expect(delivered.report.load.files).toBe(1);
    expect(await quietRuns(dir)).toEqual([]);
    await night(dir, '2026-11-30'); // recorded again
    await night(dir, '2026-11-30');
    expect(await quietRuns(dir)).toHaveLength(1);

    // another command writes the warehouse (and writes the quiet night into the history)
    await withSession({ dataDir: dir, command: 'test' }, async () => undefined);
    await night(dir, '2026-11-30');
    expect(await quietRuns(dir)).toEqual([]);
    await night(dir, '2026-11-30');
    expect(await quietRuns(dir)).toHaveLength(1);

    // another configuration
    const cfg = join(dir, 'config.json');
    await writeFile(cfg, await readFile(join(ROOT, 'config/inner-mongolia.json'), 'utf8') + '\n');
    await night(dir, '2026-11-30', cfg);
    expect(await quietRuns(dir)).toEqual([]);
    await night(dir, '2026-11-30', cfg);
    expect(await quietRuns(dir)).toHaveLength(1);
  }, 180_000);

  it('is never recorded while a check request is open, nor when files are pulled from sources', async () => {
    // on 2026-11-05 the sample requests (received 2026-11-06) are read but not yet answered
    const dir = await publishedTinyMonth({ today: '2026-11-01' }, 'hedui-quiet-');
    await night(dir, '2026-11-05');
    const second = await night(dir, '2026-11-05');
    expect(second.report).toMatchObject({ months: [], load: { files: 0 }, requests: { files: [], answered: [] } });
    expect(existsSync(join(dir, 'nightly-quiet.json'))).toBe(false);

    const cfg = join(dir, 'config.json');
    const shipped = JSON.parse(await readFile(join(ROOT, 'config/inner-mongolia.json'), 'utf8'));
    await mkdir(join(dir, 'exchange'));
    await writeFile(cfg, JSON.stringify({ ...shipped, sources: { vehicles: { type: 'folder', path: join(dir, 'exchange') } } }));
    await night(dir, '2026-11-30', cfg);
    await night(dir, '2026-11-30', cfg);
    expect(existsSync(join(dir, 'nightly-quiet.json'))).toBe(false);
  }, 120_000);
});
