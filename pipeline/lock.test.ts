/**
 * The data folder's lock against a live holder: a child process whose pid is written into the lock
 * file as a run would write it. Waiting outlasts the holder; a shorter wait, or none, names it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, type LockInfo } from './lock.ts';
import { LockHeldError } from '../base/errors.ts';
import { startLogging } from '../base/log.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill();
});

/** A data folder whose lock a live child process holds (it lives 3 s unless killed). */
async function heldFolder(): Promise<{ dir: string; holder: ChildProcess; exited: Promise<unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hedui-lock-'));
  const holder = spawn(process.execPath, ['-e', 'setTimeout(()=>{},3000)'], { stdio: 'ignore' });
  children.push(holder);
  const exited = new Promise((r) => holder.on('exit', r));
  const info: LockInfo = { pid: holder.pid!, command: 'nightly', started_at: new Date().toISOString() };
  await writeFile(join(dir, 'hedui.lock'), JSON.stringify(info));
  return { dir, holder, exited };
}

/** The holder's process is gone but its lock file stays: what a killed run leaves behind. */
const killLeavingTheFile = (holder: ChildProcess) => setTimeout(() => holder.kill('SIGKILL'), 1000);

describe('acquireLock with a live holder', () => {
  it('waits for it: taken once the holder has exited (waitMs 5000, holder killed after ~1 s), logging the wait once', async () => {
    const { dir, holder, exited } = await heldFolder();
    startLogging(dir, 'info');
    killLeavingTheFile(holder);
    const started = Date.now();
    const release = await acquireLock(dir, 'nightly', { waitMs: 5000 });
    const waited = Date.now() - started;
    await exited;
    expect(waited).toBeGreaterThanOrEqual(900); // it waited for the holder (taking the lock within waitMs is the success itself)
    expect((JSON.parse(await readFile(join(dir, 'hedui.lock'), 'utf8')) as LockInfo).pid).toBe(process.pid);
    await release();
    expect(existsSync(join(dir, 'hedui.lock'))).toBe(false);
    const log = (await readFile(join(dir, 'logs', `hedui-${new Date().toISOString().slice(0, 10)}.log`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.filter((l) => l.msg === "waiting for the data folder's lock")).toEqual([expect.objectContaining({ holder_pid: holder.pid, holder_command: 'nightly', held_since: expect.any(String), wait_ms: 5000 })]);
    expect(log.find((l) => l.msg === "took the data folder's lock after waiting")).toMatchObject({ waited_ms: expect.any(Number) });
  });

  it('gives up when the wait is over (waitMs 500), naming the holder', async () => {
    const { dir, holder } = await heldFolder();
    const started = Date.now();
    const error = await acquireLock(dir, 'nightly', { waitMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toMatch(new RegExp(`another run holds the data folder: pid ${holder.pid} \\(nightly\\), started \\d{4}-.*; waited \\d+ s`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(450); // it did wait (a bound below, never a speed above)
  });

  it('refuses at once without a wait (waitMs 0, and by default)', async () => {
    const { dir, holder } = await heldFolder();
    for (const options of [{ waitMs: 0 }, undefined]) {
      const error = await acquireLock(dir, 'run', options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockHeldError);
      expect((error as Error).message).toBe(`another run holds the data folder: pid ${holder.pid} (nightly), started ${JSON.parse(await readFile(join(dir, 'hedui.lock'), 'utf8')).started_at}`);
      // the exact message, without '; waited N s': it did not wait
    }
  });

  it('still takes over a stale lock at once (its pid no longer alive)', async () => {
    const { dir, holder, exited } = await heldFolder();
    holder.kill('SIGKILL');
    await exited;
    const release = await acquireLock(dir, 'run'); // without a wait: it can only succeed by taking the stale lock over
    await release();
  });
});
