import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { withWarehouse } from './warehouse.ts';
import { openState } from './state.ts';
import { auditReport, verifyAudit } from './audit.ts';
import { addEntry, exportEntries, importEntries, listEntries, personKey, revokeEntry } from './whitelist.ts';
import { loadConfig } from '../config/config.ts';
import { csv, makeDataDir, makeId } from './load/test-support.ts';

const { config } = loadConfig();
const person = makeId('150102', '19800101', '011');

describe('whitelist', () => {
  it('adds an entry with the default 12-month expiry, lists it by a hashed key, revokes it, audits every change without the ID', async () => {
    await withWarehouse(async (w) => {
      const state = openState(w.dataDir!);
      const { entryId, added } = await addEntry(w, { state }, { personId: person.toLowerCase(), scope: 'vehicle-owned', recordKey: '蒙A12345', reason: '车辆已过户，数据源未更新', addedBy: '新城区民政局', validFrom: '2026-10-01' }, config);
      expect(added).toBe(true);
      expect((await addEntry(w, { state }, { personId: person, scope: 'vehicle-owned', recordKey: '蒙A12345', reason: 'again', addedBy: 'x', validFrom: '2026-10-01' }, config)).added).toBe(false);
      expect(await listEntries(w, '2026-11-01')).toEqual([
        expect.objectContaining({ entry_id: entryId, person_key: personKey(person), valid_until: '2027-10-01', state: 'active' }),
      ]);
      expect((await listEntries(w, '2027-10-02'))[0].state).toBe('expired');
      await revokeEntry(w, state, entryId, '区民政局', 'entered by mistake');
      expect((await listEntries(w, '2026-11-01'))[0].state).toBe('revoked');
      await expect(revokeEntry(w, state, entryId, 'x', 'y')).rejects.toThrow(/already revoked/);
      const audit = auditReport(state);
      expect(audit.map((a) => a.action)).toEqual(['whitelist.add', 'whitelist.revoke']);
      expect(JSON.stringify(audit)).not.toContain(person);
      expect(verifyAudit(state)).toMatchObject({ ok: true, rows: 2 });
    });
  });

  it('refuses an entry with a bad ID, an unknown scope or an expiry before its start, without echoing the ID', async () => {
    await withWarehouse(async (w) => {
      const state = openState(w.dataDir!);
      const base = { personId: person, scope: 'vehicle-owned', reason: 'r', addedBy: 'b', validFrom: '2026-10-01' };
      await expect(addEntry(w, { state }, { ...base, personId: '150102********0011' }, config)).rejects.toThrow(/^身份证号 is not a valid ID number \(masked\)$/);
      await expect(addEntry(w, { state }, { ...base, scope: 'cars' }, config)).rejects.toThrow(/规则编号 must be a rule id or a feed/);
      await expect(addEntry(w, { state }, { ...base, validUntil: '2026-01-01' }, config)).rejects.toThrow(/before 生效日期/);
    });
  });

  it('imports a CSV, reporting bad rows by line; re-import is a no-op; export round-trips', async () => {
    const dir = await makeDataDir();
    const file = join(dir, 'wl.csv');
    await writeFile(
      file,
      csv([
        ['身份证号', '规则编号', '记录', '证据指纹', '原因', '登记人', '生效日期', '失效日期'],
        [person, 'vehicle-owned', '蒙A12345', '', '数据源错误', '新城区', '2026/10/1', '2027-09-30'],
        ['1.50102E+17', 'vehicle-owned', '', '', '数据源错误', '新城区', '2026-10-01', ''],
        [person, 'business', '', '', '数据源错误', '新城区', '2026-10-01', ''],
      ]),
    );
    await withWarehouse(async (w) => {
      const state = openState(w.dataDir!);
      expect(await importEntries(w, state, file, config, 'operator')).toEqual({ file: 'wl.csv', rows: 3, added: 2, unchanged: 0, rejected: [{ line: 3, reason: '身份证号 is not a valid ID number (scientific)' }] });
      expect((await importEntries(w, state, file, config, 'operator')).unchanged).toBe(2);
      const out = join(dir, 'out.xlsx');
      expect(await exportEntries(w, state, out, 'operator')).toBe(2);
      await withWarehouse(async (w2) => {
        const state2 = openState(w2.dataDir!);
        expect((await importEntries(w2, state2, out, config, 'operator')).added).toBe(2);
        expect((await listEntries(w2, '2026-11-01')).map((e) => e.entry_id)).toEqual((await listEntries(w, '2026-11-01')).map((e) => e.entry_id));
      });
    });
  });
});
