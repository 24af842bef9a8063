#!/usr/bin/env node
// The installed entry point. First of all, owner-only file modes (umask 077): the data folder and
// everything created in it (warehouse, logs, workbooks, the lock) holds or names personal data, and
// ESM imports run before any line of the module that imports them, so it is set here, before
// loading anything. Then it runs the compiled program (dist/, built by `make setup`, `npm run build`
// and `npm test`); without a build, or with HEDUI_FROM_SOURCE=1, the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

process.umask(0o077);
const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (process.env.HEDUI_FROM_SOURCE !== '1' && existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
