import { describe, expect, it, vi } from 'vitest';
import ExcelJS from 'exceljs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { pinZipTimestamps } from './zip-timestamps.ts';

async function writeSample(path: string): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false });
  wb.created = wb.modified = new Date(Date.UTC(2026, 10, 1));
  const ws = wb.addWorksheet('a');
  ws.addRow(['姓名', 1]).commit();
  await wb.commit();
}

describe('pinZipTimestamps', () => {
  it('makes two workbooks written at different times byte-identical, and still readable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hedui-zip-'));
    const a = join(dir, 'a.xlsx');
    const b = join(dir, 'b.xlsx');
    await writeSample(a);
    // an hour later by the clock the zip reads (DOS time has 2 s resolution), without waiting for it
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 3600_000);
      await writeSample(b);
    } finally {
      vi.useRealTimers();
    }
    const hash = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');
    expect(await hash(a)).not.toBe(await hash(b)); // the writer took the later time
    const when = new Date(Date.UTC(2026, 10, 1));
    await pinZipTimestamps(a, when);
    await pinZipTimestamps(b, when);
    expect(await hash(a)).toBe(await hash(b));
    const back = new ExcelJS.Workbook();
    await back.xlsx.readFile(a);
    expect(back.getWorksheet('a')!.getRow(1).getCell(1).value).toBe('姓名');
  });

  it('refuses a file that is not a zip', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hedui-zip-'));
    const p = join(dir, 'x.xlsx');
    await (await import('node:fs/promises')).writeFile(p, 'not a zip at all, just text');
    await expect(pinZipTimestamps(p, new Date())).rejects.toThrow(/not a zip/);
  });
});
