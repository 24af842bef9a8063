import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { withWarehouse, type Warehouse } from '../warehouse.ts';
import { listInbox, loadInbox, type LoadReport } from './inbox.ts';
import { parseControlFile, type ControlFile } from './control.ts';
import { csv, makeDataDir, makeId, putInbox } from './test-support.ts';

const SHA = 'a'.repeat(40) + '0123456789abcdef01234567';
const MD5 = '0123456789abcdef0123456789ABCDEF';

const formats: { description: string; given: string | Buffer; expect: ControlFile }[] = [
  { description: 'key=value lines', given: `count=10000\nsha256=${SHA}\nmd5=${MD5}\n`, expect: { count: 10000, sha256: SHA, md5: MD5.toLowerCase() } },
  { description: 'key: value lines, CRLF, other keys ignored', given: `file: 公积金_2026-10.csv\r\ndate: 20261101\r\nRecords: 10000\r\n`, expect: { count: 10000 } },
  { description: 'Chinese keys with a full-width colon, in GBK', given: iconv.encode('文件名：公积金_2026-10.csv\n记录数：10000条\n', 'gbk'), expect: { count: 10000 } },
  { description: 'a count with thousands separators', given: 'total_records = 10,000\n', expect: { count: 10000 } },
  { description: 'a bare count', given: '10000\n', expect: { count: 10000 } },
  { description: 'bare tokens separated by |', given: `公积金_2026-10.csv|10000|${MD5}\n`, expect: { count: 10000, md5: MD5.toLowerCase() } },
  { description: 'a BSD digest line and a rows key', given: `SHA256 (公积金_2026-10.csv) = ${SHA}\nrows: 7\n`, expect: { count: 7, sha256: SHA } },
  { description: 'an unknown key holding a digest', given: `校验码=${SHA}\n条数=3\n`, expect: { count: 3, sha256: SHA } },
  { description: 'a UTF-8 BOM', given: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('行数=12\n')]), expect: { count: 12 } },
  // no count: the caller rejects the data file
  { description: 'sha256sum output alone (no count)', given: `${SHA}  公积金_2026-10.csv\n`, expect: { sha256: SHA } },
  { description: 'several unnamed numbers (which is the count is not guessed)', given: '公积金_2026-10.csv 10000 20261101\n', expect: { ambiguous: true } },
  { description: 'an empty file', given: '', expect: {} },
];

describe('control file format', () => {
  for (const f of formats) {
    it(f.description, () => {
      expect(parseControlFile(Buffer.isBuffer(f.given) ? f.given : Buffer.from(f.given))).toEqual(f.expect);
    });
  }
});

const HEADER = ['证件类型', '证件号码', '姓名', '单位名称', '个人缴存基数', '月缴存额', '个人账户状态', '最近缴存年月', '账户余额'];
const account = (i: number) => ['身份证', makeId('150102', '19800101', String(100 + i * 2).padStart(3, '0')), '某某', `某单位${i}`, '3000', '720', '正常', '2026-10', '1000'];
const DATA = csv([HEADER, ...Array.from({ length: 20 }, (_, i) => account(i))]);
const NAME = '公积金_2026-10.csv';
const FILE = `inbox/provident-fund/2026-10/${NAME}`;
const digest = (algorithm: string, s: string | Buffer) => createHash(algorithm).update(s).digest('hex');

const load = (w: Warehouse, dataDir: string): Promise<LoadReport> => loadInbox(w, dataDir, { maxQuarantineShare: 0.1 });
const staged = async (w: Warehouse) => (await w.one<{ n: number }>('t', 'select count(*)::int as n from stg_provident_fund'))!.n;

const deliveries: { description: string; data?: string; control: [string, string | Buffer]; status: 'staged' | 'rejected'; reason?: RegExp }[] = [
  { description: 'the right count, sha256 and md5', control: [`${NAME}.ok`, `count=20\nsha256=${digest('sha256', DATA)}\nmd5=${digest('md5', DATA)}\n`], status: 'staged' },
  { description: 'the right count in a .chk, in GBK', control: [`${NAME}.chk`, iconv.encode('记录数：20\n', 'gbk')], status: 'staged' },
  { description: 'the right count as a bare token, uppercase suffix', control: [`${NAME}.OK`, `${NAME}|20\n`], status: 'staged' },
  {
    description: 'a wrong count',
    control: [`${NAME}.ok`, 'records=21\n'],
    status: 'rejected',
    reason: /^记录数 20 与控制文件 公积金_2026-10\.csv\.ok 的 21 不符，文件可能不完整 \(record count 20 differs from the control file's 21: truncated delivery\)$/,
  },
  { description: 'a wrong sha256', control: [`${NAME}.ok`, `count=20\nsha256=${digest('sha256', 'other')}\n`], status: 'rejected', reason: /SHA-256 校验值与控制文件 公积金_2026-10\.csv\.ok 不符.*\(sha256 differs from the control file/ },
  { description: 'a wrong md5', control: [`${NAME}.ok`, `20 ${digest('md5', 'other')}\n`], status: 'rejected', reason: /MD5 校验值与控制文件.*\(md5 differs from the control file/ },
  {
    description: 'a file cut after a whole row, with its original control file',
    data: DATA.split('\n').slice(0, -3).join('\n') + '\n', // the last two rows gone, whole
    control: [`${NAME}.ok`, 'count=20\n'],
    status: 'rejected',
    reason: /^记录数 18 与控制文件 .* 的 20 不符，文件可能不完整 .*truncated delivery/,
  },
  { description: 'a control file without a count', control: [`${NAME}.ok`, `sha256=${digest('sha256', DATA)}\n`], status: 'rejected', reason: /^控制文件 公积金_2026-10\.csv\.ok 无法读取：未给出记录数 \(control file unreadable: no record count\)$/ },
];

describe('loading a file with its control file', () => {
  for (const d of deliveries) {
    it(`${d.status === 'staged' ? 'stages' : 'rejects'} a file with ${d.description}`, async () => {
      const dataDir = await makeDataDir();
      await putInbox(dataDir, 'provident-fund', '2026-10', NAME, d.data ?? DATA);
      await putInbox(dataDir, 'provident-fund', '2026-10', d.control[0], d.control[1]);
      await withWarehouse(async (w) => {
        const report = await load(w, dataDir);
        expect(report.loaded).toHaveLength(1); // the control file is no data file
        expect(report.loaded[0]).toMatchObject({ file: FILE, status: d.status, rowsStaged: d.status === 'staged' ? 20 : 0 });
        if (d.reason) expect(report.loaded[0].reason).toMatch(d.reason);
        expect(await staged(w)).toBe(d.status === 'staged' ? 20 : 0);
        expect(await w.one('t', 'select count(*)::int as n from quarantine')).toEqual({ n: 0 });
        expect(await load(w, dataDir)).toEqual({ loaded: [], superseded: [], skipped: 1 }); // nothing changed: nothing to do
      }, dataDir);
    });
  }

  it('checks a file again when its control file arrives or changes after it was loaded', async () => {
    const dataDir = await makeDataDir();
    const rows = Array.from({ length: 20 }, (_, i) => account(i));
    rows[9][6] = '异常X'; // one row quarantined, on line 11
    await putInbox(dataDir, 'provident-fund', '2026-10', NAME, csv([HEADER, ...rows]));
    const quarantined = async (w: Warehouse) =>
      w.one('q', "select count(*)::int as rows, count(*) filter (where l.status <> 'superseded')::int as current from quarantine q join loads l using (load_id)");
    await withWarehouse(async (w) => {
      expect((await load(w, dataDir)).loaded).toMatchObject([{ status: 'staged', rowsStaged: 19, rowsQuarantined: 1 }]);
      // the exchange platform writes the control file late, and it says the file is incomplete
      const control = await putInbox(dataDir, 'provident-fund', '2026-10', `${NAME}.ok`, 'count=25\n');
      const late = await load(w, dataDir);
      expect(late.superseded).toEqual([FILE]);
      expect(late.loaded).toMatchObject([{ file: FILE, status: 'rejected', rowsRead: 20 }]);
      expect(late.loaded[0].reason).toMatch(/的 25 不符/);
      expect(await staged(w)).toBe(0);
      // corrected control file: the same data file is checked and staged again
      await writeFile(control, 'count=20\n');
      expect((await load(w, dataDir)).loaded).toMatchObject([{ file: FILE, status: 'staged', rowsStaged: 19 }]);
      expect(await staged(w)).toBe(19);
      // the control file removed: the file is checked as one without (its first load again) and stays staged
      await rm(control);
      expect((await load(w, dataDir)).loaded).toMatchObject([{ file: FILE, status: 'staged', rowsStaged: 19 }]);
      // its quarantine row once, not again beside the one of its first loading
      expect(await quarantined(w)).toEqual({ rows: 2, current: 1 });
      expect(await w.rows('t', 'select status, count(*)::int as n from loads group by status order by status')).toEqual([
        { status: 'staged', n: 1 },
        { status: 'superseded', n: 2 },
      ]);
    }, dataDir);
  });

  it('ignores a control file whose data file is not there', async () => {
    const dataDir = await makeDataDir();
    await putInbox(dataDir, 'provident-fund', '2026-10', `${NAME}.ok`, 'count=20\n');
    await putInbox(dataDir, 'provident-fund', '2026-10', 'other.csv', DATA);
    const [folder] = await listInbox(dataDir);
    expect(folder.files.map((f) => f.slice(dataDir.length + 1))).toEqual(['inbox/provident-fund/2026-10/other.csv']);
    expect(folder.controls.size).toBe(0);
    await withWarehouse(async (w) => {
      expect((await load(w, dataDir)).loaded).toMatchObject([{ file: 'inbox/provident-fund/2026-10/other.csv', status: 'staged' }]);
    }, dataDir);
  });
});
