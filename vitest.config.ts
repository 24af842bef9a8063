import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // Two files at a time on the 2-core machine: vitest's default there is one, and most tests wait
    // on child processes (the CLI, LibreOffice, Chromium) or DuckDB's own threads
    // (docs/measured-choices.md).
    maxWorkers: 2,
    // The two worker processes run file after file without a new process and module graph for each:
    // ~1 s of CPU per file saved (docs/measured-choices.md). What a module keeps from one file to the
    // next is caches keyed by what they hold (shape tables by their SQL, a period index by its file)
    // and, after a test that starts logging, where the log goes; each file makes its own data folders.
    isolate: false,
    // a folder for data built once per run and copied by the test files that need it (pipeline/test-support.ts)
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
