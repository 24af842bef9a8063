/**
 * The portal in a real browser (Debian's chromium driven by playwright-core): a county logs in,
 * sets its own password (the operator's was generated), downloads its workbook, uploads a filled-in
 * copy through the plain form, waits on 已接收，正在导入 and reads the result page. Chromium is installed by .ci/run; without it this test fails on purpose rather than skip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { loadConfig } from '../config/config.ts';
import { COUNTIES } from '../domain/divisions.ts';
import { scryptCostForTests } from './accounts.ts';
import { startPortal, type RunningPortal } from './server.ts';
import { workbookPath } from './files.ts';
import { fillWorkbook, PERIOD, publishedDataDir, TEST_SCRYPT } from './testing.ts';

const CHROMIUM = '/usr/bin/chromium';
const GENERATED = 'Gen3rated-by-operator-7xQ';
const PW = 'Saddle lantern 93 river';
const XC = COUNTIES.find((c) => c.code === '150102')!;

let dir: string;
let profile: string;
let portal: RunningPortal;
let context: BrowserContext;

beforeAll(async () => {
  await access(CHROMIUM).catch(() => {
    throw new Error(`chromium is not installed at ${CHROMIUM}, so the browser test cannot run. Install it: apt-get install -y --no-install-recommends chromium (.ci/run does this).`);
  });
  // the login and password change here are about the pages in a browser, not hashing: a cheap scrypt cost (portal/accounts.ts scryptCostForTests)
  scryptCostForTests(TEST_SCRYPT);
  dir = await publishedDataDir([{ username: 'xc', scope: 'county', scopeCode: XC.code, password: GENERATED, mustChange: true }]);
  portal = await startPortal({ dataDir: dir, port: 0, insecureHttp: true, clock: () => Date.parse('2026-11-20T04:00:00Z') }); // received within the 15 days
  profile = await mkdtemp(join(tmpdir(), 'hedui-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await context?.close();
  await portal?.close();
  for (const d of [dir, profile]) if (d) await rm(d, { recursive: true, force: true });
});

describe('the portal in chromium', () => {
  it('a county logs in, downloads its workbook, uploads its answers and sees the result', async () => {
    const page = await context.newPage();
    await page.goto(portal.url + '/');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=username]', 'xc');
    await page.fill('input[name=password]', GENERATED);
    await page.click('input[type=submit]');
    // a generated password: nothing but changing it first
    await page.waitForURL(portal.url + '/password');
    expect(await page.textContent('body')).toContain('首次登录');
    await page.fill('input[name=current]', GENERATED);
    await page.fill('input[name=new]', 'aaaaaaaaaa');
    await page.fill('input[name=repeat]', 'aaaaaaaaaa');
    await page.click('input[value=修改密码]');
    expect(await page.textContent('.bad')).toContain('密码太容易被猜到');
    await page.fill('input[name=current]', GENERATED);
    await page.fill('input[name=new]', PW);
    await page.fill('input[name=repeat]', PW);
    await Promise.all([page.waitForURL(portal.url + '/'), page.click('input[value=修改密码]')]);
    const fileName = `${XC.code}_${XC.name}_${PERIOD}_核对疑点.xlsx`;
    expect(await page.textContent('body')).toContain(fileName);

    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'hedui_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`a[href="/p/${PERIOD}/download/${XC.code}"]`)]);
    expect(download.suggestedFilename()).toBe(fileName);
    const downloaded = join(dir, 'downloaded.xlsx');
    await download.saveAs(downloaded);
    expect((await readFile(downloaded)).equals(await readFile(workbookPath(dir, PERIOD, XC)))).toBe(true);

    const answer = join(dir, fileName);
    const { dispositions } = loadConfig().config;
    const { rows, flags } = await fillWorkbook(downloaded, answer, { results: dispositions, verifiedOn: '2026-11-10' });
    await page.setInputFiles('input[name=file]', answer);
    await Promise.all([page.waitForURL(/\/upload\/[A-Za-z0-9_-]{16}$/), page.click('input[value=上传]')]);
    // 已接收，正在导入: the page refreshes itself until the import child is done
    await page.locator('h2', { hasText: '上传结果' }).waitFor({ timeout: 90_000 });
    const result = (await page.textContent('body')) ?? '';
    expect(result).toContain('上传结果');
    expect(result).toContain('已导入');
    const accepted = Number(await page.textContent('xpath=//tr[th[text()="已接受核实结果（条疑点）"]]/td'));
    const unanswered = Number(await page.textContent('xpath=//tr[th[text()="尚未填写（条疑点）"]]/td'));
    expect(rows).toBeGreaterThan(0);
    // every household answered with a value of the dropdown on 疑点家庭: each of its flags takes that answer
    expect({ accepted, unanswered }).toEqual({ accepted: flags, unanswered: 0 });
    expect(result).not.toContain('未接受的行（');
  });
});
