/**
 * The one logger. JSON lines (pino) to data/logs/ and, on a terminal, one readable line per event.
 * Log lines carry counts, file names, line numbers, step names and durations — never an ID number,
 * a name or an address (DESIGN.md, the law, 7). Callers pass structured fields, not row values.
 */
import pino, { type Logger } from 'pino';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type { Logger };

let current: Logger = pino({ level: process.env.HEDUI_LOG_LEVEL ?? 'silent' });

export function logger(): Logger {
  return current;
}

/** Log to `<dataDir>/logs/hedui-YYYY-MM-DD.log` (JSON) and, when stderr is a terminal, pretty lines there. */
export function startLogging(dataDir: string, level = process.env.HEDUI_LOG_LEVEL ?? 'info'): Logger {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const day = new Date().toISOString().slice(0, 10);
  const streams: pino.StreamEntry[] = [{ level: level as pino.Level, stream: pino.destination({ dest: join(dir, `hedui-${day}.log`), sync: true, mkdir: true }) }];
  if (process.stderr.isTTY) streams.push({ level: level as pino.Level, stream: terminalStream() });
  current = pino({ level, base: { pid: process.pid } }, pino.multistream(streams));
  return current;
}

/** One short line per event for a person at a terminal: time, message, then the fields. */
function terminalStream(): { write(line: string): void } {
  return {
    write(line: string) {
      const { time, msg, level: _l, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
      process.stderr.write(`${new Date(Number(time)).toISOString().slice(11, 19)} ${String(msg)} ${fields}\n`);
    },
  };
}
