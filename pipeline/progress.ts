/**
 * A progress line for a person at a terminal: one line rewritten in place. Nothing at all when
 * stderr is not a terminal (cron, CI, pipes), so logs and mails stay clean.
 */
export interface Progress {
  tick(done: number): void;
  end(): void;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total === 0) return { tick: () => undefined, end: () => undefined };
  const width = 30;
  let last = -1;
  const draw = (done: number) => {
    const filled = Math.round((done / total) * width);
    if (filled === last && done !== total) return;
    last = filled;
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  };
  draw(0);
  return { tick: draw, end: () => stream.write('\n') };
}
