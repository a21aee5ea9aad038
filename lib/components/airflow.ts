/**
 * Apache Airflow (the official chart as a HelmChart CR) with DAGs git-synced
 * from the team's repository, its metadata database in the platform
 * PostgreSQL, task logs in the object store, MLflow wired into every task,
 * and every credential sealed and static (pods do not restart on each sync).
 *
 * Values are a typed object written against the chart's values.yaml; `npm
 * run check:upstream` validates them against its values.schema.json.
 */
import { Construct } from 'constructs';
import { AirflowConfig, EnvironmentConfig, alertBridgeOn } from '../config/environment';
import { CHARTS, IMAGES, ImageRef } from '../config/versions';
import { ingressTlsAnnotations } from './cert-manager';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { ALERT_BRIDGE_USER, alertBridgePassword } from './alert-bridge';
import { backendName, modelEndpoint } from './serving';
import { AIRFLOW_LOG_INDEX, airflowLogReaderHost, airflowLogReaderPassword } from './logging';
import { SealedSecret } from '../constructs/sealed-secret';
import { Consumer, DatabaseHandle, MlflowHandle, ObjectStoreHandle, s3Url } from '../data/handles';
import { DataLayer } from '../data/layer';
import { place, Toleration, TRAINING_PRIORITY_CLASS } from '../gpu/placement';
import { gpuPlacementProblems } from '../policies/gpu';
import { fixedValue, GeneratedValue, generatedPassword, SecretCatalog, SecretKeySpec } from '../secrets/catalog';

export const AIRFLOW: Consumer = { name: 'airflow', namespace: 'airflow' };
/** Helm release name; the chart prefixes its objects with it. */
const RELEASE = 'airflow';
/** The Airflow image's user (the chart's `uid`); its group is 0, as the image expects. */
const AIRFLOW_UID = 50000;
/** The Airflow connection id of the object store (for S3 sensors and remote logs). */
export const OBJECT_STORE_CONN_ID = 'object_store';

/** A Fernet key: 32 random bytes, URL-safe base64, as Airflow expects. */
const fernetKey: GeneratedValue = { kind: 'generated', generate: (random) => random(32).toString('base64url') + '=' };

/** A value derived from the `password` key generated just before it in the same Secret. */
function fromPassword(build: (password: string) => string): GeneratedValue {
  return { kind: 'generated', generate: (_r, siblings) => build(encodeURIComponent(siblings.password)) };
}

const image = (i: ImageRef) => ({ repository: i.repository, tag: i.tag, pullPolicy: 'IfNotPresent' });
const res = (cpu: [string, string], memory: [string, string]) => ({
  requests: { cpu: cpu[0], memory: memory[0] },
  limits: { cpu: cpu[1], memory: memory[1] },
});
/** git-sync's image user. */
const GIT_SYNC_UID = 65533;
/** statsd-exporter's image user is `nobody` by name, which runAsNonRoot cannot check: set the number. */
const STATSD_UID = 65534;
/** The redis image's `redis` user; it runs as root unless told (its entrypoint then drops to 999). */
const REDIS_UID = 999;
const POD_SECURITY = { runAsNonRoot: true, runAsUser: AIRFLOW_UID, runAsGroup: 0, fsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

export interface AirflowProps {
  readonly config: EnvironmentConfig;
  readonly data: DataLayer;
  readonly catalog: SecretCatalog;
  /** MLflow, when the environment runs it. */
  readonly mlflow?: MlflowHandle;
}

export class AirflowChart extends ComponentChart {
  constructor(scope: Construct, props: AirflowProps) {
    super(scope, {
      name: 'airflow',
      namespace: AIRFLOW.namespace,
      tier: Tier.PLATFORM,
      waveOffset: 1,
      podSecurity: 'baseline',
      podSecurityReason:
        'the chart renders pods (redis, statsd, git-sync, jobs) whose security contexts are set through values this generator cannot check against the templates; warn and audit stay at restricted',
    });
    const { config, data, catalog } = props;
    const settings = config.components.airflow;
    const labels = this.objectLabels();
    const db = data.database(AIRFLOW);
    const store = data.objectStore(AIRFLOW);
    const secret = (id: string, name: string, keys: SecretKeySpec[]) =>
      new SealedSecret(this, id, { catalog, component: 'airflow', name, labels, keys });

    // Metadata database: the chart reads the `connection` key.
    const metadata = secret('metadata', 'airflow-metadata', metadataKeys(db, 'postgresql'));
    // Static keys, so that pods do not restart on every sync.
    secret('fernet', 'airflow-fernet-key', [{ key: 'fernet-key', description: 'Airflow Fernet key', source: fernetKey }]);
    secret('webserver', 'airflow-webserver-secret-key', [
      { key: 'webserver-secret-key', description: 'Airflow webserver secret key', source: generatedPassword(48) },
    ]);
    secret('api', 'airflow-api-secret-key', [{ key: 'api-secret-key', description: 'Airflow API secret key', source: generatedPassword(48) }]);
    secret('jwt', 'airflow-jwt-secret', [{ key: 'jwt-secret', description: 'Airflow API JWT secret', source: generatedPassword(48) }]);
    const admin = secret('admin', 'airflow-admin', [
      // Read it with: kubectl -n airflow get secret airflow-admin -o jsonpath='{.data.password}' | base64 -d
      { key: 'password', description: 'password of the Airflow admin user', source: generatedPassword(24) },
    ]);
    // Task logs in Elasticsearch (logging): the reader's user, and the URL with its credentials for the chart.
    const es = config.logging.enabled
      ? secret('elasticsearch', 'airflow-elasticsearch', [
          { key: 'password', description: 'password of Elasticsearch user airflow (the same value as in namespace logging)', source: airflowLogReaderPassword() },
          { key: 'connection', description: 'Elasticsearch URL with that user (the chart sets [elasticsearch] host from it)', source: airflowLogReaderHost() },
        ])
      : undefined;
    // The alert bridge's service user (role User: it may trigger DAG runs), created with the admin.
    const bridge = alertBridgeOn(config)
      ? secret('alert-bridge', 'airflow-alert-bridge', [{ key: 'password', description: `password of Airflow's service user ${ALERT_BRIDGE_USER} (the same value as in namespace alert-bridge)`, source: alertBridgePassword() }])
      : undefined;

    const envSecrets: { envName: string; secretName: string; secretKey: string }[] = [];
    if (store.credentials) {
      const s3 = secret('s3', 'airflow-s3', [
        { key: 'AWS_ACCESS_KEY_ID', description: `object-store access key of airflow (bucket ${store.bucket})`, source: store.credentials.accessKeyId },
        { key: 'AWS_SECRET_ACCESS_KEY', description: 'its secret', source: store.credentials.secretAccessKey },
      ]);
      envSecrets.push(
        { envName: 'AWS_ACCESS_KEY_ID', secretName: s3.name, secretKey: 'AWS_ACCESS_KEY_ID' },
        { envName: 'AWS_SECRET_ACCESS_KEY', secretName: s3.name, secretKey: 'AWS_SECRET_ACCESS_KEY' },
      );
    }
    if (settings.smtp?.user) {
      const smtp = secret('smtp', 'airflow-smtp', [
        { key: 'password', description: `SMTP password of ${settings.smtp.user}@${settings.smtp.host}`, source: { kind: 'provided', hint: 'from the mail provider' } },
      ]);
      envSecrets.push({ envName: 'AIRFLOW__SMTP__SMTP_PASSWORD', secretName: smtp.name, secretKey: 'password' });
    }

    const gitSync = this.gitSync(settings, secret);
    const gpuPlacement = gpuPlacementContract(config);
    const celery = settings.executor === 'CeleryExecutor' ? this.celery(db, secret) : undefined;

    new HelmChart(this, 'airflow', {
      name: RELEASE,
      chart: CHARTS.airflow,
      // The metadata is in the platform PostgreSQL, not in the release; a
      // failed upgrade is still left for a person to look at.
      holdsData: false,
      failurePolicy: 'abort',
      // Database migrations run inside the install.
      timeout: '20m',
      labels,
      values: airflowValues({
        config,
        settings,
        store,
        mlflow: props.mlflow,
        metadataSecret: metadata.name,
        adminSecret: admin.name,
        ...(bridge ? { bridgeSecret: bridge.name } : {}),
        ...(es ? { elasticsearchSecret: es.name } : {}),
        envSecrets,
        gitSync,
        celery,
        ...(gpuPlacement ? { gpuPlacement } : {}),
      }),
    });
    // The GPU policy cannot see inside a DAG: check the pod a training task gets.
    if (gpuPlacement) {
      this.node.addValidation({
        validate: () =>
          gpuPlacementProblems(
            {
              nodeSelector: { ...gpuPlacement.nodeSelector },
              tolerations: gpuPlacement.tolerations.map((t) => ({ ...t })),
              containers: [{ name: 'base', resources: { requests: { ...gpuPlacement.resources.requests }, limits: { ...gpuPlacement.resources.limits } } }],
            },
            config.nodePools,
          ).map((p) => `Airflow GPU training tasks: ${p}`),
      });
    }
  }

  /** DAGs from git: over SSH a sealed private key and pinned host keys, over HTTPS an optional sealed token. */
  private gitSync(settings: AirflowConfig, secret: (id: string, name: string, keys: SecretKeySpec[]) => SealedSecret): Record<string, unknown> {
    const dags = settings.dags;
    const auth: Record<string, unknown> = {};
    if (dags.ssh) {
      const key = secret('git-ssh', 'airflow-git-ssh', [
        { key: 'gitSshKey', description: 'private key with read access to the DAG repository', source: { kind: 'provided', hint: `a deploy key of ${dags.repo}` } },
      ]);
      auth.sshKeySecret = key.name;
      auth.knownHosts = dags.knownHosts;
    } else if (dags.auth === 'token') {
      const token = secret('git-token', 'airflow-git-credentials', [
        { key: 'GITSYNC_USERNAME', description: 'git-sync user name', source: fixedValue(dags.username) },
        { key: 'GITSYNC_PASSWORD', description: 'token with read access to the DAG repository', source: { kind: 'provided', hint: `a read-only access token for ${dags.repo}` } },
        { key: 'GIT_SYNC_USERNAME', description: 'git-sync v3 user name', source: fixedValue(dags.username) },
        { key: 'GIT_SYNC_PASSWORD', description: 'the same token, for git-sync v3', source: { kind: 'provided', hint: 'the same token as GITSYNC_PASSWORD' } },
      ]);
      auth.credentialsSecret = token.name;
    }
    return {
      enabled: true,
      repo: dags.repo,
      branch: dags.branch,
      rev: dags.rev,
      ref: dags.branch,
      subPath: dags.subPath,
      period: dags.period,
      depth: 1,
      ...auth,
      resources: res(['10m', '100m'], ['32Mi', '128Mi']),
      // git-sync v4 runs as its image's user 65533 (the chart's default, which a securityContexts value replaces)
      // and, with the chart's GITSYNC_ADD_USER, appends to /etc/passwd and writes git's config under HOME:
      // its root filesystem stays writable.
      securityContexts: { container: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: false, runAsNonRoot: true, runAsUser: GIT_SYNC_UID } },
    };
  }

  /** CeleryExecutor: the chart's Redis with a sealed, static password, and the broker and result-backend URLs. */
  private celery(db: DatabaseHandle, secret: (id: string, name: string, keys: SecretKeySpec[]) => SealedSecret) {
    const redis = secret('redis', 'airflow-redis-password', [
      { key: 'password', description: 'password of the Celery broker (Redis)', source: generatedPassword(32, 'airflow/redis') },
    ]);
    const broker = secret('broker', 'airflow-broker-url', [
      { key: 'password', description: 'password of the Celery broker (Redis)', source: generatedPassword(32, 'airflow/redis') },
      {
        key: 'connection',
        description: 'Celery broker URL',
        source: fromPassword((pw) => `redis://:${pw}@${RELEASE}-redis:6379/0`),
      },
    ]);
    const result = secret('result-backend', 'airflow-result-backend', metadataKeys(db, 'db+postgresql'));
    return { redisSecret: redis.name, brokerSecret: broker.name, resultBackendSecret: result.name };
  }
}

/** The `password` and `connection` keys of a database Secret for Airflow. */
function metadataKeys(db: DatabaseHandle, scheme: string): SecretKeySpec[] {
  const url = (pw: string) => `${scheme}://${db.user}:${pw}@${db.host}:${db.port}/${db.database}?sslmode=${db.sslmode}`;
  if (db.password.kind === 'provided') {
    // An external server: the whole URL holds a password only a person knows.
    return [{ key: 'connection', description: `${scheme} URL of database ${db.database} on ${db.host}`, source: { kind: 'provided', hint: `${url('<url-encoded password>')}` } }];
  }
  return [
    { key: 'password', description: `password of PostgreSQL role ${db.user}`, source: db.password },
    { key: 'connection', description: `${scheme} URL of database ${db.database}`, source: fromPassword(url) },
  ];
}

interface ValuesInput {
  readonly config: EnvironmentConfig;
  readonly settings: AirflowConfig;
  readonly store: ObjectStoreHandle;
  readonly mlflow: MlflowHandle | undefined;
  readonly metadataSecret: string;
  readonly adminSecret: string;
  /** The alert bridge's service user's password; no such user when absent. */
  readonly bridgeSecret?: string;
  /** Task logs in Elasticsearch: the Secret with its `connection`; object-store logs when absent. */
  readonly elasticsearchSecret?: string;
  readonly envSecrets: readonly { envName: string; secretName: string; secretKey: string }[];
  readonly gitSync: Record<string, unknown>;
  readonly celery: { redisSecret: string; brokerSecret: string; resultBackendSecret: string } | undefined;
  readonly gpuPlacement?: GpuPlacementContract;
}

/** Where components reach Airflow's REST API (the chart's api-server Service). */
export function airflowApiUrl(): string {
  return `http://${RELEASE}-api-server.${AIRFLOW.namespace}.svc.cluster.local:8080`;
}

/** The env var with the landing prefix of new training data, `s3://<Airflow's bucket>/landing/`. */
export const LANDING_ENV = 'MLOPS_LANDING_URI';
/** The env var with the served models and how a pipeline rolls each out (README, "The retrain contract"), as JSON. */
export const MODELS_ENV = 'MLOPS_MODELS';

/** What a retraining DAG needs to know of each served model. */
export interface ModelContract {
  readonly name: string;
  readonly server: string;
  readonly retrainDag?: string;
  /** In-cluster base URL and predict path (the model's handle). */
  readonly url: string;
  readonly predictPath: string;
  /** What a rollout patches: InferenceServices' storageUri, or Deployments' model-uri annotation. */
  readonly rollout?: { readonly namespace: string; readonly kind: 'InferenceService' | 'Deployment'; readonly names: readonly string[] };
}

export function modelsContract(config: EnvironmentConfig): ModelContract[] {
  return config.serving.models.map((m) => {
    const endpoint = modelEndpoint(config, m.name);
    const names = m.versions.filter((v) => m.server === 'kserve' || (m.server === 'service' && v.storageUri)).map((v) => backendName(m, v));
    return {
      name: m.name,
      server: m.server,
      ...(m.retrainDag ? { retrainDag: m.retrainDag } : {}),
      url: endpoint.url,
      predictPath: endpoint.predictPath,
      ...(names.length ? { rollout: { namespace: endpoint.namespace, kind: m.server === 'kserve' ? ('InferenceService' as const) : ('Deployment' as const), names } } : {}),
    };
  });
}

/** The env var that carries the GPU placement of training tasks, as JSON. */
export const GPU_PLACEMENT_ENV = 'MLOPS_GPU_PLACEMENT';

/**
 * What a training task's pod_override needs: the pool's selector and
 * tolerations, the container's whole resources (a pod_override replaces
 * the base container's resources wholesale, so a GPU limit alone would drop
 * the CPU and memory requests), and the pod annotations that keep Karpenter
 * from moving the running task.
 */
export interface GpuPlacementContract {
  readonly pool: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly resources: {
    readonly requests: Readonly<Record<string, string>>;
    readonly limits: Readonly<Record<string, string>>;
  };
  readonly annotations: Readonly<Record<string, string>>;
  /** The training PriorityClass: below every platform pod. */
  readonly priorityClassName: string;
}

/** The placement of GPU training tasks, from the one placement construct. */
export function gpuPlacementContract(config: EnvironmentConfig): GpuPlacementContract | undefined {
  const request = config.components.airflow.gpuTraining;
  if (!request) return undefined;
  const p = place(config.nodePools, request);
  const task = config.components.airflow.workerResources;
  return {
    pool: p.pool!.name,
    nodeSelector: p.nodeSelector,
    tolerations: p.tolerations,
    resources: {
      requests: { cpu: task.requests.cpu, memory: task.requests.memory, ...p.limits },
      limits: { cpu: task.limits.cpu, memory: task.limits.memory, ...p.limits },
    },
    annotations: { 'karpenter.sh/do-not-disrupt': 'true' },
    priorityClassName: TRAINING_PRIORITY_CLASS,
  };
}

/** The connection to the object store, as an Airflow connection URI-less JSON; credentials come from the environment. */
export function objectStoreConnection(store: ObjectStoreHandle): string {
  const extra: Record<string, string> = { region_name: store.region };
  if (store.serverNamespace) extra.endpoint_url = store.endpoint;
  return JSON.stringify({ conn_type: 'aws', extra });
}

/** The chart values: a typed object written against the chart's values.yaml. */
export function airflowValues(v: ValuesInput): Record<string, unknown> {
  const { config, settings, store } = v;
  const host = `airflow.${config.domain}`;
  const env = [
    { name: 'AWS_DEFAULT_REGION', value: store.region },
    // boto3 (and the Amazon provider) read the endpoint from here; MinIO needs it.
    ...(store.serverNamespace ? [{ name: 'AWS_ENDPOINT_URL', value: store.endpoint }] : []),
    { name: `AIRFLOW_CONN_${OBJECT_STORE_CONN_ID.toUpperCase()}`, value: objectStoreConnection(store) },
    ...(v.mlflow ? [{ name: 'MLFLOW_TRACKING_URI', value: v.mlflow.trackingUri }] : []),
    // The GPU training contract: DAGs build their task's pod_override from this (README, "GPU training tasks").
    ...(v.gpuPlacement ? [{ name: GPU_PLACEMENT_ENV, value: JSON.stringify(v.gpuPlacement) }] : []),
    // Where new training data lands (the example DAGs' sensor), and the served models with their rollout contract.
    { name: LANDING_ENV, value: s3Url(store, 'landing/') },
    ...(config.serving.models.length ? [{ name: MODELS_ENV, value: JSON.stringify(modelsContract(config)) }] : []),
  ];
  const small = res(['50m', '500m'], ['128Mi', '512Mi']);
  // A cloud identity for the object store (IRSA and the like) on every ServiceAccount whose pods read or write logs.
  const identity = Object.keys(store.serviceAccountAnnotations).length > 0 ? { serviceAccount: { annotations: { ...store.serviceAccountAnnotations } } } : {};
  const medium = res(['250m', '1'], ['512Mi', '2Gi']);
  const job = {
    // Helm installs this chart (the helm-controller's job runs `helm
    // upgrade`), so the migration and create-user Jobs stay Helm hooks
    // (post-install, post-upgrade, deleted before the next run and on
    // success). `false` is for Argo CD rendering the chart itself: the Jobs
    // would become plain objects with fixed names, and the next upgrade
    // that changes their pod template would fail on the immutable Job spec.
    useHelmHooks: true,
    // The jobs need only the database (and the admin password below), not the tasks' environment.
    applyCustomEnv: false,
    resources: medium,
  };
  return {
    fullnameOverride: RELEASE,
    executor: settings.executor,
    airflowVersion: CHARTS.airflow.appVersion,
    defaultAirflowRepository: IMAGES.airflow.repository,
    defaultAirflowTag: IMAGES.airflow.tag,
    images: {
      airflow: image(IMAGES.airflow),
      statsd: image(IMAGES.airflowStatsd),
      redis: image(IMAGES.airflowRedis),
      gitSync: image(IMAGES.gitSync),
    },
    uid: AIRFLOW_UID,
    gid: 0,
    securityContexts: { pod: POD_SECURITY, containers: CONTAINER_SECURITY },
    networkPolicies: { enabled: true },
    env,
    secret: v.envSecrets,
    // The bundled PostgreSQL and PgBouncer are replaced by the platform database.
    postgresql: { enabled: false },
    pgbouncer: { enabled: false },
    data: {
      metadataSecretName: v.metadataSecret,
      ...(v.celery ? { brokerUrlSecretName: v.celery.brokerSecret, resultBackendSecretName: v.celery.resultBackendSecret } : {}),
    },
    fernetKeySecretName: 'airflow-fernet-key',
    webserverSecretKeySecretName: 'airflow-webserver-secret-key',
    apiSecretKeySecretName: 'airflow-api-secret-key',
    jwtSecretName: 'airflow-jwt-secret',
    migrateDatabaseJob: job,
    createUserJob: {
      ...job,
      // The password comes from the sealed Secret, never from values.
      env: [
        { name: 'AIRFLOW_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: v.adminSecret, key: 'password' } } },
        ...(v.bridgeSecret ? [{ name: 'AIRFLOW_BRIDGE_PASSWORD', valueFrom: { secretKeyRef: { name: v.bridgeSecret, key: 'password' } } }] : []),
      ],
      args: [
        'bash',
        '-c',
        v.bridgeSecret
          ? 'airflow users create -r Admin -u admin -e admin@' + config.domain + ' -f Airflow -l Admin -p "$AIRFLOW_ADMIN_PASSWORD" && ' +
            `exec airflow users create -r User -u ${ALERT_BRIDGE_USER} -e ${ALERT_BRIDGE_USER}@${config.domain} -f Alert -l Bridge -p "$AIRFLOW_BRIDGE_PASSWORD"`
          : 'exec airflow users create -r Admin -u admin -e admin@' + config.domain + ' -f Airflow -l Admin -p "$AIRFLOW_ADMIN_PASSWORD"',
      ],
    },
    dags: { gitSync: v.gitSync },
    // Task logs: to stdout as JSON, shipped by Filebeat and Logstash, read back from Elasticsearch (logging);
    // else to the object store.
    ...(v.elasticsearchSecret ? { elasticsearch: { enabled: true, secretName: v.elasticsearchSecret } } : {}),
    config: {
      logging: v.elasticsearchSecret
        ? { remote_logging: 'True' }
        : {
            remote_logging: 'True',
            remote_base_log_folder: s3Url(store, 'logs'),
            remote_log_conn_id: OBJECT_STORE_CONN_ID,
          },
      ...(v.elasticsearchSecret
        ? {
            elasticsearch: {
              write_stdout: 'True',
              json_format: 'True',
              // Airflow 3's own template (the chart's default is Airflow 2's).
              log_id_template: '{dag_id}-{task_id}-{run_id}-{map_index}-{try_number}',
              // Filebeat's host is an object; the reader sorts by the handler's line number.
              host_field: 'host.name',
              offset_field: 'offset',
              index_patterns: `${AIRFLOW_LOG_INDEX}*`,
              frontend: `kibana.${config.domain}/app/discover#/?_a=(query:(language:kuery,query:'log_id:"{log_id}"'))`,
            },
          }
        : {}),
      ...(settings.smtp
        ? {
            smtp: {
              smtp_host: settings.smtp.host,
              smtp_port: String(settings.smtp.port),
              smtp_starttls: settings.smtp.starttls ? 'True' : 'False',
              smtp_ssl: 'False',
              smtp_mail_from: settings.smtp.from,
              ...(settings.smtp.user ? { smtp_user: settings.smtp.user } : {}),
            },
            email: { email_backend: 'airflow.utils.email.send_email_smtp' },
          }
        : {}),
    },
    scheduler: {
      replicas: 1,
      resources: medium,
      podDisruptionBudget: { enabled: true, config: { maxUnavailable: 1 } },
      ...identity,
    },
    apiServer: {
      replicas: settings.apiServerReplicas,
      resources: medium,
      podDisruptionBudget: { enabled: settings.apiServerReplicas > 1, config: { maxUnavailable: 1 } },
      // The chart's policy admits nobody when `from` is empty: the ingress controller (any namespace) serves
      // the UI, and every task calls the execution API here.
      networkPolicy: { ingress: { from: [{ namespaceSelector: {} }] } },
      ...identity,
    },
    dagProcessor: { resources: medium, ...identity },
    triggerer: {
      resources: small,
      // Its log volume: the environment's storage class, and not the chart's 100Gi (a StatefulSet: fixed once installed).
      persistence: { enabled: true, size: '5Gi', storageClassName: config.cluster.storageClass },
      ...identity,
    },
    workers: {
      // Celery workers, and the task pods of the KubernetesExecutor (pod template).
      replicas: settings.workerReplicas,
      resources: settings.workerResources,
      // Celery workers' log volume (a StatefulSet: its size is fixed once installed).
      ...(v.celery ? { celery: { persistence: { enabled: true, size: '10Gi', storageClassName: config.cluster.storageClass } } } : {}),
      ...identity,
    },
    statsd: {
      enabled: true,
      // The chart's policy of the exporter admits Airflow's pods; Prometheus scrapes it from its namespace.
      ...(config.monitoring.enabled ? { extraNetworkPolicies: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] } : {}),
      resources: res(['10m', '100m'], ['32Mi', '128Mi']),
      securityContexts: { pod: { runAsNonRoot: true, runAsUser: STATSD_UID, seccompProfile: { type: 'RuntimeDefault' } }, container: { ...CONTAINER_SECURITY, readOnlyRootFilesystem: true } },
    },
    redis: v.celery
      ? {
          enabled: true,
          passwordSecretName: v.celery.redisSecret,
          resources: small,
          persistence: { enabled: true, size: '1Gi', storageClassName: config.cluster.storageClass },
          securityContexts: {
            pod: { runAsNonRoot: true, runAsUser: REDIS_UID, runAsGroup: REDIS_UID, fsGroup: REDIS_UID, seccompProfile: { type: 'RuntimeDefault' } },
            container: CONTAINER_SECURITY,
          },
        }
      : { enabled: false },
    ingress: {
      apiServer: {
        enabled: true,
        ingressClassName: config.cluster.ingressClass,
        annotations: ingressTlsAnnotations(config),
        hosts: [{ name: host, tls: { enabled: true, secretName: 'airflow-tls' } }],
      },
    },
  };
}
