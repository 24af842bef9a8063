#!/usr/bin/env node
// The installed entry point: registers tsx so the TypeScript sources run as they are (no build step),
// then hands over to the commander program.
import { register } from 'tsx/esm/api';
register();
await import('../cli/main.ts');
