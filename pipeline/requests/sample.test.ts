import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../rules/index.ts';
import { publishedTinyMonth } from '../test-support.ts';
import { withSession } from '../run.ts';
import { runRequests } from './run.ts';
import { requestStatuses } from './status.ts';
import type { RequestExpectation } from '../../fixtures/generate/requests.ts';

const KEY = new URL('../../fixtures/tiny/answer-key/requests.json', import.meta.url);

/** The findings a report lists: (rule, person, whitelisted), from its 核对报告 sheet. */
async function reportFindings(path: string): Promise<RequestExpectation['findings']> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const findings: RequestExpectation['findings'] = [];
  wb.getWorksheet('核对报告')!.eachRow((row) => {
    const [title = '', result = '', , , personId = ''] = Array.from((row.values as ExcelJS.CellValue[]).slice(1), (v) => (v == null ? '' : String(v)));
    if (result !== '发现疑点' && !result.startsWith('已列入白名单')) return;
    findings.push({ rule: RULES.find((r) => r.title === title)!.id, person_id: personId, whitelisted: result !== '发现疑点' });
  });
  return findings.sort((a, b) => a.rule.localeCompare(b.rule) || a.person_id.localeCompare(b.person_id));
}

describe('the sample check requests (fixtures/tiny)', () => {
  it('are answered as the answer key says: reports with its findings, the unauthorized family refused, nothing about it written', async () => {
    const expected = JSON.parse(readFileSync(KEY, 'utf8')) as RequestExpectation[];
    expect(expected.map((e) => e.status)).toEqual(['answered', 'answered', 'refused', 'answered']);
    const dataDir = await publishedTinyMonth({ today: '2026-11-01' }); // the month the portal tests use: one build for all
    const report = await withSession({ dataDir, command: 'requests run' }, (s) => runRequests(s.w, s.dataDir, { config: s.config.config, state: s.state, actor: 'test', today: '2026-11-20' }));
    expect(report.files.map((f) => [f.status, f.open, f.refused])).toEqual([['read', 3, 1]]);
    for (const e of expected) {
      const path = join(dataDir, 'out', 'requests', e.county_code, e.request_no, `核对报告_${e.request_no}.xlsx`);
      expect(existsSync(path), e.request_no).toBe(e.status === 'answered');
      if (e.status === 'answered') expect(await reportFindings(path), e.request_no).toEqual(e.findings);
    }
    const statuses = await withSession({ dataDir, command: 'requests status' }, (s) => requestStatuses(s.w, '2026-11-20'));
    expect(statuses.map((r) => [r.requestNo, r.state, r.dueOn])).toEqual(expected.map((e) => [e.request_no, e.status === 'answered' ? 'answered' : 'refused', '2026-11-20']));
    // the portal's index names requests by county and number, and a refusal by row and reason only
    const index = readFileSync(join(dataDir, 'out', 'requests', 'index.json'), 'utf8');
    expect(index).not.toMatch(/\d{17}[\dX]/);
    expect(JSON.parse(index).requests.find((r: { state: string }) => r.state === 'refused').refusal).toMatch(/^第\d+行 成员未签署核对授权书/);
  });
});
