/**
 * What each component contributes to observability: the ServiceMonitors and
 * PodMonitors that scrape it (in its own namespace, with the NetworkPolicy
 * that lets Prometheus in), the metric names its targets expose, its alerts
 * and its dashboard. Charts that ship their own monitors (Argo CD,
 * sealed-secrets, cert-manager, Traefik, KubeRay, CloudNativePG's operator,
 * the DCGM exporter) are switched on in their values instead; their metrics
 * and alerts are listed here all the same.
 *
 * Pure: a function of the environment's config.
 */
import type { EnvironmentConfig } from '../config/environment';
import type { DashboardSpec, PanelSpec } from './dashboards';
import type { AlertDefinition } from './rules';

/** A ServiceMonitor or PodMonitor in the component's namespace. */
export interface MonitorObject {
  readonly kind: 'ServiceMonitor' | 'PodMonitor';
  readonly name: string;
  readonly spec: Record<string, unknown>;
}

/** Pods Prometheus must reach, and on which ports (a NetworkPolicy in the component's namespace). */
export interface ScrapeTarget {
  readonly podSelector: Record<string, unknown>;
  readonly ports: readonly number[];
}

export interface ComponentMonitoring {
  /** The component (factory) name. */
  readonly component: string;
  readonly monitors: readonly MonitorObject[];
  readonly scrape: readonly ScrapeTarget[];
  /** Metric names the component's targets expose (the ones its alerts and dashboard use). */
  readonly metrics: readonly string[];
  readonly alerts: readonly AlertDefinition[];
  readonly dashboard?: DashboardSpec;
}

const ts = (title: string, unit: string, ...queries: [string, string?][]): PanelSpec => ({
  title,
  kind: 'timeseries',
  unit,
  queries: queries.map(([expr, legend]) => ({ expr, ...(legend ? { legend } : {}) })),
});
const stat = (title: string, unit: string, expr: string): PanelSpec => ({ title, kind: 'stat', unit, queries: [{ expr }] });

/** Metrics of kube-state-metrics and the kubelet (scraped by kube-prometheus-stack itself) the platform rules use. */
export const KUBERNETES_METRICS = [
  'kube_deployment_status_replicas_available',
  'kube_deployment_spec_replicas',
  'kube_statefulset_status_replicas_ready',
  'kube_statefulset_replicas',
  'kube_pod_container_status_restarts_total',
  'kube_job_status_failed',
  'kubelet_volume_stats_available_bytes',
  'kubelet_volume_stats_capacity_bytes',
  'container_cpu_usage_seconds_total',
  'container_memory_working_set_bytes',
  'up',
];

function monitor(kind: MonitorObject['kind'], name: string, selector: Record<string, unknown>, endpoint: Record<string, unknown>): MonitorObject {
  return {
    kind,
    name,
    spec: kind === 'ServiceMonitor' ? { selector, endpoints: [{ interval: '30s', ...endpoint }] } : { selector, podMetricsEndpoints: [{ interval: '30s', ...endpoint }] },
  };
}

/** Every component's contribution, for the components this environment runs. */
export function monitoringCatalog(config: EnvironmentConfig, components: readonly string[]): ComponentMonitoring[] {
  const has = (c: string) => components.includes(c);
  const out: ComponentMonitoring[] = [];

  if (has('postgres')) {
    const backups = config.database.kind === 'cnpg' && config.database.backup !== undefined;
    out.push({
      component: 'postgres',
      monitors: [monitor('PodMonitor', 'postgres', { matchLabels: { 'cnpg.io/cluster': 'postgres', 'cnpg.io/podRole': 'instance' } }, { port: 'metrics', path: '/metrics' })],
      scrape: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': 'postgres' } }, ports: [9187] }],
      metrics: ['cnpg_collector_up', 'cnpg_pg_replication_lag', 'cnpg_pg_replication_streaming_replicas', 'cnpg_pg_database_size_bytes', 'cnpg_backends_total', 'cnpg_collector_last_failed_backup_timestamp', 'cnpg_collector_last_available_backup_timestamp', 'cnpg_pg_stat_archiver_failed_count'],
      alerts: [
        {
          alert: 'PostgresInstanceDown',
          expr: 'cnpg_collector_up{namespace="postgres"} == 0',
          for: '5m',
          severity: 'critical',
          summary: 'PostgreSQL instance {{ $labels.pod }} is down',
          description: 'The CloudNativePG exporter of {{ $labels.pod }} reports the instance as not running for 5 minutes. MLflow, Airflow and Prefect lose their database when no primary runs.',
          runbook: '`kubectl -n postgres get cluster postgres` shows the phase; `kubectl -n postgres describe pod <pod>` and `kubectl -n postgres logs <pod>` show why the instance stopped (full volume, failed upgrade). With more instances, CloudNativePG fails over by itself.',
        },
        {
          alert: 'PostgresReplicationLagging',
          expr: 'max by (pod) (cnpg_pg_replication_lag{namespace="postgres"}) > 60',
          for: '10m',
          severity: 'warning',
          summary: 'Replica {{ $labels.pod }} is {{ $value }}s behind the primary',
          description: 'A standby has not replayed the primary\'s WAL for over a minute, for 10 minutes: a failover now would lose recent writes.',
          runbook: 'Check the replica\'s logs and its node (`kubectl -n postgres describe pod <pod>`); a replica that cannot catch up (WAL removed) is recreated by deleting its pod and PVC once the primary is healthy.',
        },
        ...(backups
          ? [
              {
                alert: 'PostgresBackupFailing',
                expr: 'max(cnpg_collector_last_failed_backup_timestamp{namespace="postgres"}) > max(cnpg_collector_last_available_backup_timestamp{namespace="postgres"})',
                for: '1h',
                severity: 'critical' as const,
                summary: 'The last PostgreSQL backup failed',
                description: 'The newest base backup attempt failed after the last successful one: point-in-time recovery is getting older.',
                runbook: '`kubectl -n postgres get backups` lists the attempts; `kubectl -n postgres describe backup <name>` gives the error (object-store credentials, bucket, network).',
              },
              {
                alert: 'PostgresWalArchivingFailing',
                expr: 'increase(cnpg_pg_stat_archiver_failed_count{namespace="postgres"}[15m]) > 0',
                for: '15m',
                severity: 'warning' as const,
                summary: 'WAL archiving of {{ $labels.pod }} fails',
                description: 'PostgreSQL cannot archive WAL to the object store; the volume fills with WAL and recovery points stop advancing.',
                runbook: 'The instance logs name the barman-cloud error; check the backup credentials and that the bucket exists.',
              },
            ]
          : []),
      ],
      dashboard: {
        uid: 'mlops-postgres',
        title: 'PostgreSQL',
        folder: 'Data',
        rows: [
          {
            title: 'Health',
            panels: [
              stat('Instances up', 'short', 'sum(cnpg_collector_up{namespace="postgres"})'),
              stat('Streaming replicas', 'short', 'max(cnpg_pg_replication_streaming_replicas{namespace="postgres"})'),
              ts('Replication lag', 's', ['max by (pod) (cnpg_pg_replication_lag{namespace="postgres"})', '{{pod}}']),
              ts('Connections', 'short', ['sum by (pod) (cnpg_backends_total{namespace="postgres"})', '{{pod}}']),
              ts('Database size', 'bytes', ['max by (datname) (cnpg_pg_database_size_bytes{namespace="postgres"})', '{{datname}}']),
            ],
          },
        ],
      },
    });
  }

  if (has('minio')) {
    out.push({
      component: 'minio',
      monitors: [monitor('ServiceMonitor', 'minio', { matchLabels: { 'app.kubernetes.io/component': 'minio' } }, { port: 's3', path: '/minio/v2/metrics/cluster' })],
      scrape: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'minio' } }, ports: [9000] }],
      metrics: ['minio_cluster_health_status', 'minio_cluster_capacity_usable_free_bytes', 'minio_cluster_capacity_usable_total_bytes', 'minio_cluster_drive_offline_total', 'minio_s3_requests_total', 'minio_s3_requests_5xx_errors_total'],
      alerts: [
        {
          alert: 'ObjectStoreUnhealthy',
          expr: 'min(minio_cluster_health_status{namespace="minio"}) == 0 or max(minio_cluster_drive_offline_total{namespace="minio"}) > 0',
          for: '5m',
          severity: 'critical',
          summary: 'MinIO reports an unhealthy cluster or an offline drive',
          description: 'MLflow artifacts, Airflow logs, database backups and model files live in MinIO.',
          runbook: '`kubectl -n minio logs statefulset/minio`; check the volume (`kubectl -n minio get pvc`) and the node it is on.',
        },
        {
          alert: 'ObjectStoreFilling',
          expr: 'min(minio_cluster_capacity_usable_free_bytes{namespace="minio"} / minio_cluster_capacity_usable_total_bytes{namespace="minio"}) < 0.1',
          for: '30m',
          severity: 'warning',
          summary: 'MinIO has less than 10% free space',
          description: 'Writes fail when the volume is full: MLflow uploads, Airflow logs and WAL archiving stop.',
          runbook: 'Delete old MLflow runs or backups past retention, or expand the volume (`kubectl -n minio edit pvc data-minio-0` where the StorageClass allows) and raise `objectStore.minio.storageSize`.',
        },
      ],
      dashboard: {
        uid: 'mlops-minio',
        title: 'MinIO',
        folder: 'Data',
        rows: [
          {
            title: 'Capacity and requests',
            panels: [
              stat('Free space', 'percentunit', 'min(minio_cluster_capacity_usable_free_bytes{namespace="minio"} / minio_cluster_capacity_usable_total_bytes{namespace="minio"})'),
              stat('Offline drives', 'short', 'max(minio_cluster_drive_offline_total{namespace="minio"})'),
              ts('S3 requests', 'reqps', ['sum(rate(minio_s3_requests_total{namespace="minio"}[5m]))', 'requests'], ['sum(rate(minio_s3_requests_5xx_errors_total{namespace="minio"}[5m]))', '5xx']),
            ],
          },
        ],
      },
    });
  }

  if (has('mlflow')) {
    out.push({
      component: 'mlflow',
      monitors: [monitor('ServiceMonitor', 'mlflow', { matchLabels: { 'app.kubernetes.io/component': 'mlflow' } }, { port: 'http', path: '/metrics' })],
      scrape: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'mlflow' } }, ports: [5000] }],
      metrics: ['mlflow_http_request_total', 'mlflow_http_request_duration_seconds_bucket', 'mlflow_http_request_exceptions_total'],
      alerts: [
        {
          alert: 'MlflowErrors',
          expr: 'sum(rate(mlflow_http_request_total{namespace="mlflow",status=~"5.."}[5m])) / sum(rate(mlflow_http_request_total{namespace="mlflow"}[5m])) > 0.05',
          for: '10m',
          severity: 'warning',
          summary: 'More than 5% of MLflow requests fail',
          description: 'Runs cannot log parameters, metrics or models; training pipelines fail at their MLflow calls.',
          runbook: '`kubectl -n mlflow logs deploy/mlflow -c mlflow`: database errors point at PostgreSQL, S3 errors at the object store.',
        },
      ],
      dashboard: {
        uid: 'mlops-mlflow',
        title: 'MLflow',
        folder: 'Platform',
        rows: [
          {
            title: 'API',
            panels: [
              ts('Requests by status', 'reqps', ['sum by (status) (rate(mlflow_http_request_total{namespace="mlflow"}[5m]))', '{{status}}']),
              ts('Latency p95', 's', ['histogram_quantile(0.95, sum by (le) (rate(mlflow_http_request_duration_seconds_bucket{namespace="mlflow"}[5m])))', 'p95']),
            ],
          },
        ],
      },
    });
  }

  if (has('airflow')) {
    out.push({
      component: 'airflow',
      monitors: [monitor('ServiceMonitor', 'airflow-statsd', { matchLabels: { component: 'statsd', release: 'airflow' } }, { port: 'statsd-scrape', path: '/metrics' })],
      // The chart's own NetworkPolicy of the exporter admits Prometheus (statsd.extraNetworkPolicies in lib/components/airflow.ts).
      scrape: [],
      metrics: ['airflow_scheduler_heartbeat', 'airflow_dag_processing_import_errors', 'airflow_ti_failures', 'airflow_ti_successes', 'airflow_dagrun_failed_count', 'airflow_dagrun_duration_count', 'airflow_executor_running_tasks', 'airflow_executor_open_slots'],
      alerts: [
        {
          alert: 'AirflowSchedulerHeartbeatMissing',
          expr: 'sum(rate(airflow_scheduler_heartbeat{namespace="airflow"}[5m])) == 0 or absent(airflow_scheduler_heartbeat{namespace="airflow"})',
          for: '10m',
          severity: 'critical',
          summary: 'The Airflow scheduler has not sent a heartbeat for 10 minutes',
          description: 'No DAG runs or tasks are scheduled, retraining included.',
          runbook: '`kubectl -n airflow get pods -l component=scheduler` and its logs; a scheduler that cannot reach PostgreSQL stops heart-beating.',
        },
        {
          alert: 'AirflowDagImportErrors',
          expr: 'max(airflow_dag_processing_import_errors{namespace="airflow"}) > 0',
          for: '15m',
          severity: 'warning',
          summary: '{{ $value }} DAG files do not import',
          description: 'DAGs whose files fail to import do not run; the Airflow UI lists the errors.',
          runbook: 'Open the Airflow UI, "DAG import errors"; fix the DAG in the DAG repository (git-sync picks it up).',
        },
        {
          alert: 'AirflowDagRunsFailing',
          expr: 'sum(increase(airflow_dagrun_failed_count{namespace="airflow"}[1h])) > 0',
          for: '5m',
          severity: 'warning',
          summary: 'DAG runs failed in the last hour',
          description: 'At least one DAG run ended failed; pipelines such as retraining did not complete.',
          runbook: 'Airflow UI: the failed run\'s task logs. Task pods that cannot be scheduled (GPU pool at its limit) also fail runs.',
        },
      ],
      dashboard: {
        uid: 'mlops-airflow',
        title: 'Airflow',
        folder: 'Pipelines',
        rows: [
          {
            title: 'Scheduler and runs',
            panels: [
              stat('Scheduler heartbeats / min', 'short', 'sum(rate(airflow_scheduler_heartbeat{namespace="airflow"}[5m])) * 60'),
              stat('DAG import errors', 'short', 'max(airflow_dag_processing_import_errors{namespace="airflow"})'),
              ts('DAG runs', 'short', ['sum(increase(airflow_dagrun_duration_count{namespace="airflow"}[1h]))', 'succeeded'], ['sum(increase(airflow_dagrun_failed_count{namespace="airflow"}[1h]))', 'failed']),
              ts('Tasks', 'short', ['sum(increase(airflow_ti_successes{namespace="airflow"}[1h]))', 'succeeded'], ['sum(increase(airflow_ti_failures{namespace="airflow"}[1h]))', 'failed']),
              ts('Executor', 'short', ['sum(airflow_executor_running_tasks{namespace="airflow"})', 'running'], ['sum(airflow_executor_open_slots{namespace="airflow"})', 'open slots']),
            ],
          },
        ],
      },
    });
  }

  if (has('serving')) {
    const models = config.serving.models;
    const monitors: MonitorObject[] = [];
    const ports = new Set<number>();
    for (const m of models) {
      if (m.server === 'kserve') {
        // KServe's servers answer /metrics on their REST port; MLServer on its own metrics port (undeclared: by number).
        const port = m.format === 'mlflow' ? 8082 : 8080;
        ports.add(port);
        monitors.push(monitor('PodMonitor', `model-${m.name}`, { matchLabels: { 'mlops-gitops.dev/model-backend': m.name } }, { portNumber: port, path: '/metrics' }));
      } else if (m.server === 'service') {
        ports.add(m.port);
        monitors.push(monitor('PodMonitor', `model-${m.name}`, { matchLabels: { 'mlops-gitops.dev/model-backend': m.name } }, { port: 'http', path: m.metricsPath }));
      }
    }
    const drift = config.streaming.enabled ? config.streaming.drift : [];
    if (drift.length) monitors.push(monitor('PodMonitor', 'drift', { matchExpressions: [{ key: 'mlops-gitops.dev/drift', operator: 'Exists' }] }, { port: 'http', path: '/metrics' }));
    if (models.some((m) => m.server === 'rayserve')) {
      ports.add(8080);
      monitors.push(monitor('PodMonitor', 'ray-serve', { matchExpressions: [{ key: 'ray.io/node-type', operator: 'Exists' }] }, { port: 'metrics', path: '/metrics' }));
    }
    out.push({
      component: 'serving',
      monitors,
      scrape: [
        ...(ports.size ? [{ podSelector: { matchExpressions: [{ key: 'mlops-gitops.dev/model-backend', operator: 'Exists' }] }, ports: [...ports].sort((a, b) => a - b) }] : []),
        ...(drift.length ? [{ podSelector: { matchExpressions: [{ key: 'mlops-gitops.dev/drift', operator: 'Exists' }] }, ports: [8080] }] : []),
      ],
      metrics: ['mlops_drift_pvalue', 'mlops_drift_statistic', 'mlops_drift_window_rows', 'mlops_drift_rows_total', 'request_predict_seconds_bucket', 'request_predict_seconds_count', 'model_infer_request_success_total', 'model_infer_request_failure_total', 'ray_serve_num_http_requests_total', 'ray_serve_num_http_error_requests_total', 'traefik_service_requests_total', 'traefik_service_request_duration_seconds_bucket'],
      alerts: [
        {
          alert: 'ModelErrorRateHigh',
          expr: 'sum by (service) (rate(traefik_service_requests_total{service=~"serving-.*@kubernetes",code=~"5.."}[5m])) / sum by (service) (rate(traefik_service_requests_total{service=~"serving-.*@kubernetes"}[5m])) > 0.05',
          for: '10m',
          severity: 'critical',
          summary: 'More than 5% of the requests to {{ $labels.service }} fail',
          description: 'Requests through the ingress to a model endpoint end with 5xx (the model server or its gateway fails).',
          runbook: '`kubectl -n serving get inferenceservice,rayservice,deploy`; the model server\'s logs (`kubectl -n serving logs deploy/<model>-predictor`) and the gateway\'s (`kubectl -n serving logs deploy/<model>-gateway`). A new version that fails: set its weight to 0.',
        },
        {
          alert: 'ModelLatencyHigh',
          expr: 'histogram_quantile(0.95, sum by (le, model_name) (rate(request_predict_seconds_bucket{namespace="serving"}[5m]))) > 1 or histogram_quantile(0.95, sum by (le, service) (rate(traefik_service_request_duration_seconds_bucket{service=~"serving-.*@kubernetes"}[5m]))) > 2',
          for: '15m',
          severity: 'warning',
          summary: 'Model {{ $labels.model_name }}{{ $labels.service }} answers slower than its budget (p95)',
          description: 'The 95th percentile of prediction time is over 1s in the model server, or over 2s through the ingress, for 15 minutes.',
          runbook: 'Check CPU throttling and replicas (`kubectl -n serving get hpa`); raise `replicas.max` or `resources` of the model in the environment file.',
        },
        // One rule per watched model: its threshold, and its retrain DAG as the alert bridge's target.
        ...drift.map((d) => {
          const retrain = models.find((m) => m.name === d.model)?.retrainDag;
          return {
            alert: 'ModelDriftDetected',
            expr: `min by (model, feature) (mlops_drift_pvalue{namespace="serving",model="${d.model}"}) < ${d.threshold}`,
            for: d.for,
            severity: 'warning' as const,
            summary: 'The inputs of model {{ $labels.model }} have drifted ({{ $labels.feature }})',
            description: 'The recent values of a feature no longer follow the reference distribution (two-sample Kolmogorov-Smirnov test below the model\'s threshold). With a retrain DAG, the alert starts it.',
            runbook: 'The "Model serving" dashboard shows the p-values per feature. A real change in the data: the retrain DAG runs (Airflow UI) and its new version is rolled out; a broken upstream feed: fix the feed, not the model.',
            labels: { model: d.model, ...(retrain ? { retrain: 'true', dag_id: retrain } : {}) },
          };
        }),
        {
          alert: 'ModelUnavailable',
          expr: 'kube_deployment_status_replicas_available{namespace="serving"} == 0 and kube_deployment_spec_replicas{namespace="serving"} > 0',
          for: '5m',
          severity: 'critical',
          summary: 'No replica of {{ $labels.deployment }} is available',
          description: 'A model server or gateway has no ready pod: its endpoint refuses every request.',
          runbook: '`kubectl -n serving describe deploy/{{ $labels.deployment }}`: a pending GPU pod waits for its pool; a failing storage initializer cannot read the model (check `storageUri` and the model reader\'s access).',
        },
      ],
      dashboard: {
        uid: 'mlops-serving',
        title: 'Model serving',
        folder: 'Serving',
        rows: [
          {
            title: 'Through the ingress',
            panels: [
              ts('Requests', 'reqps', ['sum by (service) (rate(traefik_service_requests_total{service=~"serving-.*@kubernetes"}[5m]))', '{{service}}']),
              ts('Errors (5xx)', 'percentunit', [
                'sum by (service) (rate(traefik_service_requests_total{service=~"serving-.*@kubernetes",code=~"5.."}[5m])) / sum by (service) (rate(traefik_service_requests_total{service=~"serving-.*@kubernetes"}[5m]))',
                '{{service}}',
              ]),
              ts('Latency p95', 's', ['histogram_quantile(0.95, sum by (le, service) (rate(traefik_service_request_duration_seconds_bucket{service=~"serving-.*@kubernetes"}[5m])))', '{{service}}']),
            ],
          },
          ...(drift.length
            ? [
                {
                  title: 'Drift',
                  panels: [
                    ts('KS p-value per feature (drift below the threshold)', 'short', ['min by (model, feature) (mlops_drift_pvalue{namespace="serving"})', '{{model}} {{feature}}']),
                    ts('Rows seen', 'short', ['sum by (model) (rate(mlops_drift_rows_total{namespace="serving"}[5m]))', '{{model}}']),
                  ],
                },
              ]
            : []),
          {
            title: 'Model servers',
            panels: [
              ts('KServe predictions', 'reqps', ['sum by (model_name) (rate(request_predict_seconds_count{namespace="serving"}[5m]))', '{{model_name}}']),
              ts('KServe prediction time p95', 's', ['histogram_quantile(0.95, sum by (le, model_name) (rate(request_predict_seconds_bucket{namespace="serving"}[5m])))', '{{model_name}}']),
              ts('MLServer inferences', 'reqps', ['sum by (model) (rate(model_infer_request_success_total{namespace="serving"}[5m]))', '{{model}} ok'], ['sum by (model) (rate(model_infer_request_failure_total{namespace="serving"}[5m]))', '{{model}} failed']),
              ts('Ray Serve requests', 'reqps', ['sum by (application) (rate(ray_serve_num_http_requests_total{namespace="serving"}[5m]))', '{{application}}'], ['sum by (application) (rate(ray_serve_num_http_error_requests_total{namespace="serving"}[5m]))', '{{application}} errors']),
            ],
          },
        ],
      },
    });
  }

  if (has('redis')) {
    out.push({
      component: 'redis',
      monitors: [monitor('ServiceMonitor', 'redis', { matchLabels: { 'app.kubernetes.io/component': 'redis' } }, { port: 'metrics', path: '/metrics' })],
      scrape: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } }, ports: [9121] }],
      metrics: ['redis_up', 'redis_memory_used_bytes', 'redis_memory_max_bytes', 'redis_connected_clients', 'redis_evicted_keys_total', 'redis_keyspace_hits_total', 'redis_keyspace_misses_total'],
      alerts: [
        {
          alert: 'RedisDown',
          expr: 'max(redis_up{namespace="redis"}) == 0',
          for: '5m',
          severity: 'warning',
          summary: 'The model cache (Redis) is down',
          description: 'Model services lose their cache; they keep answering, slower, if they treat the cache as optional.',
          runbook: '`kubectl -n redis logs statefulset/redis -c redis`.',
        },
      ],
      dashboard: {
        uid: 'mlops-redis',
        title: 'Redis (model cache)',
        folder: 'Serving',
        rows: [
          {
            title: 'Cache',
            panels: [
              ts('Memory', 'bytes', ['max(redis_memory_used_bytes{namespace="redis"})', 'used'], ['max(redis_memory_max_bytes{namespace="redis"})', 'max']),
              ts('Hit ratio', 'percentunit', ['sum(rate(redis_keyspace_hits_total{namespace="redis"}[5m])) / (sum(rate(redis_keyspace_hits_total{namespace="redis"}[5m])) + sum(rate(redis_keyspace_misses_total{namespace="redis"}[5m])))', 'hits']),
              ts('Evictions', 'short', ['sum(rate(redis_evicted_keys_total{namespace="redis"}[5m]))', 'evicted/s']),
              stat('Clients', 'short', 'sum(redis_connected_clients{namespace="redis"})'),
            ],
          },
        ],
      },
    });
  }

  if (has('cert-manager')) {
    out.push({
      component: 'cert-manager',
      // The chart's Service `cert-manager` (prometheus.enabled, its default) has the controller's metrics port.
      monitors: [monitor('ServiceMonitor', 'cert-manager', { matchLabels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' } }, { port: 'http-metrics', path: '/metrics' })],
      scrape: [],
      metrics: ['certmanager_certificate_expiration_timestamp_seconds', 'certmanager_certificate_ready_status'],
      alerts: [
        {
          alert: 'CertificateExpiringSoon',
          expr: '(min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time()) < 14 * 86400',
          for: '1h',
          severity: 'warning',
          summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within 14 days',
          description: 'cert-manager renews 30 days before expiry; a certificate this close to it is failing to renew.',
          runbook: '`kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}` and the CertificateRequest/Order it shows; with ACME, check DNS and that port 80 reaches the ingress controller.',
        },
        {
          alert: 'CertificateNotReady',
          expr: 'max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) == 1',
          for: '30m',
          severity: 'warning',
          summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready',
          description: 'Its UI or model endpoint is served without a valid certificate.',
          runbook: 'As CertificateExpiringSoon. The `cert-issuers` Application shows whether the ClusterIssuer itself is ready.',
        },
      ],
      dashboard: {
        uid: 'mlops-certificates',
        title: 'Certificates',
        folder: 'Platform',
        rows: [
          {
            title: 'cert-manager',
            panels: [
              ts('Days to expiry', 'd', ['min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time()) / 86400', '{{namespace}}/{{name}}']),
              stat('Certificates not ready', 'short', 'sum(certmanager_certificate_ready_status{condition="False"})'),
            ],
          },
        ],
      },
    });
  }

  if (has('argocd')) {
    out.push({
      component: 'argocd',
      // The chart's metrics Services (controller, server, repo-server: `<component>.metrics.enabled`), port http-metrics.
      monitors: [monitor('ServiceMonitor', 'argocd', { matchLabels: { 'app.kubernetes.io/part-of': 'argocd' } }, { port: 'http-metrics', path: '/metrics' })],
      scrape: [],
      metrics: ['argocd_app_info', 'argocd_app_sync_total'],
      alerts: [
        {
          alert: 'PlatformApplicationDegraded',
          expr: 'max by (name) (argocd_app_info{health_status="Degraded"}) == 1',
          for: '15m',
          severity: 'warning',
          summary: 'Argo CD Application {{ $labels.name }} is Degraded',
          description: 'A component of the platform did not come up after its last sync.',
          runbook: '`argocd app get {{ $labels.name }}` (or the Argo CD UI) names the resource that is not healthy.',
        },
      ],
      dashboard: {
        uid: 'mlops-argocd',
        title: 'Argo CD',
        folder: 'Platform',
        rows: [
          {
            title: 'Applications',
            panels: [
              ts('By health', 'short', ['count by (health_status) (argocd_app_info)', '{{health_status}}']),
              ts('By sync status', 'short', ['count by (sync_status) (argocd_app_info)', '{{sync_status}}']),
              ts('Syncs', 'short', ['sum by (phase) (increase(argocd_app_sync_total[1h]))', '{{phase}}']),
            ],
          },
        ],
      },
    });
  }

  if (has('sealed-secrets')) {
    out.push({
      component: 'sealed-secrets',
      // The chart's Service sealed-secrets-controller-metrics, port metrics.
      monitors: [monitor('ServiceMonitor', 'sealed-secrets', { matchLabels: { 'app.kubernetes.io/name': 'sealed-secrets' } }, { port: 'metrics', path: '/metrics' })],
      scrape: [],
      metrics: ['sealed_secrets_controller_unseal_errors_total', 'sealed_secrets_controller_unseal_requests_total'],
      alerts: [
        {
          alert: 'SealedSecretsUnsealFailing',
          expr: 'sum by (namespace, reason) (increase(sealed_secrets_controller_unseal_errors_total[15m])) > 0',
          for: '15m',
          severity: 'critical',
          summary: 'SealedSecrets in {{ $labels.namespace }} cannot be unsealed ({{ $labels.reason }})',
          description: 'The components that read those Secrets do not get their credentials.',
          runbook: 'The sealing certificate in environments/certs/<env>.pem must be the controller\'s (`kubeseal --fetch-cert`); after a key change, `npm run secrets -- --env <env> --all`.',
        },
      ],
      dashboard: {
        uid: 'mlops-sealed-secrets',
        title: 'Sealed secrets',
        folder: 'Platform',
        rows: [
          {
            title: 'Unsealing',
            panels: [
              ts('Unseal requests', 'short', ['sum(rate(sealed_secrets_controller_unseal_requests_total[5m]))', 'requests/s']),
              ts('Unseal errors', 'short', ['sum by (reason) (increase(sealed_secrets_controller_unseal_errors_total[1h]))', '{{reason}}']),
            ],
          },
        ],
      },
    });
  }

  if (has('gpu') && config.gpu.metrics) {
    out.push({
      component: 'gpu',
      monitors: [],
      scrape: [],
      metrics: ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_XID_ERRORS'],
      alerts: [
        {
          alert: 'GpuXidErrors',
          expr: 'max by (Hostname, gpu) (DCGM_FI_DEV_XID_ERRORS) > 0',
          for: '5m',
          severity: 'warning',
          summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reports XID error {{ $value }}',
          description: 'The driver reports a GPU fault; jobs on that GPU may fail or hang.',
          runbook: 'Look the XID up in NVIDIA\'s XID table; for hardware XIDs cordon and drain the node (`kubectl cordon`), the autoscaler replaces it.',
        },
      ],
      dashboard: {
        uid: 'mlops-gpu',
        title: 'GPUs',
        folder: 'Platform',
        rows: [
          {
            title: 'Use',
            panels: [
              ts('GPU utilisation', 'percent', ['avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL)', '{{Hostname}} {{gpu}}']),
              ts('GPU memory used', 'decmbytes', ['sum by (Hostname, gpu) (DCGM_FI_DEV_FB_USED)', '{{Hostname}} {{gpu}}']),
              stat('GPUs reporting', 'short', 'count(DCGM_FI_DEV_GPU_UTIL)'),
            ],
          },
        ],
      },
    });
  }
  if (has('traefik')) {
    out.push({
      component: 'traefik',
      // The chart's Service traefik-metrics (metrics.prometheus.service.enabled), port metrics.
      monitors: [monitor('ServiceMonitor', 'traefik', { matchLabels: { 'app.kubernetes.io/name': 'traefik' } }, { port: 'metrics', path: '/metrics' })],
      scrape: [],
      metrics: ['traefik_service_requests_total', 'traefik_service_request_duration_seconds_bucket', 'traefik_config_last_reload_success', 'traefik_entrypoint_requests_total'],
      alerts: [
        {
          alert: 'IngressConfigReloadFailing',
          expr: 'max(traefik_config_last_reload_success{namespace="traefik"}) == 0',
          for: '10m',
          severity: 'warning',
          summary: 'Traefik could not load its latest configuration',
          description: 'New or changed Ingresses (UIs, model endpoints) are not served.',
          runbook: '`kubectl -n traefik logs deploy/traefik` names the Ingress or certificate it rejects.',
        },
      ],
      dashboard: {
        uid: 'mlops-ingress',
        title: 'Ingress (Traefik)',
        folder: 'Platform',
        rows: [
          {
            title: 'Traffic',
            panels: [
              ts('Requests by entry point', 'reqps', ['sum by (entrypoint) (rate(traefik_entrypoint_requests_total{namespace="traefik"}[5m]))', '{{entrypoint}}']),
              ts('Requests by service and code', 'reqps', ['sum by (service, code) (rate(traefik_service_requests_total{namespace="traefik"}[5m]))', '{{service}} {{code}}']),
            ],
          },
        ],
      },
    });
  }
  if (has('ray')) {
    out.push({
      component: 'ray',
      // KubeRay gives head and workers the port "metrics" (8080) when they declare none.
      monitors: [monitor('PodMonitor', 'ray-training', { matchExpressions: [{ key: 'ray.io/node-type', operator: 'Exists' }] }, { port: 'metrics', path: '/metrics' })],
      scrape: [],
      metrics: ['ray_node_cpu_utilization', 'ray_node_gpus_utilization', 'ray_node_mem_used'],
      alerts: [],
      dashboard: {
        uid: 'mlops-ray',
        title: 'Ray (training)',
        folder: 'Pipelines',
        rows: [
          {
            title: 'Nodes',
            panels: [
              ts('CPU', 'percent', ['avg by (instance) (ray_node_cpu_utilization{namespace="ray"})', '{{instance}}']),
              ts('GPU', 'percent', ['avg by (instance) (ray_node_gpus_utilization{namespace="ray"})', '{{instance}}']),
              ts('Memory', 'bytes', ['sum by (instance) (ray_node_mem_used{namespace="ray"})', '{{instance}}']),
            ],
          },
        ],
      },
    });
  }
  if (has('kafka')) {
    out.push({
      component: 'kafka',
      // Brokers, controllers and the Kafka Exporter: Strimzi's pods with the port tcp-prometheus (9404), which its NetworkPolicies open.
      monitors: [monitor('PodMonitor', 'kafka', { matchLabels: { 'strimzi.io/cluster': 'kafka' } }, { port: 'tcp-prometheus', path: '/metrics' })],
      scrape: [],
      metrics: ['kafka_server_replicamanager_underreplicatedpartitions', 'kafka_controller_kafkacontroller_offlinepartitionscount', 'kafka_consumergroup_lag', 'kafka_server_brokertopicmetrics_messagesinpersec_total'],
      alerts: [
        {
          alert: 'KafkaOfflinePartitions',
          expr: 'sum(kafka_controller_kafkacontroller_offlinepartitionscount{namespace="kafka"}) > 0',
          for: '5m',
          severity: 'critical',
          summary: '{{ $value }} Kafka partitions have no leader',
          description: 'Producers and consumers of those partitions stop: prediction logs are lost or delayed and drift detection stalls.',
          runbook: '`kubectl -n kafka get kafka,kafkanodepool,pods`: brokers that are down or cannot reach their volumes.',
        },
        {
          alert: 'KafkaUnderReplicatedPartitions',
          expr: 'sum(kafka_server_replicamanager_underreplicatedpartitions{namespace="kafka"}) > 0',
          for: '10m',
          severity: 'warning',
          summary: '{{ $value }} Kafka partitions are under-replicated',
          description: 'A broker is down or behind: one more failure may take partitions offline.',
          runbook: 'Find the broker that is not ready (`kubectl -n kafka get pods -l strimzi.io/cluster=kafka`) and its logs.',
        },
        {
          alert: 'KafkaConsumerLagHigh',
          expr: 'sum by (consumergroup, topic) (kafka_consumergroup_lag{namespace="kafka"}) > 10000',
          for: '15m',
          severity: 'warning',
          summary: 'Consumer group {{ $labels.consumergroup }} is {{ $value }} messages behind on {{ $labels.topic }}',
          description: 'The consumer (drift detection, a pipeline) is not keeping up: its results are stale.',
          runbook: 'Check the consumer\'s pods and logs; scale it, or the topic\'s partitions with it.',
        },
      ],
      dashboard: {
        uid: 'mlops-kafka',
        title: 'Kafka',
        folder: 'Data',
        rows: [
          {
            title: 'Partitions and traffic',
            panels: [
              stat('Offline partitions', 'short', 'sum(kafka_controller_kafkacontroller_offlinepartitionscount{namespace="kafka"})'),
              stat('Under-replicated partitions', 'short', 'sum(kafka_server_replicamanager_underreplicatedpartitions{namespace="kafka"})'),
              ts('Messages in', 'short', ['sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesinpersec_total{namespace="kafka"}[5m]))', '{{topic}}']),
              ts('Consumer lag', 'short', ['sum by (consumergroup, topic) (kafka_consumergroup_lag{namespace="kafka"})', '{{consumergroup}} {{topic}}']),
            ],
          },
        ],
      },
    });
  }
  if (has('logging')) {
    out.push({
      component: 'logging',
      monitors: [monitor('ServiceMonitor', 'elasticsearch-exporter', { matchLabels: { 'app.kubernetes.io/component': 'logging' } }, { port: 'http', path: '/metrics' })],
      scrape: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'elasticsearch-exporter' } }, ports: [9114] }],
      metrics: ['elasticsearch_cluster_health_status', 'elasticsearch_filesystem_data_available_bytes', 'elasticsearch_filesystem_data_size_bytes', 'elasticsearch_indices_indexing_index_total'],
      alerts: [
        {
          alert: 'ElasticsearchClusterRed',
          expr: 'max(elasticsearch_cluster_health_status{namespace="logging",color="red"}) == 1',
          for: '5m',
          severity: 'critical',
          summary: 'The logging Elasticsearch cluster is red',
          description: 'Some primary shards are unassigned: logs are not stored and Airflow cannot show task logs from them.',
          runbook: '`kubectl -n logging get elasticsearch` and, in Kibana\'s Dev Tools (or with the logs-admin user), `GET _cluster/allocation/explain`: a full disk or a lost node.',
        },
        {
          alert: 'ElasticsearchClusterYellow',
          expr: 'max(elasticsearch_cluster_health_status{namespace="logging",color="yellow"}) == 1',
          for: '30m',
          severity: 'warning',
          summary: 'The logging Elasticsearch cluster is yellow',
          description: 'Replica shards are unassigned: one more node lost may lose logs.',
          runbook: 'As ElasticsearchClusterRed; a single-node cluster has no room for replicas (set the number of replicas of its indices to 0, or add nodes).',
        },
        {
          alert: 'ElasticsearchDiskWatermark',
          expr: 'min by (name) (elasticsearch_filesystem_data_available_bytes{namespace="logging"} / elasticsearch_filesystem_data_size_bytes{namespace="logging"}) < 0.15',
          for: '15m',
          severity: 'warning',
          summary: 'Elasticsearch node {{ $labels.name }} is past the high disk watermark',
          description: 'Above 85% use Elasticsearch moves shards away, and at 95% it stops writing: logs are dropped.',
          runbook: 'Shorten `logging.retention`, or raise `logging.elasticsearch.storageSize` and expand the claims.',
        },
        {
          alert: 'LogsNotArriving',
          expr: 'sum(rate(elasticsearch_indices_indexing_index_total{namespace="logging"}[30m])) == 0',
          for: '30m',
          severity: 'warning',
          summary: 'No log line has been stored for 30 minutes',
          description: 'Filebeat or Logstash is not shipping: new task logs and container logs are missing from Kibana and Airflow.',
          runbook: '`kubectl -n log-shipper get beat,pods` and the Filebeat logs; `kubectl -n logging logs -l logstash.k8s.elastic.co/name=logging`.',
        },
      ],
      dashboard: {
        uid: 'mlops-logging',
        title: 'Logging (Elasticsearch)',
        folder: 'Platform',
        rows: [
          {
            title: 'Cluster',
            panels: [
              stat('Health: red', 'short', 'max(elasticsearch_cluster_health_status{namespace="logging",color="red"})'),
              ts('Disk free', 'percentunit', ['min by (name) (elasticsearch_filesystem_data_available_bytes{namespace="logging"} / elasticsearch_filesystem_data_size_bytes{namespace="logging"})', '{{name}}']),
              ts('Lines stored', 'short', ['sum(rate(elasticsearch_indices_indexing_index_total{namespace="logging"}[5m]))', 'docs/s']),
            ],
          },
        ],
      },
    });
  }
  if (has('alert-bridge')) {
    out.push({
      component: 'alert-bridge',
      monitors: [monitor('ServiceMonitor', 'alert-bridge', { matchLabels: { 'app.kubernetes.io/component': 'alert-bridge' } }, { port: 'http', path: '/metrics' })],
      // Its NetworkPolicy admits the monitoring namespace already (Alertmanager and Prometheus both live there).
      scrape: [],
      metrics: ['alert_bridge_triggers_total', 'alert_bridge_payloads_total'],
      alerts: [
        {
          alert: 'RetrainTriggerFailing',
          expr: 'sum by (dag_id, result) (increase(alert_bridge_triggers_total{result=~"unavailable|rejected"}[15m])) > 0',
          for: '5m',
          severity: 'critical',
          summary: 'The alert bridge could not start DAG {{ $labels.dag_id }} ({{ $labels.result }})',
          description: 'An alert meant to retrain a model did not start its DAG: Airflow was unreachable (Alertmanager sends it again) or refused the run.',
          runbook: '`kubectl -n alert-bridge logs deploy/alert-bridge` has a line per failure with Airflow\'s answer: a DAG that does not exist or is paused, the service user\'s password (`airflow-alert-bridge`), or the API server down.',
        },
      ],
      dashboard: {
        uid: 'mlops-retrain',
        title: 'Retraining triggers',
        folder: 'Pipelines',
        rows: [{ title: 'Alert bridge', panels: [ts('DAG runs started by alerts', 'short', ['sum by (dag_id, result) (increase(alert_bridge_triggers_total[1h]))', '{{dag_id}} {{result}}'])] }],
      },
    });
  }
  if (has('kuberay-operator')) {
    out.push({
      component: 'kuberay-operator',
      // The chart's Service kuberay-operator, port http (the operator's metrics).
      monitors: [monitor('ServiceMonitor', 'kuberay-operator', { matchLabels: { 'app.kubernetes.io/name': 'kuberay-operator' } }, { port: 'http', path: '/metrics' })],
      scrape: [],
      metrics: ['kuberay_service_condition_ready'],
      alerts: [],
    });
  }
  if (has('cnpg-operator')) {
    out.push({
      component: 'cnpg-operator',
      // No metrics Service: the operator's pods, port metrics.
      monitors: [monitor('PodMonitor', 'cloudnative-pg', { matchLabels: { 'app.kubernetes.io/name': 'cloudnative-pg' } }, { port: 'metrics', path: '/metrics' })],
      scrape: [],
      metrics: ['controller_runtime_reconcile_errors_total'],
      alerts: [],
    });
  }
  return out;
}

/** Alerts of the platform as a whole (kube-state-metrics and the kubelet), over the platform's namespaces. */
export function platformAlerts(namespaces: readonly string[]): AlertDefinition[] {
  const ns = `namespace=~"${[...namespaces].sort().join('|')}"`;
  return [
    {
      alert: 'PlatformWorkloadNotReady',
      expr: `(kube_deployment_spec_replicas{${ns}} > kube_deployment_status_replicas_available{${ns}}) or (kube_statefulset_replicas{${ns}} > kube_statefulset_status_replicas_ready{${ns}})`,
      for: '15m',
      severity: 'warning',
      summary: '{{ $labels.namespace }}/{{ $labels.deployment }}{{ $labels.statefulset }} has fewer ready replicas than it should',
      description: 'Some pods of a platform workload have not been ready for 15 minutes.',
      runbook: '`kubectl -n {{ $labels.namespace }} get pods`; `describe` a pod that is not ready: Pending (no node, a full GPU pool), ImagePullBackOff (a pin that does not exist), CrashLoopBackOff (its logs).',
    },
    {
      alert: 'PlatformPodCrashLooping',
      expr: `increase(kube_pod_container_status_restarts_total{${ns}}[15m]) > 3`,
      for: '5m',
      severity: 'warning',
      summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} restarts repeatedly',
      description: 'More than three restarts in 15 minutes.',
      runbook: '`kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous` shows why the last run ended.',
    },
    {
      alert: 'PlatformVolumeFilling',
      expr: `(kubelet_volume_stats_available_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}}) < 0.1`,
      for: '15m',
      severity: 'warning',
      summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over 90% full',
      description: 'Databases, object storage and logs stop writing when their volume is full.',
      runbook: 'Expand the claim (`kubectl -n {{ $labels.namespace }} edit pvc {{ $labels.persistentvolumeclaim }}`, where the StorageClass allows) and raise its size in the environment file, or delete what is past retention.',
    },
    {
      alert: 'PlatformJobFailed',
      expr: `kube_job_status_failed{${ns}} > 0`,
      for: '15m',
      severity: 'warning',
      summary: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed',
      description: 'A setup job (buckets, install gate, a Helm install) or a load test failed.',
      runbook: '`kubectl -n {{ $labels.namespace }} logs job/{{ $labels.job_name }}`. A failed Helm install job: `kubectl -n {{ $labels.namespace }} get helmchart` and the job\'s log; fix the values and sync again.',
    },
  ];
}

/** The overview dashboard: models, pipelines, the database, GPUs. */
export function overviewDashboard(components: readonly string[]): DashboardSpec {
  const has = (c: string) => components.includes(c);
  const panels: PanelSpec[] = [];
  if (has('serving')) {
    panels.push(
      ts('Model requests', 'reqps', ['sum by (service) (rate(traefik_service_requests_total{service=~"serving-.*@kubernetes"}[5m]))', '{{service}}']),
      ts('Model latency p95', 's', ['histogram_quantile(0.95, sum by (le, service) (rate(traefik_service_request_duration_seconds_bucket{service=~"serving-.*@kubernetes"}[5m])))', '{{service}}']),
      ts('Model errors', 'percentunit', [
        'sum by (service) (rate(traefik_service_requests_total{service=~"serving-.*@kubernetes",code=~"5.."}[5m])) / sum by (service) (rate(traefik_service_requests_total{service=~"serving-.*@kubernetes"}[5m]))',
        '{{service}}',
      ]),
    );
  }
  if (has('airflow')) {
    panels.push(ts('Pipeline runs', 'short', ['sum(increase(airflow_dagrun_duration_count{namespace="airflow"}[1h]))', 'succeeded'], ['sum(increase(airflow_dagrun_failed_count{namespace="airflow"}[1h]))', 'failed']));
  }
  if (has('postgres')) {
    panels.push(stat('Database instances up', 'short', 'sum(cnpg_collector_up{namespace="postgres"})'), ts('Replication lag', 's', ['max(cnpg_pg_replication_lag{namespace="postgres"})', 'lag']));
  }
  if (has('gpu')) panels.push(ts('GPU use', 'percent', ['avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)', '{{Hostname}}']));
  panels.push(ts('Platform pods not ready', 'short', ['sum by (namespace) (kube_deployment_spec_replicas - kube_deployment_status_replicas_available)', '{{namespace}}']));
  return { uid: 'mlops-overview', title: 'MLOps platform overview', folder: 'Platform', rows: [{ title: 'Overview', panels }] };
}
