/**
 * One run at a time per data folder. The lock is a file created exclusively (O_EXCL) holding the
 * holder's pid, command and start time; a second run exits at once naming them. A lock whose pid
 * is no longer alive (a killed run) is stale and taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LockHeldError } from '../base/errors.ts';
import { logger } from '../base/log.ts';

export interface LockInfo {
  pid: number;
  command: string;
  started_at: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireLock(dataDir: string, command: string): Promise<() => Promise<void>> {
  const path = join(dataDir, 'hedui.lock');
  const mine: LockInfo = { pid: process.pid, command, started_at: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(JSON.stringify(mine));
      await fh.close();
      return async () => {
        const held = await readFile(path, 'utf8').catch(() => '');
        if (held && (JSON.parse(held) as LockInfo).pid === process.pid) await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: LockInfo | undefined;
    try {
      holder = JSON.parse(await readFile(path, 'utf8')) as LockInfo;
    } catch {
      holder = undefined; // half-written by a run killed at that instant: stale
    }
    if (holder && holder.pid !== process.pid && alive(holder.pid)) {
      throw new LockHeldError(`another run holds the data folder: pid ${holder.pid} (${holder.command}), started ${holder.started_at}`);
    }
    logger().warn({ stale_pid: holder?.pid ?? null }, 'taking over a stale lock');
    await rm(path, { force: true });
  }
  throw new LockHeldError('could not take the lock of the data folder');
}
