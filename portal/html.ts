/**
 * Server-rendered pages, in Chinese, for old office browsers: plain HTML 4-era markup (tables,
 * forms), no script, inline style only. Every value goes through `esc`.
 */
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
<p class="note">账号由自治区民政厅分配。连续输错密码将被暂时锁定 15 分钟。</p>`,
  );
}

/** A page for a refusal or an error: status line words, one sentence, a link home. */
export function messagePage(title: string, message: string, user?: PageOptions['user']): string {
  return page({ title, user }, html`<p>${message}</p><p><a href="/">返回首页</a></p>`);
}
