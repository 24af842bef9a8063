import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // Two files at a time on the 2-core machine: vitest's default there is one, and most tests wait
    // on child processes (the CLI, LibreOffice, Chromium) or DuckDB's own threads. The whole suite:
    // 7 min 55 s with one worker, 5 min 11 s with two (2026-12-03, quiet machine).
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
