/**
 * Alert rules as code: each alert a typed definition with its severity,
 * summary, description and runbook (the README's "Alerts" section is made
 * from the same definitions), rendered into PrometheusRule specs.
 */
import type { Severity } from '../config/environment';

export interface AlertDefinition {
  /** CamelCase, unique across the platform. */
  readonly alert: string;
  /** PromQL; the alert fires for every series it returns. */
  readonly expr: string;
  /** How long the condition must hold, e.g. `5m`. */
  readonly for: string;
  readonly severity: Severity;
  /** One line; may use `{{ $labels.x }}` and `{{ $value }}`. */
  readonly summary: string;
  readonly description: string;
  /** What to look at first and what to do: the alert's README runbook entry. */
  readonly runbook: string;
  /** Extra labels routing uses (e.g. `retrain: "true"`). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AlertGroup {
  /** The component the alerts are about; also the PrometheusRule's name. */
  readonly component: string;
  readonly alerts: readonly AlertDefinition[];
}

/** The README anchor of an alert's runbook entry. */
export function runbookAnchor(alert: string): string {
  return `alert-${alert.toLowerCase()}`;
}

/** Where the runbook is published: the README of the environment's repository, when it is a GitHub/GitLab-style https URL. */
export function runbookUrl(repoURL: string, targetRevision: string, alert: string): string {
  const web = repoURL
    .replace(/^git@([^:]+):/, 'https://$1/')
    .replace(/^ssh:\/\/git@/, 'https://')
    .replace(/\.git$/, '');
  return `${web}/blob/${targetRevision}/README.md#${runbookAnchor(alert)}`;
}

/** The `spec` of a PrometheusRule with one group of alerts. */
export function prometheusRuleSpec(group: AlertGroup, runbook: (alert: string) => string): Record<string, unknown> {
  return {
    groups: [
      {
        name: `mlops-gitops.${group.component}`,
        rules: group.alerts.map((a) => ({
          alert: a.alert,
          expr: a.expr,
          for: a.for,
          labels: { severity: a.severity, component: group.component, ...(a.labels ?? {}) },
          annotations: { summary: a.summary, description: a.description, runbook_url: runbook(a.alert) },
        })),
      },
    ],
  };
}

/** Problems of a set of groups: duplicate names, empty texts, a `for` that is not a duration. */
export function alertProblems(groups: readonly AlertGroup[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, AlertDefinition>();
  for (const g of groups) {
    for (const a of g.alerts) {
      // One alert may have a rule per subject (a model), with its own expression and labels, but one meaning.
      const other = seen.get(a.alert);
      if (other && (other.summary !== a.summary || other.description !== a.description || other.runbook !== a.runbook || other.severity !== a.severity)) {
        problems.push(`alert ${a.alert} is defined twice with different meanings`);
      }
      seen.set(a.alert, a);
      if (!/^[A-Z][A-Za-z0-9]+$/.test(a.alert)) problems.push(`alert ${a.alert}: name is not CamelCase`);
      if (!/^[0-9]+[smh]$/.test(a.for)) problems.push(`alert ${a.alert}: for "${a.for}" is not a duration`);
      for (const key of ['summary', 'description', 'runbook'] as const) if (!a[key].trim()) problems.push(`alert ${a.alert}: empty ${key}`);
    }
  }
  return problems;
}
