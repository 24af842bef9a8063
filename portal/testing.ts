/** Test helpers: a published month in a temp data folder, accounts, and raw HTTP requests. */
import { request } from 'node:http';
import ExcelJS from 'exceljs';
import { DETAILS, HOUSEHOLDS, SHEET } from '../pipeline/publish/workbook-contract.ts';
import { openState } from '../pipeline/state.ts';
import { publishedTinyMonth } from '../pipeline/test-support.ts';
import { addAccount, SCRYPT, type Account, type ScryptCost } from './accounts.ts';

export const PERIOD = '2026-10';
/** The day the test month is published (China Standard Time): its flags are due 2026-11-16. */
export const ISSUED_ON = '2026-11-01';

/**
 * The scrypt cost for logins in tests about something other than hashing (pages, sessions,
 * uploads): N = 2^10 instead of OWASP's 2^17, set with scryptCostForTests (portal/accounts.ts).
 */
export const TEST_SCRYPT: ScryptCost = { ...SCRYPT, N: 2 ** 10 };

/**
 * The tiny fixtures, run and published for 2026-10 (a copy of the run's one build, shared with
 * the other portal test files and the period index's), plus the given accounts.
 *
 * Each scrypt costs ~0.7 s of CPU at the OWASP cost, so each distinct password is hashed once, by
 * addAccount for its first account; its other accounts get that stored hash (salt and all), as
 * portal/accounts.test.ts seeds them. A login checks it like any other hash.
 */
export async function publishedDataDir(accounts: TestAccount[]): Promise<string> {
  const dir = await publishedTinyMonth({ today: ISSUED_ON }, 'hedui-portal-');
  await addTestAccounts(dir, accounts);
  return dir;
}

export type TestAccount = Account & { password: string; mustChange?: boolean };

/** Adds accounts to a data folder's state store, hashing each distinct password once (see publishedDataDir). */
export async function addTestAccounts(dir: string, accounts: TestAccount[]): Promise<void> {
  const state = openState(dir);
  try {
    const hashedFor = new Map<string, string>(); // password → the account whose hash it has
    for (const a of accounts) {
      const first = hashedFor.get(a.password);
      if (!first) {
        await addAccount(state, a);
        hashedFor.set(a.password, a.username);
        continue;
      }
      state
        .prepare(
          `insert into accounts (username, scope, scope_code, password_hash, must_change_password, created_at, password_changed_at, disabled_at)
           select ?, ?, ?, password_hash, ?, created_at, password_changed_at, null from accounts where username = ?`,
        )
        .run(a.username, a.scope, a.scopeCode, a.mustChange ? 1 : 0, first);
    }
  } finally {
    state.close();
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/** One request with the path sent exactly as given (fetch would normalise '../'). */
export function http(
  base: string,
  method: string,
  path: string,
  o: { cookie?: string; body?: Buffer | string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...(o.cookie ? { Cookie: o.cookie } : {}), ...(o.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/** Logs in; returns the cookie pair to send back ('hedui_session=…') and the raw Set-Cookie. */
export async function loginAs(base: string, username: string, password: string, headers: Record<string, string> = {}): Promise<{ reply: Reply; cookie?: string; setCookie?: string }> {
  const body = new URLSearchParams({ username, password }).toString();
  const reply = await http(base, 'POST', '/login', { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } });
  const setCookie = ([] as string[]).concat(reply.headers['set-cookie'] ?? [])[0];
  return { reply, setCookie, cookie: setCookie?.split(';')[0] };
}

/** The CSRF token of a page's forms. */
export const csrfIn = (html: string) => /name="csrf" value="([0-9a-f]+)"/.exec(html)?.[1];

/** A multipart/form-data body as a browser sends it. */
export function multipart(fields: { name: string; value: string | Buffer; filename?: string; type?: string }[]): { body: Buffer; contentType: string } {
  const boundary = '----heduiTestBoundary' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const f of fields) {
    const disposition = `form-data; name="${f.name}"${f.filename !== undefined ? `; filename="${f.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${f.type ? `Content-Type: ${f.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(f.value) ? f.value : Buffer.from(f.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * A county's answer: a copy of its workbook with 核实结果, 核实人 and 核实日期 filled in on every
 * row of 疑点家庭 (results taken in turn from `results`), and optionally one row given a result
 * outside the dropdown, so that the importer rejects that row.
 */
/** Answers every household of a county workbook on 疑点家庭 (its flags take that answer); `rows`: households, `flags`: their flags. */
export async function fillWorkbook(src: string, dest: string, o: { results: string[]; verifiedOn: string; badRow?: boolean }): Promise<{ rows: number; flags: number }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(src);
  const sheet = wb.getWorksheet(SHEET.households)!;
  let rows = 0;
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const result = o.badRow && rows === 0 ? '已处理' : o.results[rows % o.results.length];
    row.getCell(HOUSEHOLDS.col.disposition).value = result;
    row.getCell(HOUSEHOLDS.col.note).value = '入户核实';
    row.getCell(HOUSEHOLDS.col.verifiedBy).value = '核实员';
    row.getCell(HOUSEHOLDS.col.verifiedOn).value = o.verifiedOn;
    rows++;
  });
  await wb.xlsx.writeFile(dest);
  return { rows, flags: Math.max(0, wb.getWorksheet(SHEET.details)!.actualRowCount - DETAILS.headerRow) };
}

/**
 * Text to search for ID numbers, without the hex tokens the portal shows on purpose: form tokens
 * (32 hex) and the sha256 names of stored uploads (64 hex). Random hex holds 15 digits in a row
 * now and then; an ID number (15 or 18 characters) is never a whole 32- or 64-character hex word.
 */
export const withoutHexTokens = (text: string) => text.replace(/\b(?:[0-9a-f]{64}|[0-9a-f]{32})\b/g, '<hex>');
