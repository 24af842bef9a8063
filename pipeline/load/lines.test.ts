import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { recordLineShifts } from './lines.ts';

const dir = await mkdtemp(join(tmpdir(), 'hedui-lines-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function shiftsOf(content: string | Buffer) {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(path, content);
  return recordLineShifts(path);
}

describe('recordLineShifts: where records start when DuckDB numbers them', () => {
  it('gives nothing when every record is one line', async () => {
    expect(await shiftsOf('a,b\n1,x\n2,y\n')).toEqual([]);
    expect(await shiftsOf('a,b\n1,x\n2,y')).toEqual([]); // no final line feed
    expect(await shiftsOf('\uFEFFa,b\r\n1,x\r\n2,y\r\n')).toEqual([]);
    expect(await shiftsOf('a,b\n1,"say ""hi"", then go"\n2,y\n')).toEqual([]); // escaped quotes
    expect(await shiftsOf('a,b\n1,x\n2,y\n\n\n')).toEqual([]); // empty lines at the end
  });

  it('shifts the records after an empty line', async () => {
    // records: 1,x on line 2; 2,y on line 4; 3,z on line 5
    expect(await shiftsOf('a,b\n1,x\n\n2,y\n3,z\n')).toEqual([{ fromRecord: 1, delta: 1 }]);
    expect(await shiftsOf('a,b\r\n1,x\r\n\r\n2,y\r\n')).toEqual([{ fromRecord: 1, delta: 1 }]);
  });

  it('shifts the records after a value holding line breaks', async () => {
    // 1 on line 2 (spans 2–4), 2 on line 5, empty line 6, 3 on line 7
    expect(await shiftsOf('a,b\n1,"one\ntwo\nthree"\n2,y\n\n3,z\n')).toEqual([
      { fromRecord: 1, delta: 2 },
      { fromRecord: 2, delta: 3 },
    ]);
  });

  it('reads GB18030 bytes as they are delivered', async () => {
    const gbk = iconv.encode('身份证明名称,所有人\nA,"王\n芳"\nA,李娜\n', 'gb18030');
    expect(await shiftsOf(gbk)).toEqual([{ fromRecord: 1, delta: 1 }]);
  });
});
