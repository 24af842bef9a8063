/** The audit trail: who did what, when, from where. Subjects are entry ids, file names, counties — never personal data. */
import type { Warehouse } from './warehouse.ts';

export interface AuditEvent {
  actor: string;
  action: string; // whitelist.add, feedback.import, portal.login, portal.download, portal.upload …
  subject?: string | null;
  detail?: string | null;
  remote?: string | null;
  period?: string | null;
}

export async function recordAudit(w: Warehouse, e: AuditEvent): Promise<void> {
  await w.exec('audit', 'insert into audit values (now(), $actor, $action, $subject, $detail, $remote, $period)', {
    actor: e.actor,
    action: e.action,
    subject: e.subject ?? null,
    detail: e.detail ?? null,
    remote: e.remote ?? null,
    period: e.period ?? null,
  });
}

export async function auditReport(w: Warehouse, period?: string): Promise<Record<string, unknown>[]> {
  return w.rows(
    'audit:list',
    `select strftime(occurred_at, '%Y-%m-%d %H:%M:%S') as occurred_at, actor, action, subject, detail, remote, period
     from audit ${period ? 'where period = $period' : ''} order by occurred_at, action, subject`,
    period ? { period } : undefined,
  );
}
