/**
 * A frozen copy of the code under test. Others change adapters/ and pipeline/ in this checkout
 * while the benchmark runs (it runs for minutes): without a copy, run 1 and run 3 could measure
 * different code, or a half-saved file. The copy is the working tree as it is at the start (every
 * file git tracks or would track, uncommitted changes included) in bench/cache/code/, with
 * node_modules linked and compiled to dist/ (scripts/build.mjs); the hedui commands run from there.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface CodeSnapshot {
  dir: string;
  commit: string;
  dirty: string[];
  files: number;
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', args, { cwd: repo, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 }).toString();
}

export function describeCode(repo: string): { commit: string; dirty: string[] } {
  try {
    const commit = git(repo, ['rev-parse', '--short=12', 'HEAD']).trim();
    const dirty = git(repo, ['status', '--porcelain', '--untracked-files=no'])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    return { commit, dirty };
  } catch {
    return { commit: '(no git)', dirty: [] };
  }
}

export async function snapshotCode(repo: string, dest: string): Promise<CodeSnapshot> {
  const { commit, dirty } = describeCode(repo);
  const files = git(repo, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    .split('\0')
    .filter((f) => f && !f.startsWith('bench/') && !f.startsWith('fixtures/tiny/'));
  await rm(dest, { recursive: true, force: true });
  let copied = 0;
  for (const f of files) {
    await mkdir(dirname(join(dest, f)), { recursive: true });
    try {
      await copyFile(join(repo, f), join(dest, f));
      copied++;
    } catch {
      // tracked but deleted in the working tree
    }
  }
  await symlink(join(repo, 'node_modules'), join(dest, 'node_modules'));
  // compiled, as `make setup` leaves an installation: bin/hedui.js runs dist/
  execFileSync(process.execPath, [join(dest, 'scripts/build.mjs')], { cwd: dest, stdio: ['ignore', 'ignore', 'inherit'] });
  return { dir: dest, commit, dirty, files: copied };
}
