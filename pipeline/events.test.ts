import { describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { withWarehouse } from './warehouse.ts';
import { loadConfig } from '../config/config.ts';
import { monthInputs } from './inputs.ts';
import { createSnapshotViews } from './match.ts';
import { parseMonth } from './period.ts';
import { csv, load, makeDataDir, makeId, putInbox } from './load/test-support.ts';

// event feeds (deaths, payments): a month reads every period delivered up to it, not one snapshot
const HEADER = ['公民身份号码', '姓名', '死亡日期', '注销日期', '注销类别', '户籍地区划'];
const deaths = (n: number, month: string, from = 0) =>
  csv([HEADER, ...Array.from({ length: n }, (_, i) => [makeId('150102', '19400101', String(from + i + 1).padStart(3, '0')), '某某', `${month}-05`, `${month}-06`, '死亡', '150102'])]);

describe('event feeds', () => {
  it('a month reads every delivered period up to its end; a re-delivered period replaces its events; no drift gate', async () => {
    const dataDir = await makeDataDir();
    const { config } = loadConfig();
    await putInbox(dataDir, 'deaths', '2026-08', 'd.csv', deaths(2, '2026-08'));
    await putInbox(dataDir, 'deaths', '2026-09', 'd.csv', deaths(3, '2026-09', 10));
    // ten times September's count: a snapshot feed would be held by the drift gate
    await putInbox(dataDir, 'deaths', '2026-10', 'd.csv', deaths(30, '2026-10', 20));
    await putInbox(dataDir, 'deaths', '2026-11', 'd.csv', deaths(1, '2026-11', 60));
    await withWarehouse(async (w) => {
      await load(w, dataDir);
      // (no roster here: only what the month holds of deaths matters)
      const read = async (period: string) => {
        const month = parseMonth(period);
        const inputs = await monthInputs(w, month, config);
        await createSnapshotViews(w, inputs.snapshots, month);
        const n = await w.one<{ n: number }>('t', 'select count(*)::integer as n from snap_deaths');
        const snapshot = inputs.snapshots.find((s) => s.feed.id === 'deaths')!;
        return { period: snapshot.period, rows: snapshot.rows, read: n!.n, loads: snapshot.loadIds.split(',').length, held: inputs.held.map((h) => h.gate).filter((g) => g !== 'missing_roster') };
      };
      expect(await read('2026-09')).toEqual({ period: '2026-09', rows: 5, read: 5, loads: 2, held: [] });
      expect(await read('2026-10')).toEqual({ period: '2026-10', rows: 35, read: 35, loads: 3, held: [] });

      // September re-delivered with one record: it replaces September's three
      await rm(join(dataDir, 'inbox/deaths/2026-09/d.csv'));
      await putInbox(dataDir, 'deaths', '2026-09', 'd2.csv', deaths(1, '2026-09', 10));
      await load(w, dataDir);
      expect(await read('2026-10')).toEqual({ period: '2026-10', rows: 33, read: 33, loads: 3, held: [] });
    }, dataDir);
  });
});
