/**
 * Server-rendered pages, in Chinese, for old office browsers: plain HTML 4-era markup (tables,
 * forms), no script, inline style only. Every value goes through `esc`.
 */
import { SEVERITY_TITLES } from '../rules/define-rule.ts';
import { COUNTIES } from '../domain/divisions.ts';
import { chinaTime, daysBetween } from '../pipeline/period.ts';
import { REQUEST_STATE_TITLES, type RequestState, type RequestTotals } from '../pipeline/requests/status.ts';
import type { CountyPeriodStatus, UploadResult } from './county-status.ts';
import type { RequestUpload, ShownRequest } from './requests.ts';
import { ASSIST_KIND_TEXT } from '../pipeline/assist/contract.ts';
import type { AssistImportResult } from '../pipeline/assist/answers.ts';
import type { AssistTarget } from './files.ts';
import type { UploadOutcome, UploadRow } from './imports.ts';

export const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Raw HTML that `page` and `tag` put in as it is (already escaped). */
export class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Template tag: interpolated values are escaped unless they are Html (or arrays of Html). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.html;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

const STYLE = `
body { font-family: "Microsoft YaHei", "SimSun", sans-serif; font-size: 14px; margin: 0; color: #222; }
.top { background: #1d4f91; color: #fff; padding: 8px 16px; }
.top a, .top input { color: #fff; }
.top form { display: inline; margin: 0; }
.top .who { float: right; }
.main { padding: 12px 16px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #999; padding: 4px 8px; text-align: left; }
th { background: #eef; }
.num { text-align: right; }
.bad { color: #b00; }
.ok { color: #070; }
.note { color: #555; }
.box { border: 1px solid #999; padding: 8px 12px; margin: 8px 0; }
`;

export interface PageOptions {
  title: string;
  /** shown top right with a logout button */
  user?: { username: string; scope: string; csrf: string };
}

export function page(o: PageOptions, body: Html): string {
  const who = o.user
    ? html`<span class="who">${o.user.username}（${o.user.scope}）
        <form method="post" action="/logout"><input type="hidden" name="csrf" value="${o.user.csrf}"><input type="submit" value="退出"></form></span>`
    : '';
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>${esc(o.title)} - 核对疑点下载</title>
<style>${STYLE}</style>
</head>
<body>
<div class="top">${who}<a href="/">社会救助家庭经济状况核对 · 疑点下载与反馈</a></div>
<div class="main">
<h2>${esc(o.title)}</h2>
${body.html}
</div>
</body>
</html>
`;
}

export function loginPage(message?: string, username = ''): string {
  return page(
    { title: '登录' },
    html`${message ? html`<p class="bad">${message}</p>` : ''}
<form method="post" action="/login">
<table>
<tr><td><label for="u">用户名</label></td><td><input id="u" name="username" value="${username}" size="24" maxlength="64"></td></tr>
<tr><td><label for="p">密码</label></td><td><input id="p" type="password" name="password" size="24" maxlength="1024"></td></tr>
<tr><td></td><td><input type="submit" value="登录"></td></tr>
</table>
</form>
<p class="note">账号由自治区民政厅分配。连续输错密码后，须等待片刻才能再试，等待时间逐次加长。</p>`,
  );
}

/** The password change form; `forced` after a generated password (first login or a reset). */
export function passwordPage(user: NonNullable<PageOptions['user']>, forced: boolean, message?: string): string {
  return page(
    { title: '修改密码', user },
    html`${forced ? html`<p>首次登录（或密码已由管理员重置）：请先设置您自己的密码。</p>` : ''}${message ? html`<p class="bad">${message}</p>` : ''}
<form method="post" action="/password">
<input type="hidden" name="csrf" value="${user.csrf}">
<table>
<tr><td><label for="c">当前密码</label></td><td><input id="c" type="password" name="current" size="24" maxlength="1024" autocomplete="current-password"></td></tr>
<tr><td><label for="n">新密码</label></td><td><input id="n" type="password" name="new" size="24" maxlength="1024" autocomplete="new-password"></td></tr>
<tr><td><label for="r">再次输入新密码</label></td><td><input id="r" type="password" name="repeat" size="24" maxlength="1024" autocomplete="new-password"></td></tr>
<tr><td></td><td><input type="submit" value="修改密码"></td></tr>
</table>
</form>
<p class="note">新密码至少 10 个字符，不能包含用户名，不能是常见或容易猜到的密码（可用几个不相关的词加数字组成）。修改后，本账号在其他地方的登录将被退出。</p>`,
  );
}

/** A page for a refusal or an error: status line words, one sentence, a link home. */
export function messagePage(title: string, message: string, user?: PageOptions['user']): string {
  return page({ title, user }, html`<p>${message}</p><p><a href="/">返回首页</a></p>`);
}

const UPLOAD_STATE: Record<UploadResult['state'], string> = { current: '当前反馈', superseded: '已被后来的文件替换', refused: '未导入' };

/**
 * One county's state in one period (county-status.ts): due date and days left, counts, every
 * upload with its result and refused rows, and the open flags — no ID number, no name.
 */
export function countyPeriodSection(s: CountyPeriodStatus): Html {
  const days =
    s.daysLeft === null ? '' : s.daysLeft > 0 ? html`，还剩 <b>${s.daysLeft}</b> 天` : s.daysLeft === 0 ? html`，<b>今天截止</b>` : html`，<span class="bad">已逾期 ${-s.daysLeft} 天</span>`;
  const uploads = s.uploads.map(
    (u) => html`<tr>
<td>${u.importedAt}</td><td>${u.receivedOn}</td><td>${u.actor}</td><td>${u.file}</td>
<td class="${u.state === 'refused' ? 'bad' : u.state === 'current' ? 'ok' : ''}">${UPLOAD_STATE[u.state]}${u.reason ? `：${u.reason}` : ''}</td>
<td class="num">${u.state === 'refused' ? '' : u.accepted}</td><td class="num">${u.state === 'refused' ? '' : u.rejected}</td><td class="num">${u.state === 'refused' ? '' : u.unanswered}</td>
<td>${u.rejections.length ? html`<table>${u.rejections.map((x) => html`<tr><td>${x.sheet}</td><td class="num">${x.row}</td><td>${x.reason}</td></tr>`)}</table>` : ''}</td></tr>`,
  );
  const open = s.openFlags.map(
    (f) => html`<tr><td>${f.flagId}</td><td>${f.householdId}</td><td>${f.ruleTitle}</td><td>${SEVERITY_TITLES[f.severity]}</td><td>${f.dueOn}</td>
<td class="num ${f.daysOverdue ? 'bad' : ''}">${f.daysOverdue || ''}</td></tr>`,
  );
  return html`<p>反馈截止日期 <b>${s.dueOn ?? '—'}</b>${days}（${s.today}）。</p>
<table>
<tr><th>下发疑点家庭（户）</th><td class="num">${s.households}</td><th>下发疑点（条）</th><td class="num">${s.flags}</td></tr>
<tr><th>已核实（条）</th><td class="num ok">${s.answered}</td><th>未核实（条）</th><td class="num">${s.open}</td></tr>
<tr><th>已逾期未核实（条）</th><td class="num ${s.overdue ? 'bad' : ''}">${s.overdue}</td><th></th><td></td></tr>
</table>
<h3>上传记录</h3>
${
  s.uploads.length
    ? html`<table><tr><th>导入时间</th><th>收到日期</th><th>上传人</th><th>文件</th><th>结果</th><th>已接受（条疑点）</th><th>未接受（行）</th><th>未填写（条疑点）</th><th>未接受的行（表、行号、原因）</th></tr>${uploads}</table>`
    : html`<p>本期尚未上传。</p>`
}
<h3>未核实的疑点（${s.open} 条）</h3>
${
  s.openFlags.length
    ? html`<table><tr><th>疑点编号</th><th>户编号</th><th>疑点规则</th><th>风险等级</th><th>反馈截止日期</th><th>逾期天数</th></tr>${open}</table>
${s.open > s.openFlags.length ? html`<p class="note">仅列出前 ${s.openFlags.length} 条，完整内容见工作簿。</p>` : ''}`
    : html`<p>没有未核实的疑点。</p>`
}
<p class="note">"已核实"按本旗县市区当前有效的反馈文件计（"核实中"不算已核实）；疑点的家庭成员与证据见工作簿。</p>`;
}

const REQUEST_STATE_CLASS: Record<RequestState, string> = { open: '', overdue: 'bad', answered: 'ok', late: 'bad', refused: 'bad' };

/** What became of a county's uploaded request file, in words. */
export function requestUploadState(u: RequestUpload): Html {
  const read = u.read;
  if (read.state === 'waiting') return html`<span>已上传，等待夜间核对</span>`;
  if (read.state === 'rejected') return html`<span class="bad">整个文件未能读取（${read.at}）：${read.reason}</span>`;
  if (read.rows === null) return html`<span class="ok">已读取（${read.at}）</span>`;
  return html`<span class="ok">已读取（${read.at}）：${read.rows} 行，${read.open} 个委托受理</span>${read.refused ? html`，<span class="bad">${read.refused} 个委托退回</span>` : ''}`;
}

/** A county's uploaded request files, newest first. */
export function requestUploadsTable(uploads: readonly RequestUpload[]): Html {
  if (!uploads.length) return html`<p>近期没有上传的核对委托文件。</p>`;
  const rows = uploads.map((u) => html`<tr><td>${u.at}</td><td>${u.actor}</td><td>${u.name}</td><td>${requestUploadState(u)}</td></tr>`);
  return html`<table><tr><th>上传时间</th><th>上传人</th><th>保存的文件名</th><th>状态</th></tr>${rows}</table>`;
}

/**
 * Check requests with their state on `today`: dates, state, the day the report was written and its
 * download link, or why the request was refused (row numbers and reasons). No name, no ID number:
 * the index holds none.
 */
export function requestsTable(requests: readonly ShownRequest[], today: string, withCounty: boolean): Html {
  const rows = requests.map((r) => {
    const county = withCounty ? COUNTIES.find((c) => c.code === r.county) : undefined;
    const overdue = r.state === 'overdue' ? `（${daysBetween(r.dueOn, today)} 天）` : '';
    const what = r.hasReport
      ? html`<a href="/requests/${r.county}/${encodeURIComponent(r.requestNo)}">核对报告_${r.requestNo}.xlsx</a>`
      : r.state === 'refused' && r.refusal
        ? html`<span class="bad">${r.refusal.split('；').map((line, i) => html`${i ? html`<br>` : ''}${line}`)}</span>`
        : '';
    return html`<tr>${withCounty ? html`<td>${county?.leagueName ?? ''}</td><td>${r.county}</td><td>${county?.name ?? r.countyName}</td>` : ''}
<td>${r.requestNo}</td><td>${r.kind}</td><td class="num">${r.members}</td><td>${r.requestedOn}</td><td>${r.receivedOn}</td><td>${r.dueOn}</td>
<td class="${REQUEST_STATE_CLASS[r.state]}">${REQUEST_STATE_TITLES[r.state]}${overdue}</td><td>${r.answeredOn ?? ''}</td><td>${what}</td></tr>`;
  });
  return html`<table><tr>${withCounty ? html`<th>盟市</th><th>代码</th><th>旗县市区</th>` : ''}<th>委托编号</th><th>核对类型</th><th>成员人数</th><th>委托日期</th><th>收到日期</th><th>应完成日期</th><th>状态</th><th>出具日期</th><th>核对报告 / 退回原因</th></tr>${rows}</table>`;
}

/** Per county: requests received, reports on time and late, open, overdue, refused. */
export function requestTotalsTable(totals: readonly RequestTotals[]): Html {
  const rows = totals.map((t) => {
    const county = COUNTIES.find((c) => c.code === t.county);
    return html`<tr><td>${county?.leagueName ?? ''}</td><td>${t.county}</td><td>${t.countyName}</td><td class="num">${t.received}</td><td class="num">${t.answeredOnTime}</td>
<td class="num ${t.answeredLate ? 'bad' : ''}">${t.answeredLate}</td><td class="num">${t.open}</td><td class="num ${t.overdue ? 'bad' : ''}">${t.overdue}</td><td class="num">${t.refused}</td></tr>`;
  });
  return html`<table><tr><th>盟市</th><th>代码</th><th>旗县市区</th><th>收到委托</th><th>按期出具</th><th>逾期出具</th><th>核对中</th><th>逾期未出具</th><th>退回</th></tr>${rows}</table>`;
}

// --- cross-league 协查请求 and cross-province 跨省核对请求 (pipeline/assist) ---

/** A period's request workbooks an account may download: per place asked, the link, or 本期无… when the release holds none. */
export function assistWorkbooksTable(period: string, books: readonly { target: AssistTarget; fileName: string | undefined }[]): Html {
  const rows = books.map(({ target: t, fileName }) => {
    const what = ASSIST_KIND_TEXT[t.kind];
    const link = fileName ? html`<a href="/p/${period}/assist/${t.kind === 'province' ? 'province' : t.code}">${fileName}</a>` : html`<span class="note">本期无${what}</span>`;
    return html`<tr><td>${what}</td><td>${t.kind === 'league' ? t.code : ''}</td><td>${t.name}</td><td>${link}</td></tr>`;
  });
  return html`<table><tr><th>请求类型</th><th>盟市代码</th><th>接收单位</th><th>工作簿（记入审计）</th></tr>${rows}</table>`;
}

const ASSIST_STATUS: Record<AssistImportResult['status'], string> = { imported: '已导入', unchanged: '此前已导入（内容相同）', refused: '未导入' };

/** An answered request workbook's import: counts, then each row not taken by row number and reason (no personal data). */
export function assistResultTable(savedName: string, result: AssistImportResult): Html {
  const rejected = result.rejected.map((x) => html`<tr><td class="num">${x.row}</td><td>${x.reason}</td></tr>`);
  return html`<table>
<tr><th>文件</th><td>${savedName}</td></tr>
<tr><th>核对期</th><td>${result.period ?? ''}</td></tr>
<tr><th>请求类型</th><td>${result.kind ? ASSIST_KIND_TEXT[result.kind] : ''}${result.kind === 'league' ? `（${result.targetCode}）` : ''}</td></tr>
<tr><th>结果</th><td class="${result.status === 'refused' ? 'bad' : 'ok'}">${ASSIST_STATUS[result.status]}${result.reason ? `：${result.reason}` : ''}</td></tr>
<tr><th>已接受的回复（条请求）</th><td class="num">${result.accepted}</td></tr>
<tr><th>尚未填写核对结果（行）</th><td class="num">${result.unanswered}</td></tr>
<tr><th>未接受的行</th><td class="num">${result.rejected.length}</td></tr>
</table>
${rejected.length ? html`<h3>未接受的行</h3><table><tr><th>行号（核对请求表）</th><th>原因</th></tr>${rejected}</table><p>请修改这些行后重新上传整个工作簿。</p>` : ''}`;
}

/** A unit's answered request workbooks, newest first: when, who, the saved file, state and counts, a link to the result. */
export function assistUploadsTable(uploads: readonly UploadRow[]): Html {
  if (!uploads.length) return html`<p>近期没有上传的回复工作簿。</p>`;
  const rows = uploads.map((u) => {
    const outcome = u.result ? (JSON.parse(u.result) as UploadOutcome) : undefined;
    const result = outcome && 'assist' in outcome ? outcome.assist : undefined;
    const state = !outcome
      ? html`<span>正在导入</span>`
      : 'failure' in outcome
        ? html`<span class="bad">无法导入</span>`
        : result?.status === 'refused'
          ? html`<span class="bad">未导入：${result.reason ?? ''}</span>`
          : html`<span class="ok">${result ? ASSIST_STATUS[result.status] : ''}</span>`;
    const counted = result && result.status !== 'refused';
    return html`<tr><td>${chinaTime(u.received_at)}</td><td>${u.username}</td><td>${u.file.slice(u.file.lastIndexOf('/') + 1)}</td><td>${result?.period ?? ''}</td><td>${state}</td>
<td class="num">${counted ? result.accepted : ''}</td><td class="num">${counted ? result.rejected.length : ''}</td><td class="num">${counted ? result.unanswered : ''}</td><td><a href="/upload/${u.upload_id}">查看</a></td></tr>`;
  });
  return html`<table><tr><th>上传时间</th><th>上传人</th><th>保存的文件名</th><th>核对期</th><th>结果</th><th>已接受（条）</th><th>未接受（行）</th><th>未填写（行）</th><th>详情</th></tr>${rows}</table>`;
}
