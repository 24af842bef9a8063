// The build: the TypeScript sources compiled once to dist/ (TypeScript 7's compiler, ~1 s of CPU),
// with what the compiled code reads beside itself copied along: SQL files, the shipped
// configuration and package.json (the version). bin/hedui.js runs dist/; tests and scripts keep
// running the sources. A build that fails leaves the previous dist/ in place.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const next = join(root, 'dist.next');
rmSync(next, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript-7/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', next], { stdio: 'inherit' });

const ASSETS = /\.(sql|json)$/;
function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (ASSETS.test(entry.name)) {
      const to = join(next, relative(root, path));
      mkdirSync(dirname(to), { recursive: true });
      cpSync(path, to);
    }
  }
}
for (const folder of ['adapters', 'config', 'pipeline', 'rules']) copyAssets(join(root, folder));
cpSync(join(root, 'package.json'), join(next, 'package.json'));
writeFileSync(join(next, 'BUILT'), 'compiled from the sources beside this folder by scripts/build.mjs; rebuilt by make setup and npm test\n');
rmSync(join(root, 'dist'), { recursive: true, force: true });
renameSync(next, join(root, 'dist'));
