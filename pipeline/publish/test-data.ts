import type { SummaryData } from './summary-workbook.ts';
import { WORKBOOK_SCHEMA_VERSION, type CountyWorkbookData, type CountyWorkbookMeta } from './workbook-data.ts';

/**
 * Hand-built county workbook data for the tests and the benchmark of this folder.
 * Every name and ID here is invented (IDs carry a valid GB 11643 check digit so they look
 * like the real thing, but the sequence numbers are synthetic).
 */

export const DISPOSITIONS = ['情况属实，已按规定处理', '情况属实，符合保障条件', '情况不属实（数据来源错误）', '正在核实'];

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** A made-up 18-digit ID with a correct check digit. */
export function fakeId(region: string, birth: string, seq: number): string {
  const body = `${region}${birth}${String(seq % 1000).padStart(3, '0')}`;
  const sum = [...body].reduce((s, d, i) => s + Number(d) * WEIGHTS[i], 0);
  return body + CHECK[sum % 11];
}

/** An ID whose check digit is X (searches the sequence numbers for one). */
export function fakeIdEndingInX(region: string, birth: string): string {
  for (let seq = 0; ; seq++) {
    const id = fakeId(region, birth, seq);
    if (id.endsWith('X')) return id;
  }
}

export function meta(overrides: Partial<CountyWorkbookMeta> = {}): CountyWorkbookMeta {
  return {
    schemaVersion: WORKBOOK_SCHEMA_VERSION,
    period: '2026-10',
    countyCode: '150102',
    countyName: '新城区',
    leagueCode: '150100',
    leagueName: '呼和浩特市',
    issuedOn: '2026-11-03',
    dueOn: '2026-11-18',
    deadlineDays: 15,
    snapshots: [
      { feed: 'roster', feedTitle: '在保名册', period: '2026-10', ageMonths: 0, stale: false },
      { feed: 'provident-fund', feedTitle: '住房公积金', period: '2026-09', ageMonths: 1, stale: false },
      { feed: 'vehicles', feedTitle: '机动车登记', period: '2026Q1', ageMonths: 7, stale: true },
    ],
    counts: { households: 0, flags: 0, suppressed: 0, pendingAuthorization: 0, unpaid: 0, obligorPending: 0, recheck: 0 },
    dispositions: DISPOSITIONS,
    ledgerArrived: false,
    obligorsArrived: false,
    ...overrides,
  };
}

/** Three households with the tricky values the writer must keep as text. */
export function sampleCountyData(): CountyWorkbookData {
  const idX = fakeIdEndingInX('150102', '19800101');
  const id2 = fakeId('150102', '19751231', 12);
  const id3 = fakeId('150102', '19900615', 34);
  const households: CountyWorkbookData['households'] = [
    {
      householdId: '1501020001',
      headName: '=HYPERLINK("x")',
      headId: idX,
      program: '城市低保',
      householdSize: 3,
      monthlyAmount: '1234.50',
      rules: '名下有机动车；市场主体任职',
      severity: 'high',
      firstIssuedPeriod: '2026-09',
      issuedOn: '2026-10-03',
      dueOn: '2026-10-18',
      daysOverdue: 12,
      registeredElsewhere: true,
      flagIds: ['f-0001', 'f-0002'],
    },
    {
      householdId: '1501020002',
      headName: '+1',
      headId: id2,
      program: '农村特困',
      householdSize: 1,
      monthlyAmount: '0.05',
      rules: '公积金缴存',
      severity: 'medium',
      firstIssuedPeriod: '2026-10',
      issuedOn: '2026-11-03',
      dueOn: '2026-11-18',
      daysOverdue: 0,
      registeredElsewhere: false,
      flagIds: ['f-0003'],
    },
    {
      householdId: '1501020003',
      headName: '@SUM(A1)',
      headId: id3,
      program: '低保边缘',
      householdSize: 2,
      monthlyAmount: '-12',
      rules: '市场主体任职',
      severity: 'low',
      firstIssuedPeriod: '2026-10',
      issuedOn: '2026-11-03',
      dueOn: '2026-11-18',
      daysOverdue: 0,
      registeredElsewhere: false,
      flagIds: ['f-0004'],
    },
  ];
  const detail = (
    flagId: string,
    h: (typeof households)[number],
    personId: string,
    personName: string,
    ruleId: string,
    ruleTitle: string,
    evidence: string,
  ): CountyWorkbookData['details'][number] => ({
    flagId,
    householdId: h.householdId,
    personId,
    personName,
    relation: personId === h.headId ? '本人' : '配偶',
    isCovered: true,
    ruleId,
    ruleTitle,
    severity: h.severity,
    source: ruleId === 'vehicle-owned' ? '机动车登记 2026Q1' : '市场主体登记 2026-10',
    evidence,
    firstIssuedPeriod: h.firstIssuedPeriod,
    issuedOn: h.issuedOn,
    dueOn: h.dueOn,
  });
  const details = [
    detail('f-0001', households[0], idX, '=HYPERLINK("x")', 'vehicle-owned', '名下有机动车', '=1+1 号牌 蒙A12345 小型轿车 初次登记 2019-05-01'),
    detail('f-0002', households[0], fakeId('150102', '19820202', 56), '-张三', 'business-role', '市场主体任职', '@法定代表人 某某商贸有限公司 注册资本 50万元'),
    detail('f-0003', households[1], id2, '+1', 'provident-fund-income', '公积金缴存', '缴存基数 4500.00 元，最近缴存 2026-09\u0007'),
    detail('f-0004', households[2], id3, '@SUM(A1)', 'business-role', '市场主体任职', '个体工商户 经营者'),
  ];
  const pendingAuthorization: CountyWorkbookData['pendingAuthorization'] = [
    { householdId: '1501020009', headName: '-李四', headId: fakeId('150102', '19600101', 78), program: '城市低保', householdSize: 2, reason: '未签署核对授权书' },
    { householdId: '1501020010', headName: '王五', headId: fakeIdEndingInX('150102', '19700707'), program: '农村低保', householdSize: 4, reason: '授权书已过期（2026-06-30）' },
  ];
  const unpaid: CountyWorkbookData['unpaid'] = [
    { householdId: '1501020011', headName: '+赵六', headId: fakeId('150102', '19580303', 56), program: '城市特困', householdSize: 1, monthlyAmount: '1350.00' },
  ];
  // one obligor of the county (full ID, both dates), one of another county (masked ID, county unknown, never signed)
  const obligorPending: CountyWorkbookData['obligorPending'] = [
    {
      householdId: '1501020012',
      supportedName: '=孙七',
      supportedId: fakeId('150102', '19450404', 90),
      obligorName: '-孙八',
      shownId: fakeIdEndingInX('150102', '19750505'),
      obligorCounty: '新城区',
      relation: '子',
      authSignedOn: '2026-11-02',
      authValidUntil: '2029-11-01',
      reason: '签署日期晚于本期末',
    },
    {
      householdId: '1501020012',
      supportedName: '=孙七',
      supportedId: fakeId('150102', '19450404', 90),
      obligorName: '孙九',
      shownId: '620402********4002',
      obligorCounty: '外地或未知',
      relation: '女',
      authSignedOn: '',
      authValidUntil: '',
      reason: '未签署授权书',
    },
  ];
  const recheck: CountyWorkbookData['recheck'] = [
    { householdId: '1501020000101', headName: '=HYPERLINK("x")', program: '城市低保', cycleMonths: 6, cycleBasis: '有16–59岁成员', lastCheckOn: '2026-03-15', lastCheckBasis: '县级核实答复', nextDueOn: '2026-09-15', dueState: '已逾期', authValidUntil: '2028-01-01', authNote: '' },
    { householdId: '1501020000102', headName: '李某', program: '农村特困', cycleMonths: 12, cycleBasis: '其他家庭', lastCheckOn: '2025-11-20', lastCheckBasis: '保障起始日期', nextDueOn: '2026-11-20', dueState: '下月到期', authValidUntil: '2026-12-31', authNote: '授权即将到期，请组织续签' },
  ];
  return {
    meta: meta({
      counts: {
        households: households.length,
        flags: details.length,
        suppressed: 2,
        pendingAuthorization: pendingAuthorization.length,
        unpaid: unpaid.length,
        obligorPending: obligorPending.length,
        recheck: recheck.length,
      },
      ledgerArrived: true,
      obligorsArrived: true,
    }),
    households,
    details,
    pendingAuthorization,
    unpaid,
    obligorPending,
    recheck,
  };
}

export function emptyCountyData(): CountyWorkbookData {
  return { meta: meta({ countyCode: '150105', countyName: '赛罕区' }), households: [], details: [], pendingAuthorization: [], unpaid: [], obligorPending: [], recheck: [] };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const PROGRAMS = ['城市低保', '农村低保', '城市特困', '农村特困', '低保边缘'];
const RULES = [
  { id: 'provident-fund-income', title: '公积金缴存', source: '住房公积金 2026-09', evidence: '缴存基数 4500.00 元，账户状态 正常，最近缴存 2026-09' },
  { id: 'vehicle-owned', title: '名下有机动车', source: '机动车登记 2026Q3', evidence: '号牌 蒙A·12345 小型普通客车 初次登记 2018-06-12 状态 正常' },
  { id: 'business-role', title: '市场主体任职', source: '市场主体登记 2026-10', evidence: '法定代表人 内蒙古某某商贸有限公司 存续 注册资本 100万元' },
] as const;

/**
 * A synthetic county of `households` flagged households and `details` flags (spread over the
 * households), for the benchmark and the pool tests. Deterministic in its arguments.
 */
export function syntheticCountyData(countyCode: string, households: number, details: number, pending = Math.ceil(households / 50)): CountyWorkbookData {
  const hh: CountyWorkbookData['households'] = [];
  const dd: CountyWorkbookData['details'] = [];
  for (let i = 0; i < households; i++) {
    const headId = fakeId(countyCode, `19${50 + (i % 50)}0${1 + (i % 9)}1${i % 10}`, i);
    const n = Math.floor(((i + 1) * details) / households) - Math.floor((i * details) / households);
    const flagIds: string[] = [];
    for (let k = 0; k < n; k++) {
      const rule = RULES[(i + k) % RULES.length];
      const flagId = `${rule.id}:${countyCode}:${i}:${k}`;
      flagIds.push(flagId);
      dd.push({
        flagId,
        householdId: `${countyCode}${String(i).padStart(8, '0')}`,
        personId: k === 0 ? headId : fakeId(countyCode, '19850505', i + k),
        personName: `${SURNAMES[i % SURNAMES.length]}某${k}`,
        relation: k === 0 ? '本人' : '子女',
        isCovered: true,
        ruleId: rule.id,
        ruleTitle: rule.title,
        severity: (['high', 'medium', 'low'] as const)[(i + k) % 3],
        source: rule.source,
        evidence: rule.evidence,
        firstIssuedPeriod: '2026-10',
        issuedOn: '2026-11-03',
        dueOn: '2026-11-18',
      });
    }
    hh.push({
      householdId: `${countyCode}${String(i).padStart(8, '0')}`,
      headName: `${SURNAMES[i % SURNAMES.length]}某`,
      headId,
      program: PROGRAMS[i % PROGRAMS.length],
      householdSize: 1 + (i % 5),
      monthlyAmount: `${600 + (i % 900)}.${String(i % 100).padStart(2, '0')}`,
      rules: [...new Set(dd.slice(dd.length - n).map((d) => d.ruleTitle))].join('；'),
      severity: (['high', 'medium', 'low'] as const)[i % 3],
      firstIssuedPeriod: '2026-10',
      issuedOn: '2026-11-03',
      dueOn: '2026-11-18',
      daysOverdue: 0,
      registeredElsewhere: i % 7 === 0,
      flagIds,
    });
  }
  const pa: CountyWorkbookData['pendingAuthorization'] = [];
  for (let i = 0; i < pending; i++) {
    pa.push({ householdId: `${countyCode}9${String(i).padStart(7, '0')}`, headName: `${SURNAMES[i % SURNAMES.length]}某`, headId: fakeId(countyCode, '19660606', i), program: PROGRAMS[i % PROGRAMS.length], householdSize: 2, reason: '未签署核对授权书' });
  }
  return {
    meta: meta({ countyCode, countyName: `测试县${countyCode}`, counts: { households, flags: dd.length, suppressed: 0, pendingAuthorization: pending, unpaid: 0, obligorPending: 0, recheck: 0 } }),
    households: hh,
    details: dd,
    pendingAuthorization: pa,
    unpaid: [],
    obligorPending: [],
    recheck: [],
  };
}

/** A small region: two leagues, three counties (out of order on purpose), two rules. */
export function sampleSummary(): SummaryData {
  return {
    period: '2026-10',
    issuedOn: '2026-11-03',
    dueOn: '2026-11-18',
    rules: [
      { id: 'provident-fund-income', title: '公积金缴存', issuedBySeverity: { high: 1 } },
      { id: 'vehicle-owned', title: '名下有机动车', issuedBySeverity: { medium: 8, low: 2 } },
    ],
    // deliberately out of order: the writer sorts by league, then county
    counties: [
      { leagueCode: '150200', leagueName: '包头市', countyCode: '150202', countyName: '东河区', households: 5, flags: 7, suppressed: 1, pendingAuthorization: 0, obligorPending: 1, byRule: { 'vehicle-owned': 7 }, recoverYuan: '0.00' },
      { leagueCode: '150100', leagueName: '呼和浩特市', countyCode: '150105', countyName: '赛罕区', households: 0, flags: 0, suppressed: 0, pendingAuthorization: 3, obligorPending: 0, byRule: {}, recoverYuan: '0.00' },
      { leagueCode: '150100', leagueName: '呼和浩特市', countyCode: '150102', countyName: '新城区', households: 3, flags: 4, suppressed: 2, pendingAuthorization: 2, obligorPending: 2, byRule: { 'provident-fund-income': 1, 'vehicle-owned': 3 }, recoverYuan: '1600.50' },
    ],
    quarantine: [
      { feed: 'vehicles', file: '机动车_2026Q3.csv', rowsRead: 1000, staged: 990, quarantined: 10, byReason: { bad_id_checksum: 7, masked_id: 3 } },
      { feed: 'provident-fund', file: 'gjj_202610.xlsx', rowsRead: 200, staged: 200, quarantined: 0, byReason: {} },
    ],
    gates: [
      { gate: 'quarantine-share', subject: '机动车_2026Q3.csv', outcome: 'pass', detail: '隔离 1.0% < 10%' },
      { gate: 'row-count-drift', subject: 'provident-fund', outcome: 'held', detail: '行数变化 +45% > 30%' },
    ],
    snapshots: [
      { feed: 'roster', feedTitle: '在保名册', period: '2026-10', ageMonths: 0, stale: false },
      { feed: 'vehicles', feedTitle: '机动车登记', period: '2026Q1', ageMonths: 7, stale: true },
      { feed: 'payments', feedTitle: '一卡通发放', period: '2026-10', ageMonths: 0, stale: false, cumulative: true },
    ],
    reasonTitles: { bad_id_checksum: '身份证校验位错误' },
  };
}
