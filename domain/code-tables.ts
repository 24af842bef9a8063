/**
 * Code tables the department feeds use, as data in one place, so evidence a clerk reads says
 * 小型汽车（02） rather than 02. Sources: ../shared/domain/reference.md (GA 24 motor-vehicle code
 * tables; 市场主体类型 examples; GB 32100 credit code), and where reference.md lists a table only in
 * part, GA/T 16.4-2012 (车辆类型) and GA 24.7 (号牌种类) for the other codes the vehicles adapter
 * accepts. A code a table does not name is shown as written.
 *
 * The warehouse creates them on open (`codeTablesSql`): the table `code_names` (code_table, code,
 * name) to look at or join, and the macros rules and staging SQL call:
 *   hedui_code_name(table, code)   the name, or NULL
 *   hedui_coded(table, code)       '小型汽车（02）', or the code alone when unnamed
 *   hedui_coded_letters(table, s)  one name per letter: 'GQ' → '违法未处理、逾期未检验（GQ）'
 *   hedui_entity_type_code(text, credit_code)  a 市场主体类型 as its four-digit code (below)
 *   hedui_payment_program(item)    the program a 一卡通 补贴项目 pays, or NULL (below)
 *   hedui_wan(x)                   an amount without trailing zeros: 12.5000 → '12.5'
 */

export interface CodeTable {
  /** the column's Chinese name */
  title: string;
  /** code → name */
  codes: Readonly<Record<string, string>>;
}

/** 身份证明名称 (reference.md: GA 24). */
const ownerIdType: CodeTable = {
  title: '身份证明名称',
  codes: { A: '居民身份证', B: '组织机构代码证书', H: '居民户口簿', M: '临时居民身份证', N: '统一社会信用代码' },
};

/** 号牌种类 (reference.md; the codes it leaves out from GA 24.7, as the vehicles adapter accepts them). */
const plateType: CodeTable = {
  title: '号牌种类',
  codes: {
    '01': '大型汽车',
    '02': '小型汽车',
    '03': '使馆汽车',
    '04': '领馆汽车',
    '05': '境外汽车',
    '06': '外籍汽车',
    '07': '两、三轮摩托车',
    '08': '轻便摩托车',
    '09': '使馆摩托车',
    '10': '领馆摩托车',
    '11': '境外摩托车',
    '12': '外籍摩托车',
    '13': '低速车',
    '14': '拖拉机',
    '15': '挂车',
    '16': '教练汽车',
    '17': '教练摩托车',
    '18': '试验汽车',
    '19': '试验摩托车',
    '20': '临时入境汽车',
    '21': '临时入境摩托车',
    '22': '临时行驶车',
    '23': '警用汽车',
    '24': '警用摩托',
    '25': '原农机号牌',
    '26': '香港入出境车',
    '31': '武警号牌',
    '32': '军队号牌',
    '51': '大型新能源汽车',
    '52': '小型新能源汽车',
    '99': '其他号牌',
  },
};

/**
 * 车辆类型 (GA/T 16.4-2012; reference.md lists the classes and K33, M21, M22): the codes seen in
 * deliveries, and each class by its letter, which names a code the table does not list.
 */
const vehicleType: CodeTable = {
  title: '车辆类型',
  codes: {
    K: '客车',
    H: '货车',
    Q: '牵引车',
    Z: '专项作业车',
    D: '电车',
    M: '摩托车',
    N: '三轮汽车',
    T: '拖拉机',
    J: '轮式机械',
    G: '全挂车',
    B: '半挂车',
    X: '其他',
    K11: '大型普通客车',
    K21: '中型普通客车',
    K31: '小型普通客车',
    K32: '小型越野客车',
    K33: '小型轿车',
    K34: '小型专用客车',
    K41: '微型普通客车',
    K43: '微型轿车',
    H11: '重型普通货车',
    H21: '中型普通货车',
    H31: '轻型普通货车',
    H41: '微型普通货车',
    Q11: '重型半挂牵引车',
    M11: '普通正三轮摩托车',
    M21: '普通二轮摩托车',
    M22: '轻便二轮摩托车',
    N11: '三轮汽车',
    T11: '大型轮式拖拉机',
    T21: '小型轮式拖拉机',
    T22: '手扶拖拉机',
  },
};

/** 机动车状态, one or more letters (reference.md: GA 24). */
const vehicleStatus: CodeTable = {
  title: '机动车状态',
  codes: {
    A: '正常',
    B: '转出',
    C: '被盗抢',
    D: '停驶',
    E: '注销',
    G: '违法未处理',
    H: '海关监管',
    I: '事故未处理',
    J: '嫌疑车',
    K: '查封',
    L: '暂扣',
    M: '强制注销',
    N: '事故逃逸',
    O: '锁定',
    P: '达到报废标准公告牌证作废',
    Q: '逾期未检验',
  },
};

/** 使用性质 (reference.md: GA 24; the codes it lists). */
const useNature: CodeTable = {
  title: '使用性质',
  codes: { A: '非营运', B: '公路客运', D: '出租客运', F: '货运', G: '租赁', Z: '其他' },
};

/** 市场主体类型 (reference.md's examples). */
const entityType: CodeTable = {
  title: '市场主体类型',
  codes: {
    '1130': '有限责任公司(自然人投资或控股)',
    '1150': '一人有限责任公司',
    '1151': '一人有限责任公司',
    '4531': '合伙企业',
    '4532': '合伙企业',
    '4533': '合伙企业',
    '4540': '个人独资企业',
    '9100': '农民专业合作社',
    '9600': '个体工商户',
  },
};

export const CODE_TABLES = {
  owner_id_type: ownerIdType,
  plate_type: plateType,
  vehicle_type: vehicleType,
  vehicle_status: vehicleStatus,
  use_nature: useNature,
  entity_type: entityType,
} as const satisfies Record<string, CodeTable>;

export type CodeTableId = keyof typeof CODE_TABLES;

/**
 * 市场主体类型 written as text: names that stand for one code (punctuation-insensitive: brackets
 * of either width, spaces ignored). Names shared by several codes (合伙企业: 4531–4533) are not here.
 */
export const ENTITY_TYPE_NAMES: Readonly<Record<string, string>> = {
  '有限责任公司(自然人投资或控股)': '1130',
  个人独资企业: '4540',
  农民专业合作社: '9100',
  个体工商户: '9600',
  个体户: '9600',
};

/**
 * Within market-regulation codes (position 1 = 9), position 2 of a unified credit code is the kind
 * of entity (GB 32100; reference.md "Household law"): 2 个体工商户, 3 农民专业合作社.
 */
export const ENTITY_TYPE_OF_CREDIT_KIND: Readonly<Record<string, string>> = { '92': '9600', '93': '9100' };

/** The programs a 一卡通 payment is staged under (adapters/payments). */
export type PaymentProgram = '城市低保' | '农村低保' | '城市特困' | '农村特困' | '价格临时补贴';

/**
 * 补贴项目 of the 一卡通 ledger as platforms name them → the program it pays. There is no national
 * code table for these items: each platform names (and numbers, if at all) its own, so an item is
 * known by its name, compared without spaces. Inner Mongolia writes 农村牧区 for 农村.
 */
export const PAYMENT_ITEM_PROGRAMS: Readonly<Record<string, PaymentProgram>> = {
  城市低保金: '城市低保',
  城市最低生活保障金: '城市低保',
  城市居民最低生活保障金: '城市低保',
  农村低保金: '农村低保',
  农村牧区低保金: '农村低保',
  农村最低生活保障金: '农村低保',
  农村牧区最低生活保障金: '农村低保',
  城市特困供养金: '城市特困',
  城市特困人员救助供养金: '城市特困',
  农村特困供养金: '农村特困',
  农村牧区特困供养金: '农村特困',
  农村特困人员救助供养金: '农村特困',
  农村牧区特困人员救助供养金: '农村特困',
  价格临时补贴: '价格临时补贴',
  城乡价格临时补贴: '价格临时补贴',
};

/** The program of a 补贴项目 as written (spaces ignored), or undefined (the macro does the same). */
export function paymentProgram(item: string): PaymentProgram | undefined {
  return PAYMENT_ITEM_PROGRAMS[item.replace(/\s/g, '')];
}

export function codeName(table: CodeTableId, code: string): string | undefined {
  const codes: Readonly<Record<string, string>> = CODE_TABLES[table].codes;
  return codes[code] ?? (table === 'vehicle_type' ? codes[code.slice(0, 1)] : undefined);
}

/** '小型汽车（02）'; the code alone when the table does not name it. */
export function coded(table: CodeTableId, code: string): string {
  const name = codeName(table, code);
  return name ? `${name}（${code}）` : code;
}

/** Several letters, one name each: 'GQ' → '违法未处理、逾期未检验（GQ）'. */
export function codedLetters(table: CodeTableId, letters: string): string {
  return `${[...letters].map((l) => codeName(table, l) ?? l).join('、')}（${letters}）`;
}

/** Brackets of either width, no spaces: how a written name is compared (the macro does the same). */
const foldName = (s: string) => s.replaceAll('（', '(').replaceAll('）', ')').replace(/\s/g, '');

/** A 市场主体类型 as its four-digit code: the code as written, a name, or the credit code's kind; else undefined. */
export function entityTypeCode(written: string, creditCode: string): string | undefined {
  if (/^\d{4}$/.test(written)) return written;
  return ENTITY_TYPE_NAMES[foldName(written)] ?? ENTITY_TYPE_OF_CREDIT_KIND[creditCode.toUpperCase().slice(0, 2)];
}

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const mapOf = (entries: [string, string][]) => `MAP {${entries.map(([k, v]) => `${q(k)}: ${q(v)}`).join(', ')}}`;

/** The code tables and their macros for the warehouse (reference data, rebuilt on open). */
export function codeTablesSql(): string {
  const rows = Object.entries(CODE_TABLES).flatMap(([table, t]) => Object.entries(t.codes).map(([code, name]) => `(${q(table)}, ${q(code)}, ${q(name)})`));
  return `create or replace table code_names (code_table varchar not null, code varchar not null, name varchar not null, primary key (code_table, code));
insert into code_names values ${rows.join(', ')};
create or replace macro hedui_code_name(t, c) as coalesce(
  (select name from code_names where code_table = t and code = c),
  case when t = 'vehicle_type' then (select name from code_names where code_table = t and code = left(c, 1)) end);
create or replace macro hedui_coded(t, c) as coalesce(hedui_code_name(t, c) || '（' || c || '）', c);
create or replace macro hedui_coded_letters(t, s) as (
  select string_agg(coalesce(n.name, l.letter), '、' order by l.i)
  from (select unnest(string_split(s, '')) as letter, unnest(range(len(s))) as i) l
  left join code_names n on n.code_table = t and n.code = l.letter
) || '（' || s || '）';
create or replace macro hedui_entity_type_code(written, credit_code) as case
  when regexp_full_match(written, '[0-9]{4}') then written
  else coalesce(${mapOf(Object.entries(ENTITY_TYPE_NAMES))}[regexp_replace(replace(replace(written, '（', '('), '）', ')'), '\\s', '', 'g')], ${mapOf(Object.entries(ENTITY_TYPE_OF_CREDIT_KIND))}[upper(left(credit_code, 2))])
end;
create or replace macro hedui_payment_program(item) as ${mapOf(Object.entries(PAYMENT_ITEM_PROGRAMS))}[regexp_replace(item, '\\s', '', 'g')];
create or replace macro hedui_wan(x) as regexp_replace(x::decimal(18, 4)::varchar, '\\.?0+$', '');
`;
}
