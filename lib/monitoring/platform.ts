/**
 * The platform's observability as a whole: which namespaces Prometheus
 * reads, the dashboards, and how each component's monitors, rules and
 * scrape permissions are added to its own chart (its namespace, its
 * Application).
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { EnvironmentConfig } from '../config/environment';
import type { ComponentChart } from '../constructs/component';
import { buildDashboard, Dashboard, DashboardSpec } from './dashboards';
import { ComponentMonitoring, monitoringCatalog, overviewDashboard, platformAlerts } from './catalog';
import { AlertGroup, prometheusRuleSpec, runbookUrl } from './rules';

/** The namespace Prometheus runs in (and scrapes from). */
export const PROMETHEUS_NAMESPACE = 'monitoring';

/** Namespaces whose monitors and rules Prometheus reads: the configured list, or every component's. */
export function monitoringNamespaces(config: EnvironmentConfig, components: readonly { readonly namespace: string }[]): string[] {
  return [...new Set(config.monitoring.prometheus.namespaces ?? components.map((c) => c.namespace))].sort();
}

/** The spec of every dashboard: one per component that has one, and the overview. */
export function platformDashboardSpecs(config: EnvironmentConfig, components: readonly string[]): DashboardSpec[] {
  const specs = monitoringCatalog(config, components).flatMap((c) => (c.dashboard ? [c.dashboard] : []));
  return [...specs, overviewDashboard(components)];
}

/** Every dashboard: one per component that has one, and the overview. */
export function platformDashboards(config: EnvironmentConfig, components: readonly string[]): Dashboard[] {
  return platformDashboardSpecs(config, components).map(buildDashboard);
}

/** Every alert group of the environment: the components', and the platform's own (in the monitoring namespace). */
export function platformAlertGroups(config: EnvironmentConfig, components: readonly { readonly name: string; readonly namespace: string }[]): AlertGroup[] {
  const groups: AlertGroup[] = monitoringCatalog(config, components.map((c) => c.name)).map((c) => ({ component: c.component, alerts: c.alerts }));
  return [...groups, { component: 'platform', alerts: platformAlerts(components.map((c) => c.namespace)) }];
}

/** Adds a component's monitors, its rules and the NetworkPolicy that lets Prometheus scrape it to its chart. */
export function addMonitoring(chart: ComponentChart, config: EnvironmentConfig, monitoring: ComponentMonitoring, labels: Record<string, string>): void {
  for (const m of monitoring.monitors) {
    new ApiObject(chart, `monitor-${m.name}`, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: m.kind,
      metadata: { name: m.name, labels },
      spec: m.spec,
    });
  }
  monitoring.scrape.forEach((target, i) => {
    new k8s.KubeNetworkPolicy(chart, `allow-prometheus-${i}`, {
      metadata: { name: i === 0 ? 'allow-prometheus' : `allow-prometheus-${i}`, labels },
      spec: {
        podSelector: target.podSelector as k8s.LabelSelector,
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': PROMETHEUS_NAMESPACE } } }],
            ports: target.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
          },
        ],
      },
    });
  });
  addRules(chart, config, { component: monitoring.component, alerts: monitoring.alerts }, labels);
}

/** A PrometheusRule with a group of alerts, in the chart's namespace. */
export function addRules(chart: ComponentChart, config: EnvironmentConfig, group: AlertGroup, labels: Record<string, string>): void {
  if (group.alerts.length === 0) return;
  new ApiObject(chart, `rules-${group.component}`, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `${group.component}-alerts`, labels },
    spec: prometheusRuleSpec(group, (alert) => runbookUrl(config.gitops.repoURL, config.gitops.targetRevision, alert)),
  });
}
