// Worker bootstrap for workbook-pool.ts (tinypool). Workers start as plain Node, so TypeScript support is
// registered here (tsx) before the worker's .ts module loads. This works whether the parent runs
// under `node --import tsx` (registering twice is harmless) or vitest (which does not use tsx).
import { register } from 'tsx/esm/api';

register();
// tinypool calls the default export once per task
export default (await import('./county-workbook.worker.ts')).default;
