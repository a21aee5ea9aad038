/**
 * The resolved configuration of one environment: the environment file after
 * validation, with every default applied, deeply frozen. Components read only
 * this type.
 */
import type { EnvironmentFile } from './schema';

export type Distribution = 'k3s' | 'rke2' | 'generic';

/** CPU and memory for one container. */
export interface ResourceQuantities {
  readonly cpu: string;
  readonly memory: string;
}

/** Requests and limits for one container. */
export interface Resources {
  readonly requests: ResourceQuantities;
  readonly limits: ResourceQuantities;
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodePoolConfig {
  /** A DNS-1123 label, unique in the environment. */
  readonly name: string;
  readonly kind: 'cpu' | 'gpu';
  /** Labels the autoscaler knows before a node exists; workloads select the pool by them. */
  readonly labels: Readonly<Record<string, string>>;
  /** @default [] (GPU pools must have a NoSchedule taint) */
  readonly taints: readonly Taint[];
  /** Extended resource of the GPUs. @default 'nvidia.com/gpu' */
  readonly gpuResource: string;
  /** GPU model, for workloads that ask for one (e.g. a10g). */
  readonly gpuType?: string;
  /** @default 1 */
  readonly gpusPerNode: number;
  /** Instance types the autoscaler may use. */
  readonly instanceTypes?: readonly string[];
  /** @default 0 (scale to zero) */
  readonly minNodes: number;
  readonly maxNodes: number;
}

/** A workload's request for GPUs. */
export interface GpuRequest {
  readonly gpus: number;
  /** A specific pool. */
  readonly pool?: string;
  /** A GPU type some GPU pool offers. */
  readonly gpuType?: string;
}

export interface GpuSettings {
  /** GPU feature discovery labels on GPU nodes. @default true */
  readonly featureDiscovery: boolean;
  /** The DCGM exporter on GPU nodes. @default true */
  readonly metrics: boolean;
  /** Pods sharing each GPU (time-slicing); 1 is no sharing. @default 1 */
  readonly timeSlicingReplicas: number;
}

export interface ClusterConfig {
  /** Name of the cluster, a DNS-1123 label. */
  readonly name: string;
  /** Argo CD destination server URL. */
  readonly server: string;
  readonly distribution: Distribution;
  /**
   * Who processes `helm.cattle.io/v1` HelmChart CRs.
   * @default 'builtin' on k3s and rke2, 'install' on generic clusters
   */
  readonly helmController: 'builtin' | 'install';
  readonly storageClass: string;
  readonly ingressClass: string;
  /**
   * Who serves `ingressClass`: a controller the cluster runs already, or
   * Traefik installed by the platform (for generic clusters without one).
   * @default 'existing'
   */
  readonly ingressController: 'existing' | 'install';
  /** The Prometheus Operator runs (its CRDs exist): ServiceMonitors are emitted. @default false */
  readonly prometheusOperator: boolean;
  /** What adds nodes to the pools. @default 'none' */
  readonly autoscaler: 'none' | 'karpenter' | 'cluster-autoscaler';
  /** EC2NodeClass of the Karpenter NodePools. @default 'default' */
  readonly karpenterNodeClass: string;
}

export interface GitOpsConfig {
  /** The git repository Argo CD reads dist/ from (this repository). */
  readonly repoURL: string;
  /** Branch, tag or commit Argo CD follows. */
  readonly targetRevision: string;
  /**
   * Folder of dist/ inside the repository.
   * @default 'dist'
   */
  readonly path: string;
  /**
   * What Argo CD needs to read a private repository: an SSH deploy key (SSH
   * URLs), a token (`auth: token`), or nothing (a public HTTPS repository).
   * Sealed into the repository Secret when the platform installs Argo CD.
   * @default 'ssh' for SSH URLs, else 'none'
   */
  readonly credentials: 'none' | 'ssh' | 'token';
  /** User name sent with the token. @default 'git' */
  readonly username: string;
  /** known_hosts lines for an SSH git server Argo CD's defaults do not cover. */
  readonly knownHosts?: string;
}

export interface SealingConfig {
  /**
   * The sealing certificate (public key of the sealed-secrets controller), relative to the project root.
   * @default 'environments/certs/<env>.pem'
   */
  readonly certificate: string;
}

/** How the UIs' certificates are issued (cert-manager). */
export type TlsConfig =
  /** A CA made in the cluster by cert-manager; browsers warn until it is trusted. */
  | { readonly issuer: 'selfSigned' }
  /** Let's Encrypt (or another ACME server), HTTP-01 through the ingress class. */
  | { readonly issuer: 'acme'; readonly email: string; readonly server: string }
  /** A ClusterIssuer that exists in the cluster. */
  | { readonly issuer: 'clusterIssuer'; readonly clusterIssuer: string };

/** Let's Encrypt's production directory. */
export const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';

export interface ArgoCdConfig {
  /**
   * Install Argo CD with the bootstrap (argo-cd chart as a HelmChart CR) and let it manage itself.
   * `false` for clusters that already run Argo CD.
   * @default true
   */
  readonly install: boolean;
  /**
   * Namespace Argo CD runs in; Applications and the AppProject are created there.
   * @default 'argocd'
   */
  readonly namespace: string;
  /**
   * Highly available Argo CD: replicated server and repo-server, redis-ha.
   * @default false
   */
  readonly ha: boolean;
}

export interface SealedSecretsConfig {
  /**
   * Deploy the sealed-secrets controller. Every credential of the platform is a SealedSecret, so
   * disabling it is only valid when no component needs a credential.
   * @default true
   */
  readonly enabled: boolean;
  /** @default 'sealed-secrets' */
  readonly namespace: string;
  /** @default requests 50m/64Mi, limits 200m/128Mi */
  readonly resources: Resources;
}

export interface MlflowConfig {
  /**
   * Deploy MLflow tracking and registry.
   * @default true when `components.mlflow` is present, false when it is absent
   */
  readonly enabled: boolean;
  /**
   * Server replicas; with 2 or more a PodDisruptionBudget keeps one up.
   * @default 1
   */
  readonly replicas: number;
  /** @default requests 250m/512Mi, limits 1/2Gi */
  readonly resources: Resources;
  /**
   * Basic authentication of the UI by an authenticating proxy in the MLflow
   * pod (works with any ingress controller); the password is a generated
   * sealed value. In-cluster clients use the MLflow port, open only to their
   * namespaces.
   * @default true
   */
  readonly basicAuth: boolean;
}

export interface AirflowDagsConfig {
  /** The DAG repository: `git@host:org/repo.git`, `ssh://...` or `https://...`. */
  readonly repo: string;
  /** Whether `repo` is reached over SSH (then a sealed `gitSshKey` and `knownHosts` are needed). */
  readonly ssh: boolean;
  /** @default 'main' */
  readonly branch: string;
  /** @default 'HEAD' */
  readonly rev: string;
  /** Folder of the DAGs in the repository. @default '' (the root) */
  readonly subPath: string;
  /** How often git-sync pulls. @default '60s' */
  readonly period: string;
  /** The pinned host keys of the SSH server (known_hosts lines). Required over SSH. */
  readonly knownHosts?: string;
  /** Over HTTPS: `token` uses a sealed token (private repository). @default 'none' */
  readonly auth: 'none' | 'token';
  /** User name sent with the token. @default 'git' */
  readonly username: string;
}

/** Airflow's failure e-mails: an SMTP server as for alerts. */
export type AirflowSmtpConfig = SmtpConfig;

export interface AirflowConfig {
  /** @default true when `components.airflow` is present */
  readonly enabled: boolean;
  /** @default 'KubernetesExecutor' (each task a pod) */
  readonly executor: 'KubernetesExecutor' | 'CeleryExecutor';
  readonly dags: AirflowDagsConfig;
  /** API server (UI) replicas; 2 or more add a PodDisruptionBudget. @default 1 */
  readonly apiServerReplicas: number;
  /** Celery workers. @default 1 */
  readonly workerReplicas: number;
  /** Resources of each Celery worker and of each task pod. @default requests 250m/512Mi, limits 1/2Gi */
  readonly workerResources: Resources;
  /** Failure emails; none when absent. */
  readonly smtp?: AirflowSmtpConfig;
  /** The GPU pod template for training tasks; none when absent. */
  readonly gpuTraining?: GpuRequest;
}

export interface RayTrainingConfig {
  /** The GPU request of each worker (placed by lib/gpu/placement.ts). */
  readonly gpu: GpuRequest;
  /** Most GPU workers; the group scales from zero. @default 2 */
  readonly maxWorkers: number;
  /** CPU and memory of each worker. @default requests 2/8Gi, limits 4/16Gi */
  readonly workerResources: Resources;
  /** The head, on a CPU node. @default requests 500m/2Gi, limits 2/4Gi */
  readonly headResources: Resources;
}

export interface RayConfig {
  /** @default true when `components.ray` is present */
  readonly enabled: boolean;
  readonly training: RayTrainingConfig;
}

export interface PrefectConfig {
  /** @default true when `components.prefect` is present */
  readonly enabled: boolean;
  /** @default requests 250m/512Mi, limits 1/1Gi */
  readonly serverResources: Resources;
  /** @default 1 */
  readonly workerReplicas: number;
  /** The Kubernetes work pool the worker serves (created by it). @default 'kubernetes' */
  readonly workPool: string;
}

export interface ComponentsConfig {
  readonly sealedSecrets: SealedSecretsConfig;
  readonly mlflow: MlflowConfig;
  readonly airflow: AirflowConfig;
  readonly ray: RayConfig;
  readonly prefect: PrefectConfig;
}

export type ModelServer = 'kserve' | 'rayserve' | 'seldon' | 'service';
/** Model formats the platform's runtimes load (KServe ClusterServingRuntimes, Seldon prepackaged servers). */
export type ModelFormat = 'sklearn' | 'xgboost' | 'lightgbm' | 'mlflow';

/** One version of a model: where it comes from and its share of the requests. */
export interface ModelVersionConfig {
  /** A short DNS-1123 label; the only version of a model without a split is named `v1`. */
  readonly name: string;
  /** `s3://bucket/path` in the platform's object store (kserve, seldon; optional for service). */
  readonly storageUri?: string;
  /** The model's image (service). */
  readonly image?: string;
  /** Percent of the requests. @default 100 (one version) */
  readonly weight: number;
}

export interface RayServeConfig {
  /** `module:attribute` of the Serve application (a bound deployment). */
  readonly importPath: string;
  /** A zip of the application's code (`s3://` in the platform's object store, or `https://`). */
  readonly workingDir: string;
  /** Exact pip requirements installed in the runtime environment. @default [] */
  readonly pip: readonly string[];
  /** Most GPU (or CPU) workers; the group scales from zero. @default 2 */
  readonly maxWorkers: number;
  /** @default requests=limits 3/12Gi on GPU workers, 2/4Gi on CPU workers */
  readonly workerResources: Resources;
  /** @default requests 500m/2Gi, limits 2/4Gi */
  readonly headResources: Resources;
}

export interface LoadTestConfig {
  /** Simulated users. @default 10 */
  readonly users: number;
  /** Users started per second. @default 2 */
  readonly spawnRate: number;
  /** How long a run lasts. @default '5m' */
  readonly duration: string;
  readonly request: { readonly method: 'GET' | 'POST'; readonly path: string; readonly body?: unknown };
}

export interface ServedModelConfig {
  /** Name of the model: its host, Service and objects are named after it. */
  readonly name: string;
  readonly server: ModelServer;
  /** Required for kserve and seldon. */
  readonly format?: ModelFormat;
  /** One version (`v1`, weight 100), or two to four side by side with weights summing to 100. */
  readonly versions: readonly ModelVersionConfig[];
  /** @default 1 */
  readonly minReplicas: number;
  /** @default minReplicas */
  readonly maxReplicas: number;
  /** Average CPU use (percent of requests) the autoscaler keeps. @default 70 */
  readonly targetCpuUtilization: number;
  /** Each replica's model container. @default requests 100m/256Mi, limits 1/1Gi (3/12Gi with a GPU) */
  readonly resources: Resources;
  /** GPU placement through lib/gpu/placement.ts; none when absent. */
  readonly gpu?: GpuRequest;
  /** @default '<name>.<domain>' */
  readonly host: string;
  /** The service's HTTP port (service). @default 8080 */
  readonly port: number;
  /** Readiness and liveness path (service). @default '/health' */
  readonly healthPath: string;
  /** Prometheus metrics path on `port` (service). @default '/metrics' */
  readonly metricsPath: string;
  /** The service gets the Redis cache's handle. @default false */
  readonly cache: boolean;
  readonly rayserve?: RayServeConfig;
  readonly loadTest?: LoadTestConfig;
  /** The Airflow DAG that retrains the model: alerts about it start it (the alert bridge). */
  readonly retrainDag?: string;
}

export interface ServingAppConfig {
  readonly name: string;
  readonly image: string;
  /** The model the app calls (its in-cluster handle). */
  readonly model: string;
  /** @default '<name>.<domain>' */
  readonly host: string;
  /** @default 8501 (Streamlit) */
  readonly port: number;
  /** @default requests 100m/256Mi, limits 1/1Gi */
  readonly resources: Resources;
}

export interface RedisConfig {
  /** Volume size; no volume (a pure cache) when absent. */
  readonly persistence?: string;
  /** @default requests 50m/128Mi, limits 500m/512Mi */
  readonly resources: Resources;
}

export interface ServingConfig {
  /** @default [] */
  readonly models: readonly ServedModelConfig[];
  /** @default [] */
  readonly apps: readonly ServingAppConfig[];
  /** The model services' cache; runs when some model sets `cache: true`. */
  readonly redis: RedisConfig;
  /** Seldon Core's licence accepted (`serving.seldon.licence: BSL-1.1`). @default false */
  readonly seldon: boolean;
}

export interface SmtpConfig {
  readonly host: string;
  /** @default 587 */
  readonly port: number;
  readonly from: string;
  /** When set, the password is a sealed value. */
  readonly user?: string;
  /** @default true */
  readonly starttls: boolean;
}

export type Severity = 'critical' | 'warning' | 'info';

export interface AlertWebhookConfig {
  readonly name: string;
  readonly url: string;
  /** Alertmanager matchers of the alerts it gets, e.g. `retrain="true"`. @default all alerts */
  readonly matchers: readonly string[];
}

export interface MonitoringConfig {
  /** kube-prometheus-stack runs: Prometheus, Alertmanager, Grafana. @default true when `monitoring` is present */
  readonly enabled: boolean;
  readonly prometheus: {
    /** @default 1 */
    readonly replicas: number;
    /** @default '15d' */
    readonly retention: string;
    /** Volume of each replica; none (data lost on restart) when absent. */
    readonly storageSize?: string;
    /** @default requests 200m/1Gi, limits 1/2Gi */
    readonly resources: Resources;
    /** Namespaces whose monitors and rules Prometheus reads. @default the platform's */
    readonly namespaces?: readonly string[];
  };
  readonly alertmanager: {
    /** @default 1 */
    readonly replicas: number;
    readonly storageSize?: string;
    /** @default requests 20m/64Mi, limits 200m/256Mi */
    readonly resources: Resources;
    /** Email receivers; none when absent. */
    readonly email?: { readonly to: readonly string[]; /** @default ['critical', 'warning'] */ readonly severities: readonly Severity[] };
    readonly smtp?: SmtpConfig;
    /** @default [] */
    readonly webhooks: readonly AlertWebhookConfig[];
  };
  readonly grafana: {
    /** @default requests 50m/256Mi, limits 500m/512Mi */
    readonly resources: Resources;
    /** Volume for Grafana's own database; none when absent (dashboards and datasources are provisioned anyway). */
    readonly storageSize?: string;
  };
  readonly influxdb: {
    /** @default false */
    readonly enabled: boolean;
    /** @default 'mlops' */
    readonly organization: string;
    /** @default 'metrics' */
    readonly bucket: string;
    /** How long points are kept; '0' keeps them forever. @default '30d' */
    readonly retention: string;
    /** @default '10Gi' */
    readonly storageSize: string;
    /** @default requests 100m/256Mi, limits 1/1Gi */
    readonly resources: Resources;
    /** Chronograf connected to it. @default true */
    readonly chronograf: boolean;
  };
}

export interface KafkaTopicConfig {
  readonly name: string;
  /** @default 3 */
  readonly partitions: number;
  /** @default the smaller of 3 and the broker count */
  readonly replicas: number;
  /** @default streaming.kafka.retention */
  readonly retention: string;
}

export interface DriftConfig {
  readonly model: string;
  readonly features: readonly string[];
  /** `s3://bucket/key.csv` in the platform's object store: a column per feature. */
  readonly reference: string;
  /** Rows in the sliding window. @default 500 */
  readonly window: number;
  /** The KS test's p-value below which a feature has drifted. @default 0.01 */
  readonly threshold: number;
  /** How long drift must last before the alert fires. @default '15m' */
  readonly for: string;
}

export interface StreamingConfig {
  /** Kafka (Strimzi) runs. @default true when `streaming` is present */
  readonly enabled: boolean;
  readonly kafka: {
    /** @default 1 */
    readonly brokers: number;
    /** Dedicated controllers; 0 makes the brokers controllers too. @default 0 */
    readonly controllers: number;
    /** Volume of each node. @default '10Gi' */
    readonly storageSize: string;
    /** Each broker's. @default requests 250m/1Gi, limits 1/2Gi */
    readonly resources: Resources;
    /** Default retention of topics. @default '7d' */
    readonly retention: string;
  };
  /** Every topic: `predictions-<model>` for each served model, then `streaming.topics`. */
  readonly topics: readonly KafkaTopicConfig[];
  /** Drift detection per model: its features, reference data, window, threshold. @default [] */
  readonly drift: readonly DriftConfig[];
  /** Components that read topics (each gets its own user and credentials). @default [] */
  readonly consumers: readonly { readonly component: string; readonly topics: readonly string[] }[];
}

export interface LoggingConfig {
  /** ECK's Elasticsearch, Kibana, Filebeat and Logstash run. @default true when `logging` is present */
  readonly enabled: boolean;
  readonly elasticsearch: {
    /** @default 1 */
    readonly nodes: number;
    /** @default '10Gi' */
    readonly storageSize: string;
    /** JVM heap. @default '1g' */
    readonly heap: string;
    /** @default requests 500m/2Gi, limits 2/2Gi */
    readonly resources: Resources;
  };
  /** @default requests 100m/512Mi, limits 1/1Gi */
  readonly kibana: { readonly resources: Resources };
  /** @default 1 replica, requests 250m/1Gi, limits 1/1536Mi */
  readonly logstash: { readonly replicas: number; readonly resources: Resources };
  /** Namespaces whose container logs are shipped. @default every component's */
  readonly namespaces?: readonly string[];
  /** How long logs are kept. @default '7d' */
  readonly retention: string;
  /** Index size that starts a new one. @default '5gb' */
  readonly rolloverSize: string;
  /** Snapshots of the log indices to the object store (its own bucket and user); none when absent. */
  readonly snapshots?: { /** @default '0 30 1 * * ?' */ readonly schedule: string; /** @default '30d' */ readonly retention: string };
}

export interface DatabaseBackupConfig {
  /**
   * When base backups run: six-field cron, seconds first.
   * @default '0 0 2 * * *' (02:00 every day)
   */
  readonly schedule: string;
  /** How long backups and WAL are kept, e.g. `30d`. */
  readonly retention: string;
}

/** PostgreSQL run by CloudNativePG in the cluster. */
export interface InClusterDatabaseConfig {
  readonly kind: 'cnpg';
  /**
   * PostgreSQL instances (1 primary + replicas).
   * @default 1
   */
  readonly instances: number;
  /**
   * Volume size of each instance.
   * @default '5Gi'
   */
  readonly storageSize: string;
  /** @default requests 250m/512Mi, limits 1/1Gi */
  readonly resources: Resources;
  /** Scheduled base backups and WAL archiving to the object store; none when absent. */
  readonly backup?: DatabaseBackupConfig;
}

/** A PostgreSQL server run elsewhere (a managed database). */
export interface ExternalDatabaseConfig {
  readonly kind: 'external';
  readonly host: string;
  /** @default 5432 */
  readonly port: number;
  /** @default 'require' */
  readonly sslmode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
}

export type DatabaseConfig = InClusterDatabaseConfig | ExternalDatabaseConfig;

/** MinIO in the cluster. */
export interface MinioConfig {
  readonly kind: 'minio';
  /** @default '10Gi' */
  readonly storageSize: string;
  /** @default requests 100m/512Mi, limits 1/2Gi */
  readonly resources: Resources;
}

/** An S3-compatible endpoint outside the cluster. */
export interface ExternalObjectStoreConfig {
  readonly kind: 'external';
  readonly endpoint: string;
  readonly region: string;
  /** Prefix of every bucket name (S3 bucket names are global). */
  readonly bucketPrefix: string;
  /** `sealed`: access keys are sealed values; `serviceAccount`: pods use a cloud identity. */
  readonly credentials: 'sealed' | 'serviceAccount';
  /** Annotations of every ServiceAccount that uses the store, e.g. an IRSA role. @default {} */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
}

export type ObjectStoreConfig = MinioConfig | ExternalObjectStoreConfig;

export interface EnvironmentConfig {
  /** Environment name: the file name without `.yaml`. */
  readonly name: string;
  /** The environment file, relative to the project root. */
  readonly file: string;
  readonly description?: string;
  readonly cluster: ClusterConfig;
  /** Base domain; applications are exposed at `<app>.<domain>`. */
  readonly domain: string;
  readonly gitops: GitOpsConfig;
  readonly sealing: SealingConfig;
  /** @default { issuer: 'selfSigned' } */
  readonly tls: TlsConfig;
  readonly argocd: ArgoCdConfig;
  readonly database: DatabaseConfig;
  readonly objectStore: ObjectStoreConfig;
  /** @default [] */
  readonly nodePools: readonly NodePoolConfig[];
  /** How GPUs are exposed: the NVIDIA device plugin or the GPU operator. @default 'device-plugin' */
  readonly gpuPlugin: 'device-plugin' | 'gpu-operator';
  /** GPU settings beyond the plugin. */
  readonly gpu: GpuSettings;
  readonly components: ComponentsConfig;
  readonly serving: ServingConfig;
  readonly monitoring: MonitoringConfig;
  readonly streaming: StreamingConfig;
  readonly logging: LoggingConfig;
}

/** Default resources of the sealed-secrets controller: it is idle most of the time. */
const SEALED_SECRETS_RESOURCES: Resources = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '200m', memory: '128Mi' },
};

const MLFLOW_RESOURCES: Resources = { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };
const DATABASE_RESOURCES: Resources = { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } };
const MINIO_RESOURCES: Resources = { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };

const WORKER_RESOURCES: Resources = { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };

function resolveTls(raw: EnvironmentFile['tls']): TlsConfig {
  switch (raw?.issuer ?? 'selfSigned') {
    case 'acme':
      return { issuer: 'acme', email: raw?.acme?.email ?? '', server: raw?.acme?.server ?? LETS_ENCRYPT };
    case 'clusterIssuer':
      return { issuer: 'clusterIssuer', clusterIssuer: raw?.clusterIssuer ?? '' };
    default:
      return { issuer: 'selfSigned' };
  }
}

function resolveAirflow(raw: EnvironmentFile['components']['airflow']): AirflowConfig {
  const dags = raw?.dags;
  const repo = dags?.repo ?? '';
  return {
    enabled: raw !== undefined && (raw.enabled ?? true),
    executor: raw?.executor ?? 'KubernetesExecutor',
    dags: {
      repo,
      ssh: !repo.startsWith('https://'),
      branch: dags?.branch ?? 'main',
      rev: dags?.rev ?? 'HEAD',
      subPath: dags?.subPath ?? '',
      period: dags?.period ?? '60s',
      ...(dags?.knownHosts !== undefined ? { knownHosts: dags.knownHosts } : {}),
      auth: dags?.auth ?? 'none',
      username: dags?.username ?? 'git',
    },
    apiServerReplicas: raw?.apiServerReplicas ?? 1,
    ...(raw?.gpuTraining ? { gpuTraining: raw.gpuTraining } : {}),
    workerReplicas: raw?.workerReplicas ?? 1,
    workerResources: raw?.workerResources ?? WORKER_RESOURCES,
    ...(raw?.smtp
      ? {
          smtp: {
            host: raw.smtp.host,
            port: raw.smtp.port ?? 587,
            from: raw.smtp.from,
            ...(raw.smtp.user !== undefined ? { user: raw.smtp.user } : {}),
            starttls: raw.smtp.starttls ?? true,
          },
        }
      : {}),
  };
}

function resolveRay(raw: EnvironmentFile['components']['ray']): RayConfig {
  const t = raw?.training;
  return {
    enabled: raw !== undefined && (raw.enabled ?? true),
    training: {
      gpu: { gpus: t?.gpus ?? 1, ...(t?.pool !== undefined ? { pool: t.pool } : {}), ...(t?.gpuType !== undefined ? { gpuType: t.gpuType } : {}) },
      maxWorkers: t?.maxWorkers ?? 2,
      // Fits the smallest GPU instances (4 vCPU, 16 GiB: about 3.5 CPU and 13 GiB allocatable).
      workerResources: t?.workerResources ?? { requests: { cpu: '3', memory: '12Gi' }, limits: { cpu: '3', memory: '12Gi' } },
      headResources: t?.headResources ?? { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    },
  };
}

function resolveDatabase(raw: EnvironmentFile['database']): DatabaseConfig {
  if (raw?.external) {
    return { kind: 'external', host: raw.external.host, port: raw.external.port ?? 5432, sslmode: raw.external.sslmode ?? 'require' };
  }
  return {
    kind: 'cnpg',
    instances: raw?.instances ?? 1,
    storageSize: raw?.storageSize ?? '5Gi',
    resources: raw?.resources ?? DATABASE_RESOURCES,
    ...(raw?.backup ? { backup: { schedule: raw.backup.schedule ?? '0 0 2 * * *', retention: raw.backup.retention } } : {}),
  };
}

function resolveObjectStore(raw: EnvironmentFile['objectStore']): ObjectStoreConfig {
  if (raw?.external) {
    return {
      kind: 'external',
      endpoint: raw.external.endpoint,
      region: raw.external.region,
      bucketPrefix: raw.external.bucketPrefix,
      credentials: raw.external.credentials,
      serviceAccountAnnotations: raw.external.serviceAccountAnnotations ?? {},
    };
  }
  return { kind: 'minio', storageSize: raw?.minio?.storageSize ?? '10Gi', resources: raw?.minio?.resources ?? MINIO_RESOURCES };
}

const MODEL_RESOURCES: Resources = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
/** A GPU model's container: fits the smallest GPU instances (4 vCPU, 16 GiB). */
const GPU_MODEL_RESOURCES: Resources = { requests: { cpu: '3', memory: '12Gi' }, limits: { cpu: '3', memory: '12Gi' } };

function resolveServing(raw: EnvironmentFile['serving'], domain: string): ServingConfig {
  const models = (raw?.models ?? []).map((m): ServedModelConfig => {
    const versions: ModelVersionConfig[] = m.versions
      ? m.versions.map((v) => ({ name: v.name, weight: v.weight, ...(v.storageUri ? { storageUri: v.storageUri } : {}), ...(v.image ? { image: v.image } : {}) }))
      : [{ name: 'v1', weight: 100, ...(m.storageUri ? { storageUri: m.storageUri } : {}), ...(m.image ? { image: m.image } : {}) }];
    const minReplicas = m.replicas?.min ?? 1;
    const rs = m.rayserve;
    return {
      name: m.name,
      server: m.server,
      ...(m.format ? { format: m.format } : {}),
      versions,
      minReplicas,
      maxReplicas: m.replicas?.max ?? minReplicas,
      targetCpuUtilization: m.targetCpuUtilization ?? 70,
      resources: m.resources ?? (m.gpu ? GPU_MODEL_RESOURCES : MODEL_RESOURCES),
      ...(m.gpu ? { gpu: m.gpu } : {}),
      host: m.host ?? `${m.name}.${domain}`,
      port: m.port ?? 8080,
      healthPath: m.healthPath ?? '/health',
      metricsPath: m.metricsPath ?? '/metrics',
      cache: m.cache ?? false,
      ...(m.retrainDag !== undefined ? { retrainDag: m.retrainDag } : {}),
      ...(rs
        ? {
            rayserve: {
              importPath: rs.importPath,
              workingDir: rs.workingDir,
              pip: rs.pip ?? [],
              maxWorkers: rs.maxWorkers ?? 2,
              workerResources: rs.workerResources ?? (m.gpu ? GPU_MODEL_RESOURCES : { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } }),
              headResources: rs.headResources ?? { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
            },
          }
        : {}),
      ...(m.loadTest
        ? {
            loadTest: {
              users: m.loadTest.users ?? 10,
              spawnRate: m.loadTest.spawnRate ?? 2,
              duration: m.loadTest.duration ?? '5m',
              request: {
                method: m.loadTest.request.method ?? (m.loadTest.request.body !== undefined ? 'POST' : 'GET'),
                path: m.loadTest.request.path,
                ...(m.loadTest.request.body !== undefined ? { body: m.loadTest.request.body } : {}),
              },
            },
          }
        : {}),
    };
  });
  return {
    models,
    apps: (raw?.apps ?? []).map((a) => ({
      name: a.name,
      image: a.image,
      model: a.model,
      host: a.host ?? `${a.name}.${domain}`,
      port: a.port ?? 8501,
      resources: a.resources ?? MODEL_RESOURCES,
    })),
    redis: {
      ...(raw?.redis?.persistence ? { persistence: raw.redis.persistence } : {}),
      resources: raw?.redis?.resources ?? { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    },
    seldon: raw?.seldon !== undefined,
  };
}

function resolveMonitoring(raw: EnvironmentFile['monitoring']): MonitoringConfig {
  const am = raw?.alertmanager;
  const influx = raw?.influxdb;
  return {
    enabled: raw !== undefined && (raw.enabled ?? true),
    prometheus: {
      replicas: raw?.prometheus?.replicas ?? 1,
      retention: raw?.prometheus?.retention ?? '15d',
      ...(raw?.prometheus?.storageSize ? { storageSize: raw.prometheus.storageSize } : {}),
      resources: raw?.prometheus?.resources ?? { requests: { cpu: '200m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      ...(raw?.prometheus?.namespaces ? { namespaces: raw.prometheus.namespaces } : {}),
    },
    alertmanager: {
      replicas: am?.replicas ?? 1,
      ...(am?.storageSize ? { storageSize: am.storageSize } : {}),
      resources: am?.resources ?? { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
      ...(am?.email ? { email: { to: am.email.to, severities: am.email.severities ?? ['critical', 'warning'] } } : {}),
      ...(am?.smtp
        ? { smtp: { host: am.smtp.host, port: am.smtp.port ?? 587, from: am.smtp.from, ...(am.smtp.user !== undefined ? { user: am.smtp.user } : {}), starttls: am.smtp.starttls ?? true } }
        : {}),
      webhooks: (am?.webhooks ?? []).map((w) => ({ name: w.name, url: w.url, matchers: w.matchers ?? [] })),
    },
    grafana: {
      resources: raw?.grafana?.resources ?? { requests: { cpu: '50m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      ...(raw?.grafana?.storageSize ? { storageSize: raw.grafana.storageSize } : {}),
    },
    influxdb: {
      enabled: influx !== undefined && (influx.enabled ?? true),
      organization: influx?.organization ?? 'mlops',
      bucket: influx?.bucket ?? 'metrics',
      retention: influx?.retention ?? '30d',
      storageSize: influx?.storageSize ?? '10Gi',
      resources: influx?.resources ?? { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      chronograf: influx?.chronograf ?? true,
    },
  };
}

function resolveStreaming(raw: EnvironmentFile['streaming'], models: readonly { readonly name: string }[]): StreamingConfig {
  const k = raw?.kafka;
  const brokers = k?.brokers ?? 1;
  const retention = k?.retention ?? '7d';
  const replicas = Math.min(3, brokers);
  const predictions = models.map((m) => ({ name: `predictions-${m.name}`, partitions: 3, replicas, retention }));
  return {
    enabled: raw !== undefined && (raw.enabled ?? true),
    kafka: {
      brokers,
      controllers: k?.controllers ?? 0,
      storageSize: k?.storageSize ?? '10Gi',
      resources: k?.resources ?? { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      retention,
    },
    topics: [
      ...predictions,
      ...(raw?.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions ?? 3, replicas: t.replicas ?? replicas, retention: t.retention ?? retention })),
    ],
    drift: (raw?.drift ?? []).map((d) => ({ model: d.model, features: d.features, reference: d.reference, window: d.window ?? 500, threshold: d.threshold ?? 0.01, for: d.for ?? '15m' })),
    consumers: (raw?.consumers ?? []).map((c) => ({ component: c.component, topics: c.topics })),
  };
}

function resolveLogging(raw: EnvironmentFile['logging']): LoggingConfig {
  return {
    enabled: raw !== undefined && (raw.enabled ?? true),
    elasticsearch: {
      nodes: raw?.elasticsearch?.nodes ?? 1,
      storageSize: raw?.elasticsearch?.storageSize ?? '10Gi',
      heap: raw?.elasticsearch?.heap ?? '1g',
      resources: raw?.elasticsearch?.resources ?? { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    },
    kibana: { resources: raw?.kibana?.resources ?? { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
    logstash: {
      replicas: raw?.logstash?.replicas ?? 1,
      resources: raw?.logstash?.resources ?? { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1536Mi' } },
    },
    ...(raw?.namespaces ? { namespaces: raw.namespaces } : {}),
    retention: raw?.retention ?? '7d',
    rolloverSize: raw?.rolloverSize ?? '5gb',
    ...(raw?.snapshots ? { snapshots: { schedule: raw.snapshots.schedule ?? '0 30 1 * * ?', retention: raw.snapshots.retention ?? '30d' } } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Applies every documented default to a validated environment file. */
export function resolveEnvironment(name: string, file: string, raw: EnvironmentFile): EnvironmentConfig {
  const distribution = raw.cluster.distribution;
  const config: EnvironmentConfig = {
    name,
    file,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    cluster: {
      name: raw.cluster.name,
      server: raw.cluster.server,
      distribution,
      helmController: raw.cluster.helmController ?? (distribution === 'generic' ? 'install' : 'builtin'),
      storageClass: raw.cluster.storageClass,
      ingressClass: raw.cluster.ingressClass,
      ingressController: raw.cluster.ingressController ?? 'existing',
      prometheusOperator: raw.cluster.prometheusOperator ?? false,
      autoscaler: raw.cluster.autoscaler ?? 'none',
      karpenterNodeClass: raw.cluster.karpenterNodeClass ?? 'default',
    },
    domain: raw.domain,
    gitops: {
      repoURL: raw.gitops.repoURL,
      targetRevision: raw.gitops.targetRevision,
      path: (raw.gitops.path ?? 'dist').replace(/\/+$/, ''),
      credentials: !raw.gitops.repoURL.startsWith('https://') ? 'ssh' : raw.gitops.auth === 'token' ? 'token' : 'none',
      username: raw.gitops.username ?? 'git',
      ...(raw.gitops.knownHosts !== undefined ? { knownHosts: raw.gitops.knownHosts } : {}),
    },
    sealing: { certificate: raw.sealing?.certificate ?? `environments/certs/${name}.pem` },
    tls: resolveTls(raw.tls),
    argocd: {
      install: raw.argocd?.install ?? true,
      namespace: raw.argocd?.namespace ?? 'argocd',
      ha: raw.argocd?.ha ?? false,
    },
    database: resolveDatabase(raw.database),
    nodePools: (raw.nodePools ?? []).map((p) => ({
      name: p.name,
      kind: p.kind,
      labels: p.labels,
      taints: p.taints ?? [],
      gpuResource: p.gpuResource ?? 'nvidia.com/gpu',
      ...(p.gpuType !== undefined ? { gpuType: p.gpuType } : {}),
      gpusPerNode: p.gpusPerNode ?? 1,
      ...(p.instanceTypes !== undefined ? { instanceTypes: p.instanceTypes } : {}),
      minNodes: p.minNodes ?? 0,
      maxNodes: p.maxNodes,
    })),
    gpuPlugin: raw.gpu?.plugin ?? 'device-plugin',
    gpu: {
      featureDiscovery: raw.gpu?.featureDiscovery ?? true,
      metrics: raw.gpu?.metrics ?? true,
      timeSlicingReplicas: raw.gpu?.timeSlicing?.replicas ?? 1,
    },
    objectStore: resolveObjectStore(raw.objectStore),
    serving: resolveServing(raw.serving, raw.domain),
    monitoring: resolveMonitoring(raw.monitoring),
    streaming: resolveStreaming(raw.streaming, raw.serving?.models ?? []),
    logging: resolveLogging(raw.logging),
    components: {
      airflow: resolveAirflow(raw.components.airflow),
      ray: resolveRay(raw.components.ray),
      prefect: {
        enabled: raw.components.prefect !== undefined && (raw.components.prefect.enabled ?? true),
        serverResources: raw.components.prefect?.serverResources ?? { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        workerReplicas: raw.components.prefect?.workerReplicas ?? 1,
        workPool: raw.components.prefect?.workPool ?? 'kubernetes',
      },
      mlflow: {
        enabled: raw.components.mlflow !== undefined && (raw.components.mlflow.enabled ?? true),
        replicas: raw.components.mlflow?.replicas ?? 1,
        resources: raw.components.mlflow?.resources ?? MLFLOW_RESOURCES,
        basicAuth: raw.components.mlflow?.basicAuth ?? true,
      },
      sealedSecrets: {
        enabled: raw.components.sealedSecrets?.enabled ?? true,
        namespace: raw.components.sealedSecrets?.namespace ?? 'sealed-secrets',
        resources: raw.components.sealedSecrets?.resources ?? SEALED_SECRETS_RESOURCES,
      },
    },
  };
  return deepFreeze(config);
}

/** The DAGs alerts may start: the retrain DAGs of the served models. */
export function retrainDags(config: EnvironmentConfig): string[] {
  return [...new Set(config.serving.models.flatMap((m) => (m.retrainDag ? [m.retrainDag] : [])))].sort();
}

/** The alert bridge runs: Alertmanager, Airflow and a model with a retrain DAG. */
export function alertBridgeOn(config: EnvironmentConfig): boolean {
  return config.monitoring.enabled && config.components.airflow.enabled && retrainDags(config).length > 0;
}

/** Whether ServiceMonitors, PodMonitors and PrometheusRules are emitted: the platform's Prometheus, or one the cluster runs. */
export function monitorsOn(config: EnvironmentConfig): boolean {
  return config.monitoring.enabled || config.cluster.prometheusOperator;
}
