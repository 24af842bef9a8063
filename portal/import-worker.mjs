// Child-process bootstrap for imports.ts: the child starts as plain Node, so TypeScript support is
// registered here (tsx) before the worker's .ts module loads (as county-workbook.worker.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./import-worker.ts');
