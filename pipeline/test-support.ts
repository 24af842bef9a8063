/**
 * Built data shared by test files within one `vitest run`: the tiny fixtures published for
 * 2026-10 (~5 s and 108 workbooks each time) are built once per variant, by the first test file
 * that asks, and every test file gets its own copy of them (0.1–0.5 s) to change as it likes.
 *
 * A copy is the same data folder the test would have built for itself: same inputs, same options,
 * same code. Only what a run stamps with the clock differs (the run history's times), as between
 * two builds anyway. A variant is shared only by test files that built exactly that before; one
 * that differs in any input (the whitelist imported first, another publication day) is another
 * variant, built once too.
 */
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { runMonth, withSession } from './run.ts';
import { importEntries } from './whitelist.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** a folder for data built once per test run and copied by the test files (vitest.global-setup.ts) */
    builtDataRoot: string;
  }
}

const TINY = new URL('../fixtures/tiny/', import.meta.url).pathname;

/**
 * The built folder `name`, made by `build` into an empty folder by the first caller in this test
 * run; the others (in any worker) wait for it. Without the run's folder (vitest started with
 * another config) each caller builds its own.
 *
 * A folder is taken for building with mkdir (atomic across processes) and appears under its
 * name only when complete (rename), so a reader never sees half a build. A build that fails
 * gives the lock back: the next caller tries again and fails the same way, in its own test.
 */
export async function builtOnce(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const root = inject('builtDataRoot');
  if (!root) {
    const dir = await mkdtemp(join(tmpdir(), `hedui-${name}-`));
    await build(dir);
    return dir;
  }
  const done = join(root, name);
  const lock = `${done}.lock`;
  for (;;) {
    if (existsSync(done)) return done;
    try {
      await mkdir(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      await new Promise((r) => setTimeout(r, 100)); // another file is building it
      continue;
    }
    try {
      if (existsSync(done)) return done; // finished between the check and the lock
      const building = await mkdtemp(`${done}.building-`);
      await build(building);
      await rename(building, done);
      return done;
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/**
 * A copy of a built data folder in a new temp folder, for one test file to change.
 * verbatimSymlinks: `out/<period>` is a relative symlink to its release; fs.cp would otherwise
 * make it absolute, pointing into the shared build, and a re-run in the copy would publish there.
 */
export async function copyOf(built: string, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await cp(built, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

export interface TinyMonth {
  /** the day it is published (China Standard Time), as `hedui run --today` */
  today: string;
  /** import the fixtures' whitelist.csv before the run */
  whitelist?: boolean;
}

/**
 * The tiny fixtures (fixtures/tiny) in a new temp data folder, with 2026-10 run and published as
 * `hedui run --period 2026-10 --today <today>` does it (the run history records a 'run' of
 * 2026-10), after importing the fixtures' whitelist when asked.
 */
export async function publishedTinyMonth(o: TinyMonth, prefix = 'hedui-tiny-'): Promise<string> {
  const built = await builtOnce(`tiny-2026-10-${o.today}${o.whitelist ? '-whitelist' : ''}`, async (dir) => {
    await cp(TINY, dir, { recursive: true });
    await withSession({ dataDir: dir, command: 'run', period: '2026-10' }, async (s) => {
      if (o.whitelist) await importEntries(s.w, s.state, join(dir, 'whitelist.csv'), s.config.config, 'test');
      await runMonth(s, '2026-10', { today: o.today });
    });
  });
  return copyOf(built, prefix);
}
