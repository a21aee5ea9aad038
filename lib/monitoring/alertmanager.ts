/**
 * Alertmanager's configuration, from the environment file: alerts routed by
 * severity to email (the SMTP password read from a mounted sealed Secret,
 * never written in the config), to webhooks (the retrain loop) by matchers,
 * and nowhere else. `amtool check-config` checks it in the tests.
 */
import type { MonitoringConfig } from '../config/environment';

/** The Secret with the SMTP password, mounted by Alertmanager at /etc/alertmanager/secrets/<name>/. */
export const SMTP_SECRET = 'alertmanager-smtp';
export const SMTP_PASSWORD_FILE = `/etc/alertmanager/secrets/${SMTP_SECRET}/password`;

export function alertmanagerConfig(m: MonitoringConfig['alertmanager']): Record<string, unknown> {
  const smtp = m.smtp;
  const global: Record<string, unknown> = { resolve_timeout: '5m' };
  if (smtp) {
    global.smtp_smarthost = `${smtp.host}:${smtp.port}`;
    global.smtp_from = smtp.from;
    global.smtp_require_tls = smtp.starttls;
    if (smtp.user !== undefined) {
      global.smtp_auth_username = smtp.user;
      global.smtp_auth_password_file = SMTP_PASSWORD_FILE;
    }
  }
  const routes: Record<string, unknown>[] = [
    // The always-firing heartbeat of kube-prometheus-stack: proof that the pipeline works, not news.
    { receiver: 'null', matchers: ['alertname="Watchdog"'] },
    { receiver: 'null', matchers: ['alertname="InfoInhibitor"'] },
    ...m.webhooks.map((w) => ({ receiver: w.name, matchers: [...w.matchers], continue: true })),
  ];
  if (m.email) routes.push({ receiver: 'email', matchers: [`severity=~"${m.email.severities.join('|')}"`] });
  return {
    global,
    route: {
      receiver: 'null',
      group_by: ['alertname', 'namespace', 'component'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes,
    },
    // A critical alert silences the warning of the same alert and place.
    inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] }],
    receivers: [
      { name: 'null' },
      ...(m.email ? [{ name: 'email', email_configs: [{ to: m.email.to.join(', '), send_resolved: true }] }] : []),
      ...m.webhooks.map((w) => ({ name: w.name, webhook_configs: [{ url: w.url, send_resolved: true, max_alerts: 0 }] })),
    ],
  };
}
