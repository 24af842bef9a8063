import { describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../config/config.ts';
import { withWarehouse } from '../warehouse.ts';
import { openState } from '../state.ts';
import { auditReport } from '../audit.ts';
import { csv, makeDataDir, makeId } from '../load/test-support.ts';
import { takeRequests } from './intake.ts';

const HEADER = ['委托编号', '委托单位', '委托日期', '核对类型', '申请类别', '户编号', '身份证号', '姓名', '与申请人关系', '授权书签署日期'];
const a = makeId('150102', '19800101', '001');
const b = makeId('150102', '19820202', '002');
const c = makeId('150102', '20100303', '003');
const row = (no: string, id: string, relation: string, signed = '2026-11-20', over: Record<number, string> = {}) => {
  const r = [no, '150102', '2026-11-25', '新申请', '城市低保', '', id, '王某', relation, signed];
  for (const [i, v] of Object.entries(over)) r[Number(i)] = v;
  return r;
};

async function putRequests(dataDir: string, day: string, name: string, rows: string[][], county?: string) {
  const dir = join(dataDir, 'inbox', 'requests', day, ...(county ? [county] : []));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), '\uFEFF' + csv([HEADER, ...rows]));
}

const config = loadConfig().config;

describe('check request intake', () => {
  it('records whole requests open, refuses one with a member who has not signed, reads a file once', async () => {
    const dataDir = await makeDataDir();
    await putRequests(dataDir, '2026-11-26', '委托.csv', [
      row('WT-001', a, '本人'),
      row('WT-001', b, '配偶'),
      row('WT-001', c, '子女'),
      row('WT-002', b, '本人', ''), // not signed: the request is refused, nothing matched
      row('WT-002', c, '子女'),
      row('WT-003', a, '本人', '2026-11-26'), // signed after 委托日期
      row('WT/../x', a, '本人'), // a path in 委托编号: no request it could belong to
      row('WT-004', a, '子女'), // no applicant
      row('WT-005', a, '本人', '2026-11-20', { 3: '复核', 4: '' }),
      row('WT-006', a, '本人', '2026-11-20', { 2: '2026-11-27' }), // dated after the day it arrived
    ]);
    await withWarehouse(async (w) => {
      const state = openState(dataDir);
      const outcomes = await takeRequests(w, dataDir, { config, state, actor: 'test' });
      expect(outcomes).toEqual([{ file: 'inbox/requests/2026-11-26/委托.csv', status: 'read', rowsRead: 10, open: 2, refused: 4 }]);
      const requests = await w.rows('t', "select request_no, status, refusal, kind, program, members, strftime(due_on, '%Y-%m-%d') as due_on from check_requests order by request_no");
      expect(requests).toEqual([
        { request_no: 'WT-001', status: 'open', refusal: null, kind: '新申请', program: '城市低保', members: 3, due_on: '2026-12-10' },
        { request_no: 'WT-002', status: 'refused', refusal: '第5行 成员未签署核对授权书 (missing_authorization)：授权书签署日期', kind: '新申请', program: '城市低保', members: 2, due_on: '2026-12-10' },
        { request_no: 'WT-003', status: 'refused', refusal: '第7行 授权书签署日期晚于委托日期 (authorization_after_request)：授权书签署日期', kind: '新申请', program: '城市低保', members: 1, due_on: '2026-12-10' },
        { request_no: 'WT-004', status: 'refused', refusal: '委托没有“本人”（申请人）一行，或不止一行 (no_applicant)：与申请人关系', kind: '新申请', program: '城市低保', members: 1, due_on: '2026-12-10' },
        // 新城区 is a 区: a blank 申请类别 is 城市低保
        { request_no: 'WT-005', status: 'open', refusal: null, kind: '复核', program: '城市低保', members: 1, due_on: '2026-12-10' },
        { request_no: 'WT-006', status: 'refused', refusal: '委托日期晚于收件日期 (requested_after_receipt)：委托日期', kind: '新申请', program: '城市低保', members: 1, due_on: '2026-12-14' },
      ]);
      expect(await w.one('t', "select count(*)::integer as n, count(request_key)::integer as keyed, count(problem)::integer as problems from check_request_rows")).toEqual({ n: 10, keyed: 9, problems: 5 });
      expect(await takeRequests(w, dataDir, { config, state, actor: 'test' })).toEqual([]);
      expect(auditReport(state).map((r) => [r.action, r.subject, r.detail])).toEqual([['requests.receive', 'inbox/requests/2026-11-26/委托.csv', '10 rows, 2 open, 4 refused']]);
      state.close();
    }, dataDir);
  });

  it("refuses a county folder's file naming another county, and a request already answered", async () => {
    const dataDir = await makeDataDir();
    await putRequests(dataDir, '2026-11-26', 'a.csv', [row('WT-9', a, '本人')], '150203');
    await withWarehouse(async (w) => {
      const state = openState(dataDir);
      await takeRequests(w, dataDir, { config, state, actor: 'test' });
      expect(await w.one('t', 'select status, refusal from check_requests')).toEqual({ status: 'refused', refusal: '委托单位与上传账号或收件目录的旗县不符 (county_folder)：委托单位' });
      await putRequests(dataDir, '2026-11-27', 'b.csv', [row('WT-9', a, '本人')], '150102');
      await takeRequests(w, dataDir, { config, state, actor: 'test' });
      await w.exec('t', "update check_requests set status = 'answered' where status = 'open'");
      await putRequests(dataDir, '2026-11-28', 'c.csv', [row('WT-9', b, '本人')], '150102');
      await takeRequests(w, dataDir, { config, state, actor: 'test' });
      expect(await w.rows('t', 'select county_code, status, refusal, file from check_requests order by file')).toEqual([
        // refused where it was put: 150203 sees its upload refused, 150102 is not shown a request it never sent
        { county_code: '150203', status: 'refused', refusal: '委托单位与上传账号或收件目录的旗县不符 (county_folder)：委托单位', file: 'inbox/requests/2026-11-26/150203/a.csv' },
        { county_code: '150102', status: 'answered', refusal: null, file: 'inbox/requests/2026-11-27/150102/b.csv' },
        { county_code: '150102', status: 'refused', refusal: '该委托编号已出具核对报告；复核请用新的委托编号 (already_answered)：委托编号', file: 'inbox/requests/2026-11-28/150102/c.csv' },
      ]);
      state.close();
    }, dataDir);
  });
});
