#!/usr/bin/env node
// The installed entry point. First of all, owner-only file modes (umask 077): the data folder and
// everything created in it (warehouse, logs, workbooks, the lock) holds or names personal data, and
// ESM imports run before any line of the module that imports them, so it is set here, before
// loading anything. Then it registers tsx so the TypeScript sources run as they are (no build step),
// and hands over to the commander program.
process.umask(0o077);
const { register } = await import('tsx/esm/api');
register();
await import('../cli/main.ts');
