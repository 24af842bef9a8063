/**
 * The words a department clerk reads for a quarantined row: one Chinese text per reason code the
 * staging can write to quarantine.reason (pipeline/load/checks.ts, pipeline/load/stage.ts and
 * each feed's staging.sql; the codes are listed in adapters/README.md). The CSV shows
 * `<text> (<code>)`, so a clerk reads the text and an operator can still search for the code.
 * quarantine-reasons.test.ts parses the staging SQL and fails when a code has no text here.
 */
import { FEEDS } from '../adapters/index.ts';

export const QUARANTINE_REASON_TEXTS: Readonly<Record<string, string>> = {
  missing_value: '必填项为空',
  id_masked: '身份证号被打码（含*号）',
  id_scientific: '身份证号被 Excel 转成科学计数法，位数已丢失',
  id_bad_checksum: '身份证号校验位错误',
  id_bad_date: '身份证号中的出生日期不存在',
  id_bad_length: '身份证号位数不对（应为15或18位）',
  bad_date: '日期格式无法识别',
  bad_amount: '金额不是数字',
  bad_number: '不是整数',
  unknown_code: '代码不在代码表内',
  bad_credit_code: '统一社会信用代码校验错误',
  duplicate_row: '重复记录：与本文件前面的一行或已入库的同期文件重复',
};

/** `身份证号校验位错误 (id_bad_checksum)`; an unknown code is shown as it is. */
export function quarantineReasonText(code: string): string {
  const text = QUARANTINE_REASON_TEXTS[code];
  return text ? `${text} (${code})` : code;
}

/** The department's own header for a staged column: `身份证明号码 (owner_id)`; unknown names as they are. */
export function fieldText(feedId: string, field: string | null | undefined): string {
  if (!field) return '';
  const column = FEEDS.find((f) => f.id === feedId)?.columns.find((c) => c.name === field);
  return column ? `${column.headers[0]} (${field})` : field;
}
