/**
 * One run at a time per data folder. The lock is a file created exclusively (O_EXCL) holding the
 * holder's pid, command and start time. A lock whose pid is no longer alive (a killed run) is stale
 * and taken over. A lock held by a live process is either refused at once, naming the holder (the
 * default: an operator at a terminal wants to know now), or — with `waitMs` — waited for by polling
 * the file, because the nightly run must not give up for an hour-long manual run or an import the
 * portal is doing; it gives up only when the wait is over, naming the holder the same way.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockHeldError } from '../base/errors.ts';
import { logger } from '../base/log.ts';

export interface LockInfo {
  pid: number;
  command: string;
  started_at: string;
}

export interface LockOptions {
  /** how long to wait for a live holder to let go, in milliseconds; 0 (the default) refuses at once */
  waitMs?: number;
}

/**
 * How often a waiting run looks at the lock again. A second is nothing against a wait of minutes,
 * and a stat and a read of a 100-byte file once a second cost nothing either.
 */
const POLL_MS = 1000;

/** Stale locks taken over in a row before giving up: another process keeps re-creating one. */
const MAX_TAKEOVERS = 3;

/** Whether a process with this pid is running (EPERM: it is, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const describeHolder = (h: LockInfo) => `pid ${h.pid} (${h.command}), started ${h.started_at}`;

export async function acquireLock(dataDir: string, command: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const waitMs = Math.max(0, options.waitMs ?? 0);
  const path = join(dataDir, 'hedui.lock');
  const mine: LockInfo = { pid: process.pid, command, started_at: new Date().toISOString() };
  const began = Date.now();
  let waited = false;
  let takeovers = 0;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(JSON.stringify(mine));
      await fh.close();
      if (waited) logger().info({ waited_ms: Date.now() - began }, "took the data folder's lock after waiting");
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
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // let go between our open and our read: try again
      holder = undefined; // half-written by a run killed at that instant: stale
    }
    if (holder && holder.pid !== process.pid && processAlive(holder.pid)) {
      const elapsed = Date.now() - began;
      if (elapsed >= waitMs) {
        const after = waited ? `; waited ${Math.round(elapsed / 1000)} s for it` : '';
        throw new LockHeldError(`another run holds the data folder: ${describeHolder(holder)}${after}`);
      }
      if (!waited) {
        // once: the holder as it was when the wait began (a pid, a command name and a time, nothing personal)
        logger().info({ holder_pid: holder.pid, holder_command: holder.command, held_since: holder.started_at, wait_ms: waitMs }, "waiting for the data folder's lock");
        waited = true;
      }
      await sleep(Math.min(POLL_MS, waitMs - elapsed));
      continue;
    }
    if (++takeovers > MAX_TAKEOVERS) throw new LockHeldError('could not take the lock of the data folder');
    logger().warn({ stale_pid: holder?.pid ?? null }, 'taking over a stale lock');
    await rm(path, { force: true });
  }
}
