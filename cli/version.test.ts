/** `hedui --version` and `--help` from the compiled program (dist/, built by npm test and make setup) and from the sources. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const BIN = new URL('../bin/hedui.js', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const hedui = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('hedui --version and --help', () => {
  for (const [how, env] of [
    ['compiled', {}],
    ['from the sources', { HEDUI_FROM_SOURCE: '1' }],
  ] as const) {
    it(`prints the package version and the commands (${how})`, () => {
      const v = hedui(['--version'], env);
      expect(v.status).toBe(0);
      expect(v.stdout).toBe(`${VERSION}\n`);
      const h = hedui(['--help'], env);
      expect(h.status).toBe(0);
      for (const command of ['run', 'nightly', 'status', 'whitelist', 'feedback', 'kpi', 'serve', 'accounts', 'audit']) expect(h.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    });
  }
});
