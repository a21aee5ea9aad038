/**
 * The components an environment can have, in the order they are composed.
 * Each is a pure function of the environment's config and of the handles the
 * data layer gives it.
 */
import { App } from 'cdk8s';
import { EnvironmentConfig } from '../config/environment';
import { ComponentChart } from '../constructs/component';
import { Consumer } from '../data/handles';
import { DataLayer, DataNeeds, MINIO_NAMESPACE, POSTGRES_NAMESPACE } from '../data/layer';
import { SecretCatalog } from '../secrets/catalog';
import { AIRFLOW, AirflowChart, airflowApiUrl } from './airflow';
import { ArgoCdChart } from './argocd';
import { BUCKETS_NAMESPACE, BucketsChart } from './buckets';
import { CERT_ISSUERS_NAMESPACE, CERT_MANAGER_NAMESPACE, CertIssuersChart, CertManagerChart } from './cert-manager';
import { CNPG_NAMESPACE, CnpgOperatorChart } from './cnpg-operator';
import { GPU_NAMESPACE, GpuChart, NODE_POOLS_NAMESPACE, NodePoolsChart } from './gpu';
import { HELM_CONTROLLER_NAMESPACE, HelmControllerChart } from './helm-controller';
import { MinioChart } from './minio';
import { MLFLOW, MlflowChart, mlflowHandle } from './mlflow';
import { PostgresChart } from './postgres';
import { PREFECT, PrefectChart } from './prefect';
import { KUBERAY_NAMESPACE, KubeRayOperatorChart, RAY_NAMESPACE, RayTrainingChart } from './ray';
import { SealedSecretsChart } from './sealed-secrets';
import { TRAEFIK_NAMESPACE, TraefikChart } from './traefik';
import { KSERVE_NAMESPACE, KServeChart } from './kserve';
import { REDIS_NAMESPACE, RedisChart, cacheHandle } from './redis';
import { SELDON_NAMESPACE, SeldonChart } from './seldon';
import { SERVING, ServingChart, servingReadBuckets } from './serving';
import { INFLUXDB_NAMESPACE, InfluxdbChart } from './influxdb';
import { ALERT_BRIDGE_NAMESPACE, AlertBridgeChart } from './alert-bridge';
import { KAFKA_NAMESPACE, KafkaChart, kafkaHandle, kafkaUsers } from './kafka';
import { ECK_NAMESPACE, EckOperatorChart, LOGGING_CONSUMER, LOGGING_NAMESPACE, LoggingChart, LogShipperChart, SHIPPER_NAMESPACE } from './logging';
import { alertBridgeOn } from '../config/environment';
import { MONITORING_CRDS_NAMESPACE, MONITORING_NAMESPACE, MonitoringChart, MonitoringCrdsChart, NODE_EXPORTER_NAMESPACE, NodeExporterChart } from './monitoring';
import { monitoringNamespaces, platformDashboards } from '../monitoring/platform';

/** What a component gets to build itself. */
export interface PlatformContext {
  readonly app: App;
  readonly config: EnvironmentConfig;
  /** Where components declare the credentials they need. */
  readonly catalog: SecretCatalog;
  /** Databases and buckets, with a handle per consumer. */
  readonly data: DataLayer;
  /** The components this environment runs: name and namespace. */
  readonly components: readonly { readonly name: string; readonly namespace: string }[];
}

export interface ComponentFactory {
  readonly name: string;
  /**
   * The component's namespace, known also where it is not enabled: the
   * AppProject allows the namespaces and kinds of every component, so that
   * removing one from an environment still lets Argo CD delete what it made.
   */
  namespace(config: EnvironmentConfig): string;
  /** Every kind the component may emit, `group/Kind` (`/Kind` for the core group); checked at synth. */
  readonly kinds: readonly string[];
  enabled(config: EnvironmentConfig, data: DataLayer): boolean;
  /** Its pods call MLflow's API directly (they get the MLflow handle): MLflow's port admits its namespace. */
  readonly mlflowClient?: boolean;
  /** A component that uses the data layer says so before any chart is built. */
  readonly consumer?: { readonly consumer: Consumer; needs(config: EnvironmentConfig): DataNeeds };
  create(context: PlatformContext): ComponentChart;
}

/** What the HelmChart construct emits with its install gate (lib/constructs/helm-chart.ts). */
const HELM_CHART_KINDS = [
  'helm.cattle.io/HelmChart',
  '/ResourceQuota',
  '/ConfigMap',
  '/ServiceAccount',
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/RoleBinding',
  'batch/Job',
];
const SEALED = 'bitnami.com/SealedSecret';
/** What lib/monitoring adds to any component it monitors (lib/platform.ts). */
export const MONITORING_KINDS = [
  'monitoring.coreos.com/ServiceMonitor',
  'monitoring.coreos.com/PodMonitor',
  'monitoring.coreos.com/PrometheusRule',
  'networking.k8s.io/NetworkPolicy',
];
const NETWORK_POLICY = 'networking.k8s.io/NetworkPolicy';

/** Namespaces of the enabled components whose pods call MLflow's API directly. */
function mlflowClients(config: EnvironmentConfig, data: DataLayer): string[] {
  return COMPONENTS.filter((f) => f.mlflowClient && f.enabled(config, data)).map((f) => f.namespace(config));
}

export const COMPONENTS: readonly ComponentFactory[] = [
  {
    name: 'helm-controller',
    namespace: () => HELM_CONTROLLER_NAMESPACE,
    kinds: ['apps/Deployment', '/ServiceAccount', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding'],
    enabled: (c) => c.cluster.helmController === 'install',
    create: ({ app }) => new HelmControllerChart(app),
  },
  {
    name: 'sealed-secrets',
    namespace: (c) => c.components.sealedSecrets.namespace,
    kinds: HELM_CHART_KINDS,
    enabled: (c) => c.components.sealedSecrets.enabled,
    create: ({ app, config }) => new SealedSecretsChart(app, config),
  },
  {
    name: 'argocd',
    namespace: (c) => c.argocd.namespace,
    kinds: [...HELM_CHART_KINDS, SEALED],
    enabled: (c) => c.argocd.install,
    create: ({ app, config, catalog }) => new ArgoCdChart(app, config, catalog),
  },
  {
    name: 'traefik',
    namespace: () => TRAEFIK_NAMESPACE,
    kinds: HELM_CHART_KINDS,
    enabled: (c) => c.cluster.ingressController === 'install',
    create: ({ app, config }) => new TraefikChart(app, config),
  },
  {
    name: 'cert-manager',
    namespace: () => CERT_MANAGER_NAMESPACE,
    kinds: HELM_CHART_KINDS,
    // Every UI is served over TLS: cert-manager issues the certificates,
    // unless the environment names a ClusterIssuer of a cert-manager it runs.
    enabled: (c) => c.tls.issuer !== 'clusterIssuer',
    create: ({ app }) => new CertManagerChart(app),
  },
  {
    name: 'cert-issuers',
    namespace: () => CERT_ISSUERS_NAMESPACE,
    kinds: ['cert-manager.io/ClusterIssuer', 'cert-manager.io/Certificate'],
    enabled: (c) => c.tls.issuer !== 'clusterIssuer',
    create: ({ app, config }) => new CertIssuersChart(app, config),
  },
  {
    name: 'gpu',
    namespace: () => GPU_NAMESPACE,
    kinds: [...HELM_CHART_KINDS, 'scheduling.k8s.io/PriorityClass'],
    enabled: (c) => c.nodePools.some((p) => p.kind === 'gpu'),
    create: ({ app, config }) => new GpuChart(app, config),
  },
  {
    name: 'node-pools',
    namespace: () => NODE_POOLS_NAMESPACE,
    kinds: ['karpenter.sh/NodePool'],
    enabled: (c) => c.cluster.autoscaler === 'karpenter' && c.nodePools.length > 0,
    create: ({ app, config }) => new NodePoolsChart(app, config),
  },
  {
    name: 'kuberay-operator',
    namespace: () => KUBERAY_NAMESPACE,
    kinds: HELM_CHART_KINDS,
    // Ray training and Ray Serve models both need it.
    enabled: (c) => c.components.ray.enabled || c.serving.models.some((m) => m.server === 'rayserve'),
    create: ({ app }) => new KubeRayOperatorChart(app),
  },
  {
    name: 'cnpg-operator',
    namespace: () => CNPG_NAMESPACE,
    kinds: HELM_CHART_KINDS,
    enabled: (_c, data) => data.runsPostgres,
    create: ({ app }) => new CnpgOperatorChart(app),
  },
  {
    name: 'minio',
    namespace: () => MINIO_NAMESPACE,
    kinds: ['apps/StatefulSet', 'batch/Job', SEALED, '/ConfigMap', '/Service', NETWORK_POLICY],
    enabled: (_c, data) => data.runsMinio,
    create: ({ app, config, data, catalog }) => new MinioChart(app, config, data, catalog),
  },
  {
    name: 'buckets',
    namespace: () => BUCKETS_NAMESPACE,
    kinds: ['batch/Job', SEALED, '/ConfigMap', '/ServiceAccount', NETWORK_POLICY],
    enabled: (c, data) => c.objectStore.kind === 'external' && data.bucketGrants.length > 0,
    create: ({ app, config, data, catalog }) => new BucketsChart(app, config, data, catalog),
  },
  {
    name: 'postgres',
    namespace: () => POSTGRES_NAMESPACE,
    kinds: [SEALED, NETWORK_POLICY, 'postgresql.cnpg.io/Cluster', 'postgresql.cnpg.io/Database', 'postgresql.cnpg.io/ScheduledBackup'],
    enabled: (_c, data) => data.runsPostgres,
    create: ({ app, config, data, catalog }) => new PostgresChart(app, config, data, catalog),
  },
  {
    name: 'mlflow',
    namespace: () => MLFLOW.namespace,
    kinds: ['apps/Deployment', SEALED, '/ConfigMap', '/Service', '/ServiceAccount', 'networking.k8s.io/Ingress', NETWORK_POLICY, 'policy/PodDisruptionBudget'],
    enabled: (c) => c.components.mlflow.enabled,
    consumer: { consumer: MLFLOW, needs: () => ({ database: true, bucket: true }) },
    create: ({ app, config, data, catalog }) => new MlflowChart(app, config, data, catalog, mlflowClients(config, data)),
  },
  {
    name: 'airflow',
    namespace: () => AIRFLOW.namespace,
    kinds: [...HELM_CHART_KINDS, SEALED],
    mlflowClient: true,
    enabled: (c) => c.components.airflow.enabled,
    consumer: { consumer: AIRFLOW, needs: () => ({ database: true, bucket: true }) },
    create: ({ app, config, data, catalog }) =>
      new AirflowChart(app, { config, data, catalog, ...(config.components.mlflow.enabled ? { mlflow: mlflowHandle() } : {}) }),
  },
  {
    name: 'prefect',
    namespace: () => PREFECT.namespace,
    kinds: [...HELM_CHART_KINDS, SEALED],
    mlflowClient: true,
    enabled: (c) => c.components.prefect.enabled,
    consumer: { consumer: PREFECT, needs: () => ({ database: true }) },
    create: ({ app, config, data, catalog }) => new PrefectChart(app, config, data, catalog, config.components.mlflow.enabled ? mlflowHandle() : undefined),
  },
  {
    name: 'ray',
    namespace: () => RAY_NAMESPACE,
    kinds: ['ray.io/RayCluster', SEALED],
    mlflowClient: true,
    enabled: (c) => c.components.ray.enabled,
    create: ({ app, config }) => new RayTrainingChart(app, config, config.components.mlflow.enabled ? mlflowHandle() : undefined),
  },
  {
    name: 'kserve',
    namespace: () => KSERVE_NAMESPACE,
    kinds: HELM_CHART_KINDS,
    enabled: (c) => c.serving.models.some((m) => m.server === 'kserve'),
    create: ({ app, config }) => new KServeChart(app, config),
  },
  {
    name: 'seldon',
    namespace: () => SELDON_NAMESPACE,
    kinds: HELM_CHART_KINDS,
    enabled: (c) => c.serving.seldon && c.serving.models.some((m) => m.server === 'seldon'),
    create: ({ app }) => new SeldonChart(app),
  },
  {
    name: 'redis',
    namespace: () => REDIS_NAMESPACE,
    kinds: ['apps/StatefulSet', SEALED, '/ConfigMap', '/Service', NETWORK_POLICY],
    enabled: (c) => c.serving.models.some((m) => m.cache),
    create: ({ app, config, catalog }) => new RedisChart(app, config, catalog, [SERVING.namespace]),
  },
  {
    name: 'serving',
    namespace: () => SERVING.namespace,
    kinds: [
      SEALED,
      NETWORK_POLICY,
      '/ConfigMap',
      '/Service',
      '/ServiceAccount',
      'apps/Deployment',
      'autoscaling/HorizontalPodAutoscaler',
      'policy/PodDisruptionBudget',
      'networking.k8s.io/Ingress',
      'batch/CronJob',
      'rbac.authorization.k8s.io/Role',
      'rbac.authorization.k8s.io/RoleBinding',
      'serving.kserve.io/InferenceService',
      'ray.io/RayService',
      'machinelearning.seldon.io/SeldonDeployment',
    ],
    enabled: (c) => c.serving.models.length > 0,
    consumer: { consumer: SERVING, needs: (c) => ({ readBuckets: servingReadBuckets(c) }) },
    create: ({ app, config, data, catalog }) =>
      new ServingChart(app, {
        config,
        data,
        catalog,
        ...(config.serving.models.some((m) => m.cache) ? { cache: cacheHandle() } : {}),
        ...(config.streaming.enabled ? { kafka: kafkaHandle(kafkaUsers(config, () => SERVING.namespace).find((u) => u.component === 'serving')!) } : {}),
        ...(config.streaming.enabled && config.streaming.drift.length ? { driftKafka: kafkaHandle(kafkaUsers(config, () => SERVING.namespace).find((u) => u.component === 'drift')!) } : {}),
        // Retraining pipelines run as Airflow's worker ServiceAccount (task pods of every executor).
        ...(config.components.airflow.enabled
          ? { rolloutNamespace: AIRFLOW.namespace, rolloutServiceAccount: `${AIRFLOW.name}-worker`, clientNamespaces: [AIRFLOW.namespace] }
          : {}),
      }),
  },
  {
    name: 'monitoring-crds',
    namespace: () => MONITORING_CRDS_NAMESPACE,
    kinds: HELM_CHART_KINDS,
    enabled: (c) => c.monitoring.enabled,
    create: ({ app }) => new MonitoringCrdsChart(app),
  },
  {
    name: 'monitoring',
    namespace: () => MONITORING_NAMESPACE,
    kinds: [...HELM_CHART_KINDS, SEALED, '/Service', 'apps/Deployment', 'networking.k8s.io/Ingress', NETWORK_POLICY],
    enabled: (c) => c.monitoring.enabled,
    create: ({ app, config, catalog, components }) =>
      new MonitoringChart(app, { config, catalog, namespaces: monitoringNamespaces(config, components), dashboards: platformDashboards(config, components.map((c) => c.name)) }),
  },
  {
    name: 'node-exporter',
    namespace: () => NODE_EXPORTER_NAMESPACE,
    kinds: HELM_CHART_KINDS,
    enabled: (c) => c.monitoring.enabled,
    create: ({ app }) => new NodeExporterChart(app),
  },
  {
    name: 'influxdb',
    namespace: () => INFLUXDB_NAMESPACE,
    kinds: [...HELM_CHART_KINDS, SEALED, '/Service', 'apps/Deployment', 'networking.k8s.io/Ingress', NETWORK_POLICY],
    enabled: (c) => c.monitoring.enabled && c.monitoring.influxdb.enabled,
    // Model services and pipelines write their metrics.
    create: ({ app, config, catalog, components }) =>
      new InfluxdbChart(app, config, catalog, components.filter((c) => c.name === 'serving' || c.name === 'airflow').map((c) => c.namespace)),
  },
  {
    name: 'alert-bridge',
    namespace: () => ALERT_BRIDGE_NAMESPACE,
    kinds: ['apps/Deployment', SEALED, '/ConfigMap', '/Service', NETWORK_POLICY],
    enabled: (c) => alertBridgeOn(c),
    create: ({ app, config, catalog }) => new AlertBridgeChart(app, config, catalog, airflowApiUrl()),
  },
  {
    name: 'kafka',
    namespace: () => KAFKA_NAMESPACE,
    kinds: [...HELM_CHART_KINDS, SEALED, 'kafka.strimzi.io/Kafka', 'kafka.strimzi.io/KafkaNodePool', 'kafka.strimzi.io/KafkaTopic', 'kafka.strimzi.io/KafkaUser'],
    enabled: (c) => c.streaming.enabled,
    create: ({ app, config, catalog, components }) =>
      new KafkaChart(app, config, catalog, kafkaUsers(config, (name) => components.find((c) => c.name === name)?.namespace ?? name)),
  },
  {
    name: 'eck-operator',
    namespace: () => ECK_NAMESPACE,
    kinds: HELM_CHART_KINDS,
    enabled: (c) => c.logging.enabled,
    create: ({ app }) => new EckOperatorChart(app),
  },
  {
    name: 'logging',
    namespace: () => LOGGING_NAMESPACE,
    kinds: [SEALED, NETWORK_POLICY, '/ConfigMap', '/Service', 'apps/Deployment', 'batch/Job', 'policy/PodDisruptionBudget', 'networking.k8s.io/Ingress', 'elasticsearch.k8s.elastic.co/Elasticsearch', 'kibana.k8s.elastic.co/Kibana', 'logstash.k8s.elastic.co/Logstash'],
    enabled: (c) => c.logging.enabled,
    // Snapshots go to its own bucket.
    consumer: { consumer: LOGGING_CONSUMER, needs: (c) => ({ bucket: c.logging.snapshots !== undefined }) },
    // Airflow reads its task logs back.
    create: ({ app, config, catalog, data }) => new LoggingChart(app, config, catalog, config.components.airflow.enabled ? [AIRFLOW.namespace] : [], data),
  },
  {
    name: 'log-shipper',
    namespace: () => SHIPPER_NAMESPACE,
    kinds: ['/ServiceAccount', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding', 'beat.k8s.elastic.co/Beat'],
    enabled: (c) => c.logging.enabled,
    create: ({ app, config, components }) => new LogShipperChart(app, config.logging.namespaces ?? components.map((c) => c.namespace), config.nodePools),
  },
];
