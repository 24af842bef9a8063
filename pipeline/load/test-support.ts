/** Helpers for data-shaped adapter tests: valid IDs, a data folder with inbox files, a load. */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idCheckChar } from '../../domain/id-number.ts';
import { loadInbox, type LoadReport } from './inbox.ts';
import type { Warehouse } from '../warehouse.ts';

/** A valid 18-digit ID from its parts. */
export function makeId(county: string, birth: string, sequence: string): string {
  const first17 = county + birth + sequence;
  return first17 + idCheckChar(first17);
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'hedui-data-'));
}

export async function putInbox(dataDir: string, feed: string, period: string, name: string, content: string | Buffer): Promise<string> {
  const dir = join(dataDir, 'inbox', feed, period);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

export function csv(rows: (string | number)[][]): string {
  return rows.map((r) => r.map((v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v))).join(',')).join('\n') + '\n';
}

export function load(w: Warehouse, dataDir: string, maxQuarantineShare = 1): Promise<LoadReport> {
  return loadInbox(w, dataDir, { maxQuarantineShare });
}
