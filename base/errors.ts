/**
 * Typed errors. Commands throw them; only the CLI entry point turns them into words on the screen
 * and exit codes (cli/main.ts). Messages name files, lines, columns, counts and keys — never
 * personal data.
 */
export class HeduiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command-line usage or configuration. */
export class UsageError extends HeduiError {}
/** A configuration file that does not validate. */
export class ConfigError extends HeduiError {}
/** A department file that cannot be loaded at all (encoding, format, missing column, truncated…). */
export class FileRejectedError extends HeduiError {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
  }
}
/** A gate held publication (quarantine share, drift, rejected file, missing feed); `report` says what the run saw. */
export class GateHeldError extends HeduiError {
  constructor(message: string, readonly report?: unknown) {
    super(message);
  }
}
/** Another run holds the data folder. */
export class LockHeldError extends HeduiError {}
/** A warehouse statement failed; the message has been scrubbed of values. */
export class WarehouseError extends HeduiError {}
/** The audit trail's hash chain does not verify: a row was changed or deleted after it was written (exit 1). */
export class AuditChainError extends HeduiError {}

/**
 * DuckDB error messages can quote the offending value (a conversion error quotes the string).
 * Keep the shape of the message, drop anything quoted and any long digit run.
 */
export function scrubMessage(message: string): string {
  const lines: string[] = [];
  for (const line of message.split('\n')) {
    if (/^\s*(Possible fixes|LINE \d+:)/.test(line)) break;
    if (/^\s*Original Line/i.test(line) || line.trim() === '') continue; // DuckDB quotes the raw CSV line here
    lines.push(line.trim());
  }
  return lines
    .join(' / ')
    .replace(/'[^'\n]*'/g, "'…'")
    .replace(/"[^"\n]*"/g, '"…"')
    .replace(/\d{6,}[\dXx]*/g, '…')
    .slice(0, 400);
}
