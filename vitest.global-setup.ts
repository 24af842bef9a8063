/**
 * Once per `vitest run`, before any test file: a folder for data that several test files would
 * otherwise each build from scratch (pipeline/test-support.ts `builtOnce`: the tiny month published
 * for 2026-10, ~5 s and 108 workbooks each time). Nothing is built here, so no worker waits on this
 * file: the first test file that needs a build makes it while the other worker runs other files,
 * and the files after it copy the result. The folder is removed when the run ends, so every run
 * builds from the sources it tests (docs/measured-choices.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'hedui-test-built-'));
  project.provide('builtDataRoot', root);
  return () => rm(root, { recursive: true, force: true });
}
