/**
 * The short report every run of a month ends with, as a person reads it in a terminal: each feed
 * with the delivery the month should use and the snapshot it used, the files with their rows,
 * quarantined rows and rejections, the rules skipped, and every gate that held or was accepted.
 */
import type { MonthReport, NightlyReport } from '../pipeline/run.ts';
import type { RequestsReport } from '../pipeline/requests/run.ts';
import { formatTable } from './table.ts';

const OUTCOME: Record<MonthReport['outcome'], string> = {
  published: 'published',
  held: 'HELD — nothing published, the previous publication is kept',
  'not run': 'not published yet',
};

export function formatMonthReport(r: MonthReport): string {
  const lines: string[] = [`${r.period}: ${OUTCOME[r.outcome]}`];
  if (r.load) lines.push(`inbox: ${r.load.files} new file(s) read (${r.load.staged} staged, ${r.load.rejected} rejected), ${r.load.superseded} superseded, ${r.load.skipped} unchanged`);
  lines.push(
    '',
    formatTable(
      r.feeds.map((f) => {
        const files = f.files.filter((x) => x.period === (f.snapshot ?? f.delivered));
        const used = f.snapshot ? `${f.snapshot}${f.fallback ? ' (previous, --use-previous)' : f.stale ? ' (old)' : ''}` : '-';
        return {
          feed: f.feed,
          delivered: f.delivered ?? '(none)',
          used,
          files: files.length,
          'rows read': files.reduce((n, x) => n + x.rowsRead, 0),
          staged: files.reduce((n, x) => n + x.rowsStaged, 0),
          quarantined: files.reduce((n, x) => n + x.rowsQuarantined, 0),
          rejected: f.files.filter((x) => x.status === 'rejected').length,
        };
      }),
    ).trimEnd(),
  );
  const rejected = r.feeds.flatMap((f) => f.files.filter((x) => x.status === 'rejected'));
  if (rejected.length) {
    lines.push('', 'rejected files:');
    for (const x of rejected) lines.push(`  ${x.file}: ${x.reason ?? 'rejected'}`);
  }
  const noted = r.feeds.flatMap((f) => f.files.filter((x) => x.note));
  if (noted.length) {
    lines.push('', 'notes on files read:');
    for (const x of noted) lines.push(`  ${x.file}: ${x.note}`);
  }
  if (r.rulesSkipped.length) lines.push('', `rules skipped: ${r.rulesSkipped.map((x) => `${x.rule} (${x.reason})`).join(', ')}`);
  if (r.gates.length) lines.push('', 'gates:', formatTable(r.gates.map((g) => ({ outcome: g.outcome, gate: g.gate, subject: g.subject, detail: g.detail }))).trimEnd());
  if (r.match) {
    lines.push('', `${r.match.issued} flags issued, ${r.match.suppressed} suppressed by the whitelist, ${r.match.pendingAuthorization} households waiting for authorization`);
    lines.push(`requests to other places: ${r.match.assist.province} cross-province (跨省核对请求), ${r.match.assist.league} cross-league (协查请求)`);
  }
  if (r.published) lines.push(`county workbooks (${r.published.counties}): ${r.published.folder}`);
  return lines.join('\n') + '\n';
}

export function formatNightlyReport(r: NightlyReport): string {
  const lines: string[] = [];
  if (r.pull) lines.push(`pull: ${r.pull.pulled} pulled, ${r.pull.unchanged} unchanged, ${r.pull.waiting.length} waiting for their control file, ${r.pull.failed.length} failed`);
  lines.push(`inbox: ${r.load.files} new file(s) read (${r.load.staged} staged, ${r.load.rejected} rejected), ${r.load.superseded} superseded`);
  if (r.rejected.length) {
    lines.push('rejected deliveries (a person must look at these files):');
    for (const x of r.rejected) lines.push(`  ${x.feed} ${x.period}: ${x.file}: ${x.reason}`);
  }
  for (const m of r.missing) lines.push(`missing: ${m.feed} ${m.period} was due on ${m.dueOn} and is not in the inbox`);
  if (r.months.length === 0) lines.push('months re-run: none');
  for (const m of r.months) lines.push('', formatMonthReport(m).trimEnd());
  if (r.requests && (r.requests.files.length || r.requests.answered.length)) lines.push('', formatRequestsReport(r.requests).trimEnd());
  return lines.join('\n') + '\n';
}

/** A requests run in lines (no personal data: files, counties, 委托编号, counts). */
export function formatRequestsReport(r: RequestsReport): string {
  const lines = [`requests: ${r.files.length} new file(s) read, ${r.answered.length} report(s) written`];
  for (const f of r.files) lines.push(`  ${f.file}: ${f.status === 'read' ? `${f.rowsRead} rows, ${f.open} request(s) open, ${f.refused} refused` : `rejected: ${f.reason}`}`);
  for (const a of r.answered) lines.push(`  ${a.reportFile}: ${a.findings} finding(s)${a.late ? ', late' : ''}`);
  return lines.join('\n') + '\n';
}
