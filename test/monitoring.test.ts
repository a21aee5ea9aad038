/**
 * Observability: the stack's values, monitors that match real Services and
 * ports, Prometheus let in by every NetworkPolicy in the way, dashboards
 * whose queries read metrics the components expose, alert rules checked by
 * Prometheus' grammar and (where installed) by promtool, Alertmanager's
 * configuration checked and routed by amtool, no secret in values, and the
 * errors a user can hit.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { renderEnvironments } from '../lib/cli/synth';
import { CHARTS, IMAGES } from '../lib/config/versions';
import { KUBERNETES_METRICS, monitoringCatalog } from '../lib/monitoring/catalog';
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { buildDashboard, DashboardSpec, PanelSpec, PROMETHEUS } from '../lib/monitoring/dashboards';
import { platformAlertGroups, platformDashboards, platformDashboardSpecs } from '../lib/monitoring/platform';
import { alertProblems } from '../lib/monitoring/rules';
import { renderPlatform } from '../lib/render';
import { parsePromql } from './promql';
import { alertsMarkdown, README_ENVIRONMENTS, shippedAlertGroups, updateReadme } from '../scripts/readme-argocd-cm';
import { binary, envYaml, loadConfig, platformOf, ROOT, userError } from './support';

type Obj = Record<string, any>;
const SHIPPED = ['local', 'staging', 'prod'] as const;
const rendered = new Map(renderEnvironments(ROOT, [...SHIPPED]).map((r) => [r.env, new Map(r.files.map((f) => [f.path, f.object as Obj]))]));
const env = (name: (typeof SHIPPED)[number]) => rendered.get(name)!;
const values = (o: Obj) => yaml.load(o.spec.valuesContent) as Obj;
const componentsOf = (objs: Map<string, Obj>) =>
  [...objs.values()].filter((o) => o.kind === 'Application' && o.metadata.labels?.['app.kubernetes.io/component']).map((o) => ({ name: o.metadata.labels['app.kubernetes.io/component'] as string, namespace: o.spec.destination.namespace as string }));
const promtool = binary('promtool');
const amtool = binary('amtool');

function matches(selector: Obj, labels: Obj = {}): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'Exists' && !(e.key in labels)) return false;
    if (e.operator === 'In' && !e.values.includes(labels[e.key])) return false;
  }
  return true;
}

/** Pod templates of an environment's own objects, with their namespace: labels and declared port names. */
function podTemplates(objs: Map<string, Obj>): { namespace: string; labels: Obj; ports: string[] }[] {
  const out: { namespace: string; labels: Obj; ports: string[] }[] = [];
  for (const o of objs.values()) {
    const ns = o.metadata.namespace;
    const add = (labels: Obj | undefined, containers: Obj[] | undefined) =>
      out.push({ namespace: ns, labels: labels ?? {}, ports: (containers ?? []).flatMap((c) => (c.ports ?? []).map((p: Obj) => p.name)) });
    if (['Deployment', 'StatefulSet'].includes(o.kind)) add(o.spec.template.metadata?.labels, o.spec.template.spec.containers);
    if (o.kind === 'InferenceService') add(o.spec.predictor.labels, [o.spec.predictor.model]);
    if (o.kind === 'RayService' || o.kind === 'RayCluster') {
      const c = o.kind === 'RayService' ? o.spec.rayClusterConfig : o.spec;
      // KubeRay adds the port "metrics" (8080) to head and workers that declare none (common/pod.go, v1.7.0).
      for (const t of [c.headGroupSpec.template, ...c.workerGroupSpecs.map((w: Obj) => w.template)]) {
        out.push({ namespace: ns, labels: { ...(t.metadata?.labels ?? {}), 'ray.io/node-type': 'x' }, ports: ['metrics'] });
      }
    }
  }
  return out;
}

/**
 * Targets made by charts and operators (not in dist/), recorded from upstream source at the pinned
 * versions: which pods or Services carry these labels and port names.
 */
const UPSTREAM_TARGETS: Record<string, { kind: string; labels: Obj; port: string; source: string }> = {
  postgres: { kind: 'PodMonitor', labels: { 'cnpg.io/cluster': 'postgres', 'cnpg.io/podRole': 'instance' }, port: 'metrics', source: 'cloudnative-pg v1.30.0 pkg/specs/pods.go, podmonitor.go' },
  'airflow-statsd': { kind: 'ServiceMonitor', labels: { component: 'statsd', release: 'airflow' }, port: 'statsd-scrape', source: 'airflow chart 1.20.0 templates/statsd/statsd-service.yaml' },
  argocd: { kind: 'ServiceMonitor', labels: { 'app.kubernetes.io/part-of': 'argocd' }, port: 'http-metrics', source: 'argo-helm argo-cd 10.1.1 templates/*/metrics.yaml' },
  'sealed-secrets': { kind: 'ServiceMonitor', labels: { 'app.kubernetes.io/name': 'sealed-secrets' }, port: 'metrics', source: 'sealed-secrets helm-v2.18.5 templates/service.yaml' },
  'cert-manager': { kind: 'ServiceMonitor', labels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' }, port: 'http-metrics', source: 'cert-manager v1.21.1 deploy/charts/cert-manager/templates/service.yaml' },
  traefik: { kind: 'ServiceMonitor', labels: { 'app.kubernetes.io/name': 'traefik' }, port: 'metrics', source: 'traefik-helm-chart v41.3.0 templates/service-metrics.yaml' },
  'kuberay-operator': { kind: 'ServiceMonitor', labels: { 'app.kubernetes.io/name': 'kuberay-operator' }, port: 'http', source: 'kuberay v1.7.0 helm-chart/kuberay-operator/templates/service.yaml' },
  kafka: { kind: 'PodMonitor', labels: { 'strimzi.io/cluster': 'kafka' }, port: 'tcp-prometheus', source: 'strimzi 1.2.0 KafkaCluster / KafkaExporter (container port tcp-prometheus 9404)' },
  'cloudnative-pg': { kind: 'PodMonitor', labels: { 'app.kubernetes.io/name': 'cloudnative-pg' }, port: 'metrics', source: 'cloudnative-pg charts v0.29.0 templates/deployment.yaml' },
};

test('kube-prometheus-stack: pinned images, CRDs from their own chart (upgraded with it), the platform\'s namespaces only, no secret in values', () => {
  for (const name of SHIPPED) {
    const objs = env(name);
    const chart = objs.get('monitoring/HelmChart.kube-prometheus-stack.k8s.yaml')!;
    assert.equal(chart.spec.version, CHARTS.kubePrometheusStack.version);
    const v = values(chart);
    assert.equal(v.crds.enabled, false);
    const crds = objs.get('monitoring-crds/HelmChart.prometheus-operator-crds.k8s.yaml')!;
    assert.equal(crds.spec.version, CHARTS.prometheusOperatorCrds.version);
    assert.equal(CHARTS.prometheusOperatorCrds.appVersion, CHARTS.kubePrometheusStack.appVersion, 'the CRDs are the operator\'s own version');
    assert.equal(crds.metadata.annotations['argocd.argoproj.io/sync-wave'], '0', 'before every chart that may ship a monitor');
    assert.equal(IMAGES.prometheusOperator.tag, CHARTS.kubePrometheusStack.appVersion);
    const p = v.prometheus.prometheusSpec;
    assert.equal(`${p.image.registry}/${p.image.repository}:${p.image.tag}`, `${IMAGES.prometheus.repository}:${IMAGES.prometheus.tag}`);
    assert.equal(v.grafana.image.tag, IMAGES.grafana.tag);
    // Every monitor and rule in the platform's namespaces, and only there.
    const namespaces = [...new Set(componentsOf(objs).map((c) => c.namespace))].sort();
    for (const key of ['serviceMonitorNamespaceSelector', 'podMonitorNamespaceSelector', 'ruleNamespaceSelector']) {
      assert.deepEqual(p[key], { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces }] }, `${name} ${key}`);
    }
    assert.equal(p.serviceMonitorSelectorNilUsesHelmValues, false);
    // Credentials: Grafana's from a sealed Secret, SMTP's from a mounted file.
    assert.equal(v.grafana.admin.existingSecret, 'grafana-admin');
    assert.equal(v.grafana.adminPassword, undefined);
    const text = chart.spec.valuesContent as string;
    assert.doesNotMatch(text, /smtp_auth_password:|adminPassword:|password: \S|token: [A-Za-z0-9]{20,}/);
    assert.equal(v.kubeControllerManager.enabled, false, 'k3s and managed clusters do not expose it: its down alert would fire forever');
    // The first install creates the webhook before the operator runs: it may not refuse the chart's own rules then.
    assert.equal(v.prometheusOperator.admissionWebhooks.failurePolicy, 'IgnoreOnInstallOnly');
    assert.equal(v.prometheusOperator.admissionWebhooks.certManager.enabled, true);
    // The API server reaches the webhook from addresses no selector matches: the port is open to all.
    assert.deepEqual(objs.get('monitoring/NetworkPolicy.allow-webhook.k8s.yaml')!.spec.ingress, [{ ports: [{ protocol: 'TCP', port: 10250 }] }]);
    // The UI proxies use the chart's Services (a cluster IP), not the operator's headless ones.
    assert.match(objs.get('monitoring/ConfigMap.prometheus-ui.k8s.yaml')!.data['nginx.conf'], /proxy_pass http:\/\/kube-prometheus-stack-prometheus\.monitoring\.svc\.cluster\.local:9090;/);
  }
  assert.deepEqual(values(env('staging').get('monitoring/HelmChart.kube-prometheus-stack.k8s.yaml')!).grafana.deploymentStrategy, { type: 'Recreate' });
  assert.equal(values(env('local').get('monitoring/HelmChart.kube-prometheus-stack.k8s.yaml')!).prometheus.prometheusSpec.storageSpec, undefined);
  for (const name of ['staging', 'prod'] as const) {
    const v = values(env(name).get('monitoring/HelmChart.kube-prometheus-stack.k8s.yaml')!);
    assert.equal(v.alertmanager.alertmanagerSpec.replicas, 2);
    assert.equal(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, '50Gi');
    assert.deepEqual(v.alertmanager.alertmanagerSpec.secrets, ['alertmanager-smtp']);
  }
});

test('every monitor selects a Service or pods and a port that exist: in dist/, or recorded from the chart\'s source', () => {
  for (const name of SHIPPED) {
    const objs = env(name);
    const services = [...objs.values()].filter((o) => o.kind === 'Service');
    const pods = podTemplates(objs);
    for (const [p, m] of objs) {
      if (m.kind !== 'ServiceMonitor' && m.kind !== 'PodMonitor') continue;
      if (m.metadata.name === 'dcgm-exporter') continue;
      const ns = m.metadata.namespace;
      const endpoint = (m.spec.endpoints ?? m.spec.podMetricsEndpoints)[0];
      const upstream = UPSTREAM_TARGETS[m.metadata.name];
      if (upstream) {
        assert.equal(m.kind, upstream.kind, p);
        assert.deepEqual(m.spec.selector, { matchLabels: upstream.labels }, `${name}/${p} (${upstream.source})`);
        assert.equal(endpoint.port, upstream.port, `${name}/${p} (${upstream.source})`);
        continue;
      }
      if (m.kind === 'ServiceMonitor') {
        const hit = services.filter((s) => s.metadata.namespace === ns && matches(m.spec.selector, s.metadata.labels) && s.spec.ports.some((pt: Obj) => pt.name === endpoint.port));
        assert.ok(hit.length > 0, `${name}/${p}: no Service in ${ns} with its labels and port ${endpoint.port}`);
      } else {
        const hit = pods.filter((t) => t.namespace === ns && matches(m.spec.selector, t.labels) && (endpoint.portNumber !== undefined || t.ports.includes(endpoint.port)));
        assert.ok(hit.length > 0, `${name}/${p}: no pod template in ${ns} with its labels and port ${endpoint.port ?? endpoint.portNumber}`);
      }
    }
  }
});

test('Prometheus gets in: every namespace that denies ingress admits the monitoring namespace on the scraped ports', () => {
  const objs = env('staging');
  const policies = [...objs.values()].filter((o) => o.kind === 'NetworkPolicy');
  const admits = (ns: string, port: number) =>
    policies.some(
      (pol) =>
        pol.metadata.namespace === ns &&
        pol.spec.ingress?.some((r: Obj) => r.from?.some((f: Obj) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring') && r.ports?.some((pt: Obj) => pt.port === port)),
    );
  for (const [ns, port] of [['postgres', 9187], ['minio', 9000], ['mlflow', 5000], ['redis', 9121], ['serving', 8080]] as const) assert.ok(admits(ns, port), `${ns}:${port}`);
  // Airflow's exporter is behind the chart's own policy: its extra peer is the monitoring namespace.
  const airflow = values(objs.get('airflow/HelmChart.airflow.k8s.yaml')!);
  assert.deepEqual(airflow.statsd.extraNetworkPolicies, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
  // MLflow exposes its metrics; MinIO its cluster metrics without a token.
  assert.ok(objs.get('mlflow/Deployment.mlflow.k8s.yaml')!.spec.template.spec.containers[0].args.includes('--expose-prometheus=/tmp/prometheus'));
  assert.ok(objs.get('minio/StatefulSet.minio.k8s.yaml')!.spec.template.spec.containers[0].env.some((e: Obj) => e.name === 'MINIO_PROMETHEUS_AUTH_TYPE' && e.value === 'public'));
});

test('dashboards: typed by the foundation SDK, one per component and an overview, every query parses and reads metrics its component exposes', () => {
  for (const name of SHIPPED) {
    const objs = env(name);
    const components = componentsOf(objs);
    const config = loadConfig(fs.readFileSync(path.join(ROOT, `environments/${name}.yaml`), 'utf8'), `environments/${name}.yaml`);
    const catalog = monitoringCatalog(config, components.map((c) => c.name));
    const known = new Set([...KUBERNETES_METRICS, ...catalog.flatMap((c) => c.metrics), 'DCGM_FI_DEV_GPU_UTIL']);
    const dashboards = platformDashboards(config, components.map((c) => c.name));
    assert.ok(dashboards.some((d) => d.uid === 'mlops-overview'));
    for (const d of dashboards) {
      const cm = objs.get(`monitoring/ConfigMap.dashboard-${d.uid}.k8s.yaml`)!;
      assert.equal(cm.metadata.labels.grafana_dashboard, '1');
      const json = JSON.parse(cm.data[`${d.uid}.json`]);
      assert.equal(json.uid, d.uid);
      assert.ok(json.schemaVersion >= 39, 'classic dashboard JSON from the SDK');
      for (const expr of d.exprs) {
        const parsed = parsePromql(expr);
        assert.deepEqual(parsed.errors, [], `${name} ${d.uid}: ${expr}`);
        for (const metric of parsed.metrics) assert.ok(known.has(metric), `${name} ${d.uid}: ${metric} is not a metric its components expose`);
      }
    }
    // A component with a dashboard: postgres in every environment with the database.
    assert.ok(objs.has('monitoring/ConfigMap.dashboard-mlops-postgres.k8s.yaml'));
  }
});

/** A dashboard built with the foundation SDK's own builders, as lib/monitoring/dashboards.ts describes it. */
function sdkDashboard(spec: DashboardSpec): unknown {
  const builder = new DashboardBuilder(spec.title).uid(spec.uid).tags(['mlops-gitops']).refresh('1m').time({ from: 'now-6h', to: 'now' }).timezone('browser').editable();
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const p of row.panels) {
      const panel = p.kind === 'stat' ? new StatPanelBuilder() : new TimeseriesPanelBuilder();
      panel.title(p.title).unit(p.unit).datasource(PROMETHEUS).span(p.kind === 'stat' ? 6 : 12).height(8);
      if (p.description) panel.description(p.description);
      p.queries.forEach((q, i) => {
        const query = new DataqueryBuilder().expr(q.expr).refId(String.fromCharCode(65 + i));
        if (q.legend) query.legendFormat(q.legend);
        panel.withTarget(query);
      });
      builder.withPanel(panel);
    }
  }
  return builder.build();
}

test('dashboards: the JSON is exactly what the foundation SDK\'s builders make, for every dashboard of every shipped environment', () => {
  let n = 0;
  for (const name of SHIPPED) {
    const objs = env(name);
    const config = loadConfig(fs.readFileSync(path.join(ROOT, `environments/${name}.yaml`), 'utf8'), `environments/${name}.yaml`);
    for (const spec of platformDashboardSpecs(config, componentsOf(objs).map((c) => c.name))) {
      assert.equal(JSON.stringify(buildDashboard(spec).json), JSON.stringify(sdkDashboard(spec)), `${name} ${spec.uid}`);
      n++;
    }
  }
  // A description, a legend-less query and a wrapped line, which the shipped dashboards may not all have.
  const spec: DashboardSpec = {
    uid: 'x',
    title: 'X',
    folder: 'f',
    rows: [
      { title: 'a', panels: [1, 2, 3, 4, 5].map((i) => ({ title: `p${i}`, kind: i % 2 ? 'stat' : 'timeseries', unit: 's', description: i === 2 ? 'd' : undefined, queries: [{ expr: 'up' }, { expr: 'up', legend: '{{job}}' }] }) as PanelSpec) },
      { title: 'b', panels: [] },
      { title: 'c', panels: [{ title: 'q', kind: 'stat', unit: 'short', queries: [] }] },
    ],
  };
  assert.equal(JSON.stringify(buildDashboard(spec).json), JSON.stringify(sdkDashboard(spec)));
  assert.ok(n > 20);
});

test('alert rules: names, severities and runbooks; every expression parses and reads known metrics', () => {
  for (const name of SHIPPED) {
    const objs = env(name);
    const components = componentsOf(objs);
    const config = loadConfig(fs.readFileSync(path.join(ROOT, `environments/${name}.yaml`), 'utf8'), `environments/${name}.yaml`);
    const groups = platformAlertGroups(config, components);
    assert.deepEqual(alertProblems(groups), []);
    const known = new Set([...KUBERNETES_METRICS, ...monitoringCatalog(config, components.map((c) => c.name)).flatMap((c) => c.metrics)]);
    for (const g of groups) {
      for (const a of g.alerts) {
        const parsed = parsePromql(a.expr);
        assert.deepEqual(parsed.errors, [], `${a.alert}: ${a.expr}`);
        for (const metric of parsed.metrics) assert.ok(known.has(metric), `${a.alert}: ${metric}`);
      }
    }
    const rules = [...objs.values()].filter((o) => o.kind === 'PrometheusRule');
    assert.ok(rules.some((r) => r.metadata.namespace === 'monitoring' && r.metadata.name === 'platform-alerts'));
    for (const r of rules) {
      for (const rule of r.spec.groups[0].rules) {
        assert.ok(['critical', 'warning', 'info'].includes(rule.labels.severity));
        assert.match(rule.annotations.runbook_url, new RegExp(`^https://github\\.com/example-org/mlops-gitops/blob/main/README\\.md#alert-${rule.alert.toLowerCase()}$`));
      }
    }
  }
});

/** The rule groups of an environment as one rules file. */
function rulesFile(objs: Map<string, Obj>, dir: string): string {
  const groups = [...objs.values()].filter((o) => o.kind === 'PrometheusRule').flatMap((o) => o.spec.groups);
  const file = path.join(dir, 'rules.yaml');
  fs.writeFileSync(file, yaml.dump({ groups }));
  return file;
}

test('promtool check rules accepts every rule of every environment', { skip: promtool ? false : 'promtool is not installed (apt-get install prometheus): the rules were not checked by Prometheus' }, () => {
  for (const name of SHIPPED) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'));
    const out = execFileSync(promtool!, ['check', 'rules', rulesFile(env(name), dir)], { encoding: 'utf8' });
    assert.match(out, /SUCCESS/, out);
  }
});

test('promtool test rules: the alerts fire on the failures they describe and stay quiet otherwise', { skip: promtool ? false : 'promtool is not installed (apt-get install prometheus): the alert unit tests did not run' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'));
  const rules = rulesFile(env('staging'), dir);
  const tests = {
    rule_files: [rules],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          { series: 'cnpg_collector_up{namespace="postgres",pod="postgres-1"}', values: '0x20' },
          { series: 'cnpg_collector_up{namespace="postgres",pod="postgres-2"}', values: '1x20' },
          // The scheduler heart-beats, then stops.
          { series: 'airflow_scheduler_heartbeat{namespace="airflow"}', values: '0+1x10 10x30' },
          // 10% of one model's requests fail, 1% of the other's.
          { series: 'traefik_service_requests_total{service="serving-churn-churn-8080@kubernetes",code="200"}', values: '0+90x30' },
          { series: 'traefik_service_requests_total{service="serving-churn-churn-8080@kubernetes",code="503"}', values: '0+10x30' },
          { series: 'traefik_service_requests_total{service="serving-iris-iris-8080@kubernetes",code="200"}', values: '0+99x30' },
          { series: 'traefik_service_requests_total{service="serving-iris-iris-8080@kubernetes",code="500"}', values: '0+1x30' },
          // iris' petal length drifts after 5 minutes; its sepal length does not.
          { series: 'mlops_drift_pvalue{namespace="serving",model="iris",feature="petal_length"}', values: '0.4x5 0.001x30' },
          { series: 'mlops_drift_pvalue{namespace="serving",model="iris",feature="sepal_length"}', values: '0.4x35' },
        ],
        alert_rule_test: [
          {
            eval_time: '10m',
            alertname: 'PostgresInstanceDown',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', component: 'postgres', namespace: 'postgres', pod: 'postgres-1' },
                exp_annotations: {
                  summary: 'PostgreSQL instance postgres-1 is down',
                  description: 'The CloudNativePG exporter of postgres-1 reports the instance as not running for 5 minutes. MLflow, Airflow and Prefect lose their database when no primary runs.',
                  runbook_url: 'https://github.com/example-org/mlops-gitops/blob/main/README.md#alert-postgresinstancedown',
                },
              },
            ],
          },
          { eval_time: '12m', alertname: 'AirflowSchedulerHeartbeatMissing', exp_alerts: [] },
          {
            eval_time: '30m',
            alertname: 'AirflowSchedulerHeartbeatMissing',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', component: 'airflow' },
                exp_annotations: {
                  summary: 'The Airflow scheduler has not sent a heartbeat for 10 minutes',
                  description: 'No DAG runs or tasks are scheduled, retraining included.',
                  runbook_url: 'https://github.com/example-org/mlops-gitops/blob/main/README.md#alert-airflowschedulerheartbeatmissing',
                },
              },
            ],
          },
          { eval_time: '15m', alertname: 'ModelDriftDetected', exp_alerts: [] },
          {
            eval_time: '25m',
            alertname: 'ModelDriftDetected',
            exp_alerts: [
              {
                exp_labels: { severity: 'warning', component: 'serving', model: 'iris', feature: 'petal_length', retrain: 'true', dag_id: 'retrain_iris' },
                exp_annotations: {
                  summary: 'The inputs of model iris have drifted (petal_length)',
                  description: "The recent values of a feature no longer follow the reference distribution (two-sample Kolmogorov-Smirnov test below the model's threshold). With a retrain DAG, the alert starts it.",
                  runbook_url: 'https://github.com/example-org/mlops-gitops/blob/main/README.md#alert-modeldriftdetected',
                },
              },
            ],
          },
          // Only the model with 10% errors; the one with 1% stays quiet.
          {
            eval_time: '25m',
            alertname: 'ModelErrorRateHigh',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', component: 'serving', service: 'serving-churn-churn-8080@kubernetes' },
                exp_annotations: {
                  summary: 'More than 5% of the requests to serving-churn-churn-8080@kubernetes fail',
                  description: 'Requests through the ingress to a model endpoint end with 5xx (the model server or its gateway fails).',
                  runbook_url: 'https://github.com/example-org/mlops-gitops/blob/main/README.md#alert-modelerrorratehigh',
                },
              },
            ],
          },
        ],
      },
    ],
  };
  const file = path.join(dir, 'tests.yaml');
  fs.writeFileSync(file, yaml.dump(tests));
  let out: string;
  try {
    out = execFileSync(promtool!, ['test', 'rules', file], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    assert.fail(`${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
  assert.match(out, /SUCCESS/);
});

function alertmanagerFile(name: (typeof SHIPPED)[number], dir: string): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, yaml.dump(values(env(name).get('monitoring/HelmChart.kube-prometheus-stack.k8s.yaml')!).alertmanager.config));
  return file;
}

test('amtool check-config accepts every environment\'s Alertmanager configuration', { skip: amtool ? false : 'amtool is not installed (apt-get install prometheus-alertmanager): the config was not checked' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-'));
  for (const name of SHIPPED) {
    const out = execFileSync(amtool!, ['check-config', alertmanagerFile(name, dir)], { encoding: 'utf8' });
    assert.match(out, /SUCCESS/, `${name}: ${out}`);
  }
});

test('alert routing: critical and warning by e-mail, info nowhere, the retrain label to the webhook, the heartbeat to nobody', { skip: amtool ? false : 'amtool is not installed (apt-get install prometheus-alertmanager): routing was not tested' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-'));
  const file = alertmanagerFile('staging', dir);
  const route = (...labels: string[]) => execFileSync(amtool!, ['config', 'routes', 'test', `--config.file=${file}`, ...labels], { encoding: 'utf8' }).trim();
  assert.equal(route('severity=critical', 'alertname=PostgresInstanceDown'), 'email');
  assert.equal(route('severity=warning', 'alertname=RedisDown'), 'email');
  assert.equal(route('severity=info', 'alertname=Something'), 'null');
  assert.equal(route('alertname=Watchdog', 'severity=none'), 'null');
  assert.equal(route('severity=warning', 'retrain=true', 'alertname=ModelDrift'), 'retrain,email');
  // Without e-mail settings (local) every alert stays in Alertmanager's UI.
  assert.equal(execFileSync(amtool!, ['config', 'routes', 'test', `--config.file=${alertmanagerFile('local', dir)}`, 'severity=critical'], { encoding: 'utf8' }).trim(), 'null');
  // The SMTP password is read from the mounted Secret.
  assert.match(fs.readFileSync(file, 'utf8'), /smtp_auth_password_file: \/etc\/alertmanager\/secrets\/alertmanager-smtp\/password/);
});

test('InfluxDB and Chronograf: credentials sealed, organisation and bucket from config, Grafana\'s Flux datasource with the token from the environment', () => {
  const objs = env('staging');
  const v = values(objs.get('influxdb/HelmChart.influxdb2.k8s.yaml')!);
  assert.deepEqual(v.adminUser, { organization: 'mlops', bucket: 'metrics', user: 'admin', retention_policy: '720h', existingSecret: 'influxdb-auth' });
  assert.equal(v.securityContext.runAsUser, 1000);
  const chronograf = objs.get('influxdb/Deployment.chronograf.k8s.yaml')!.spec.template.spec.containers[0];
  assert.deepEqual(chronograf.env.find((e: Obj) => e.name === 'INFLUXDB_TOKEN').valueFrom, { secretKeyRef: { name: 'influxdb-auth', key: 'admin-token' } });
  const grafana = values(objs.get('monitoring/HelmChart.kube-prometheus-stack.k8s.yaml')!).grafana;
  assert.deepEqual(grafana.envValueFrom, { INFLUXDB_TOKEN: { secretKeyRef: { name: 'grafana-influxdb', key: 'token' } } });
  assert.equal(grafana.additionalDataSources[0].secureJsonData.token, '$__env{INFLUXDB_TOKEN}');
  assert.equal(grafana.additionalDataSources[0].jsonData.version, 'Flux');
  assert.ok(!env('local').has('influxdb/HelmChart.influxdb2.k8s.yaml'), 'local leaves InfluxDB off');
});

test('monitoring errors name the field and the fix', () => {
  const cases: [string, RegExp][] = [
    [envYaml('monitoring:\n  alertmanager:\n    email: { to: [ops@example.com] }\n'), /\/monitoring\/alertmanager\/email: alert e-mails need an SMTP server/],
    [envYaml('monitoring:\n  alertmanager:\n    smtp: { host: smtp.example.com, from: a@example.com }\n'), /\/monitoring\/alertmanager\/smtp: SMTP settings without recipients/],
    [envYaml('monitoring: {}\n').replace('ingressClass: traefik', 'ingressClass: traefik\n  prometheusOperator: true'), /\/monitoring: the cluster runs a Prometheus Operator already/],
    [envYaml('monitoring:\n  enabled: false\n  influxdb: {}\n'), /\/monitoring\/influxdb: InfluxDB and Chronograf come with the platform's monitoring, which is disabled/],
    [envYaml('monitoring:\n  prometheus:\n    retention: 15 days\n'), /\/monitoring\/prometheus\/retention/],
  ];
  for (const [text, message] of cases) {
    const err = userError(() => loadConfig(text));
    assert.match(err.message, message, err.message);
  }
  // A monitored component in a namespace Prometheus does not watch: known once the components are composed.
  const err = userError(() => platformOf(envYaml('monitoring:\n  prometheus:\n    namespaces: [monitoring]\n'), { lenient: false }));
  assert.match(err.message, /\/monitoring\/prometheus\/namespaces: component cert-manager is monitored in namespace cert-manager, which Prometheus does not watch/);
  const ok = renderPlatform(platformOf(envYaml('monitoring:\n  prometheus:\n    namespaces: [monitoring]\n'), { lenient: true }));
  assert.ok(ok.length > 0);
});

test('the README has a runbook entry for every alert of the shipped environments (npm run readme)', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const groups = shippedAlertGroups(ROOT, README_ENVIRONMENTS);
  assert.equal(updateReadme(readme, alertsMarkdown(groups)), readme, 'README.md is out of date with the alert definitions: run npm run readme');
  for (const a of groups.flatMap((g) => g.alerts)) assert.ok(readme.includes(`<a id="alert-${a.alert.toLowerCase()}"></a>**${a.alert}**`), a.alert);
});
