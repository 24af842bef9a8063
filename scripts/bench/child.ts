/**
 * Runs one hedui command as a child process under GNU time (`/usr/bin/time -v`), with debug
 * logging, and collects its wall time, peak RSS ("Maximum resident set size") and the log lines
 * it appended to `<data-dir>/logs/`.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const TIME_BIN = '/usr/bin/time';

export interface LogLine {
  time: number;
  msg: string;
  level: number;
  step?: string;
  ms?: number;
  rows?: number;
  [k: string]: unknown;
}

export interface ChildResult {
  label: string;
  exitCode: number | null;
  /** seconds, measured by the bench around the spawn */
  seconds: number;
  /** epoch ms when the child was spawned */
  spawnedAt: number;
  endedAt: number;
  /** bytes; from GNU time's "Maximum resident set size"; null when not available */
  peakRss: number | null;
  rssSource: string;
  log: LogLine[];
  stdoutPath: string;
  stderrPath: string;
  stderrTail: string;
}

async function logSizes(logDir: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const name of await readdir(logDir).catch(() => [] as string[])) sizes.set(name, (await stat(join(logDir, name))).size);
  return sizes;
}

async function newLogLines(logDir: string, before: Map<string, number>): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (const name of (await readdir(logDir).catch(() => [] as string[])).sort()) {
    const buf = await readFile(join(logDir, name));
    const text = buf.subarray(before.get(name) ?? 0).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // a torn line: ignore
      }
    }
  }
  return lines.sort((a, b) => a.time - b.time);
}

export async function runHedui(opts: { label: string; repoDir: string; dataDir: string; args: string[]; outDir: string; env?: Record<string, string> }): Promise<ChildResult> {
  const logDir = join(opts.dataDir, 'logs');
  const before = await logSizes(logDir);
  const stdoutPath = join(opts.outDir, `${opts.label}.stdout`);
  const stderrPath = join(opts.outDir, `${opts.label}.stderr`);
  const timePath = join(opts.outDir, `${opts.label}.time`);
  const useTime = existsSync(TIME_BIN);
  const node = process.execPath;
  const heduiArgs = ['bin/hedui.js', ...opts.args, '--data-dir', opts.dataDir];
  const [cmd, args] = useTime ? [TIME_BIN, ['-v', '-o', timePath, node, ...heduiArgs]] : [node, heduiArgs];
  const out = openSync(stdoutPath, 'w');
  const err = openSync(stderrPath, 'w');
  const spawnedAt = Date.now();
  const t0 = performance.now();
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.repoDir,
      env: { ...process.env, ...opts.env, HEDUI_LOG_LEVEL: 'debug' },
      stdio: ['ignore', out, err],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  const seconds = (performance.now() - t0) / 1000;
  const endedAt = Date.now();
  closeSync(out);
  closeSync(err);
  let peakRss: number | null = null;
  let rssSource = 'unavailable (no /usr/bin/time)';
  if (useTime) {
    const text = await readFile(timePath, 'utf8').catch(() => '');
    const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(text)?.[1];
    if (kb) {
      peakRss = Number(kb) * 1024;
      rssSource = '/usr/bin/time -v';
    }
  }
  const stderr = await readFile(stderrPath, 'utf8').catch(() => '');
  return {
    label: opts.label,
    exitCode,
    seconds,
    spawnedAt,
    endedAt,
    peakRss,
    rssSource,
    log: await newLogLines(logDir, before),
    stdoutPath,
    stderrPath,
    stderrTail: stderr.split('\n').filter((l) => !l.startsWith('\t') && !/^Command being timed/.test(l)).slice(-6).join('\n'),
  };
}
