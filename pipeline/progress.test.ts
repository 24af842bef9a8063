import { describe, expect, it } from 'vitest';
import { progress } from './progress.ts';

const fakeStream = (isTTY: boolean) => {
  const written: string[] = [];
  return { stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
};

describe('progress', () => {
  it('draws on a terminal', () => {
    const { stream, written } = fakeStream(true);
    const p = progress('workbooks', 4, stream);
    for (let i = 1; i <= 4; i++) p.tick(i);
    p.end();
    expect(written.at(-2)).toMatch(/^\rworkbooks \[#{30}\] 4\/4$/);
  });
  it('writes nothing when stderr is not a terminal (cron)', () => {
    const { stream, written } = fakeStream(false);
    const p = progress('workbooks', 4, stream);
    p.tick(2);
    p.end();
    expect(written).toEqual([]);
  });
});
