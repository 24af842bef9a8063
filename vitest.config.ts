import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // Two files at a time on the 2-core machine: vitest's default there is one, and most tests wait
    // on child processes (the CLI, LibreOffice, Chromium) or DuckDB's own threads
    // (docs/measured-choices.md).
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
