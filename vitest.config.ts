import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // Two files at a time on the 2-core machine: vitest's default there is one, and most tests wait
    // on child processes (the CLI, LibreOffice, Chromium) or DuckDB's own threads
    // (docs/measured-choices.md).
    maxWorkers: 2,
    // Each test file in a fresh module graph (vitest's default `isolate`). `isolate: false` saved
    // ~24 s of CPU but let module state leak from file to file: the tiny-fixtures check then failed
    // in one CI run (a fresh generation differed), depending on which files a worker had run before.

    // a folder for data built once per run and copied by the test files that need it (pipeline/test-support.ts)
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
