/**
 * Model serving: every model of `serving.models` in the namespace `serving`,
 * whatever runs it, behind its own gateway (lib/constructs/model-gateway.ts).
 *
 * Per model:
 * - the backends, one per version: a KServe InferenceService (raw
 *   deployment), a KubeRay RayService, a Seldon SeldonDeployment, or a
 *   team's Deployment + Service + HorizontalPodAutoscaler +
 *   PodDisruptionBudget;
 * - the gateway (Deployment + Service `<model>`): the weighted split between
 *   versions, basic auth on the port behind the Ingress, and an internal port
 *   for in-cluster consumers (the model's typed handle, ModelEndpoint);
 * - an Ingress at the model's host with the platform's TLS;
 * - optionally a suspended CronJob running locust against the model.
 *
 * Streamlit apps (`serving.apps`) call a model through its handle, behind
 * the same basic auth as the models.
 *
 * The retrain contract (README, "Serving"): a pipeline may move a model to
 * new files without editing git, with a Role that allows exactly that; Argo
 * CD ignores exactly the field it changes.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DriftConfig, EnvironmentConfig, ModelFormat, ModelVersionConfig, Resources, ServedModelConfig, ServingAppConfig } from '../config/environment';
import { bucketOf } from '../config/load';
import { DRIFT_PACKAGES, IMAGES, imageString } from '../config/versions';
import { DRIFT_PROGRAM } from '../../cluster/drift/program';
import { AUTH_PROXY_PORT, htpasswdOf } from '../constructs/auth-proxy';
import { ComponentChart, IgnoredFields, Tier } from '../constructs/component';
import {
  GATEWAY_HEALTH_PATH,
  GATEWAY_INTERNAL_PORT,
  GATEWAY_PUBLIC_PORT,
  GatewayBackend,
  gatewayCommand,
  gatewayConfig,
} from '../constructs/model-gateway';
import { allowIngress, denyAllIngress } from '../constructs/network-policy';
import { authProxySidecar, NGINX_USER, nginxContainer, restricted, tlsIngress } from '../constructs/nginx-container';
import { SealedSecret } from '../constructs/sealed-secret';
import { CacheHandle, Consumer, ModelEndpoint, ReadOnlyStoreHandle } from '../data/handles';
import { DataLayer } from '../data/layer';
import { NO_GPU, place, Placement } from '../gpu/placement';
import { generatedPassword, SecretCatalog } from '../secrets/catalog';
import { allowAcmeSolver, ingressTlsAnnotations } from './cert-manager';
import { KafkaHandle, kafkaClientSecret } from './kafka';
import { autoscaledRayCluster, KUBERAY_NAMESPACE, RayEnv, rayContainer, rayPodTemplate } from './ray';

export const SERVING: Consumer = { name: 'serving', namespace: 'serving' };
const NS = SERVING.namespace;
/** The user team images and apps run as (they must not need root). */
const APP_USER = 1000;
/** The user Seldon's operator gives model pods. */
const SELDON_UID = 8888;
/** The KServe runtimes' and the storage initializer's user. */
const KSERVE_UID = 1000;
/** The ServiceAccount model servers read the object store as. */
export const MODEL_READER_SA = 'model-reader';
/** Its S3 keys and settings (with keys; none with a cloud identity). */
const MODEL_READER_SECRET = 'model-reader-s3';
/** Basic auth of every model and app behind the Ingress. */
export const SERVING_AUTH_SECRET = 'serving-basic-auth';
/** The user of that basic auth. */
export const SERVING_USER = 'serving';
/** The annotation of a team service's pod template that names its model files (the retrain contract). */
export const MODEL_URI_ANNOTATION = 'mlops-gitops.dev/model-uri';
/** Label of every backend pod (the gateway's NetworkPolicy peer). */
const BACKEND_LABEL = 'mlops-gitops.dev/model-backend';
/** Label of the pods the ingress controller may reach (gateways, apps' proxies). */
const PUBLIC_LABEL = 'mlops-gitops.dev/public';
/** Label of every drift service pod (its value: the model). */
export const DRIFT_LABEL = 'mlops-gitops.dev/drift';
const DRIFT_PORT = 8080;
/** Label of every gateway pod. */
const GATEWAY_LABEL = 'mlops-gitops.dev/model-gateway';

/** KServe ClusterServingRuntime of each model format (kserve-runtime-configs). */
const KSERVE_FORMATS: Record<ModelFormat, string> = {
  sklearn: 'sklearn',
  xgboost: 'xgboost',
  lightgbm: 'lightgbm',
  mlflow: 'mlflow',
};
/**
 * Seldon Core prepackaged server of each model format it offers (lightgbm is
 * refused at config time): SKLEARN_SERVER loads `model.joblib`,
 * XGBOOST_SERVER `model.bst`, MLFLOW_SERVER an MLflow model directory.
 */
const SELDON_SERVERS: Partial<Record<ModelFormat, string>> = {
  sklearn: 'SKLEARN_SERVER',
  xgboost: 'XGBOOST_SERVER',
  mlflow: 'MLFLOW_SERVER',
};

/** The buckets the models of an environment are read from (the serving consumer's read grant). */
export function servingReadBuckets(config: EnvironmentConfig): string[] {
  const uris: string[] = config.serving.models.flatMap((m) => [
    ...m.versions.flatMap((v) => (v.storageUri ? [v.storageUri] : [])),
    ...(m.rayserve?.workingDir.startsWith('s3://') ? [m.rayserve.workingDir] : []),
  ]);
  if (config.streaming.enabled) uris.push(...config.streaming.drift.map((d) => d.reference));
  return [...new Set(uris.map(bucketOf))].sort();
}

/** Whether a model has more than one version (objects are then named `<model>-<version>`). */
function isSplit(model: ServedModelConfig): boolean {
  return model.versions.length > 1;
}

/**
 * Name of a version's backend object: the model's name for an only version
 * (KServe and Seldon name their Services with a suffix), `<model>-<version>`
 * for a split and for team services (whose Service would take the gateway's name).
 */
export function backendName(model: ServedModelConfig, version: ModelVersionConfig): string {
  return isSplit(model) || model.server === 'service' ? `${model.name}-${version.name}` : model.name;
}

/** The path a model predicts at, for its server and protocol. */
export function predictPath(model: ServedModelConfig): string {
  switch (model.server) {
    case 'kserve':
      // The MLflow format runs on MLServer, which speaks the Open Inference Protocol (v2) only.
      return model.format === 'mlflow' ? `/v2/models/${model.name}/infer` : `/v1/models/${model.name}:predict`;
    case 'seldon':
      return '/api/v1.0/predictions';
    case 'rayserve':
      return '/';
    default:
      return '/predict';
  }
}

/** Where other components reach a model inside the cluster. */
export function modelEndpoint(config: EnvironmentConfig, name: string): ModelEndpoint {
  const model = config.serving.models.find((m) => m.name === name);
  if (!model) throw new Error(`no model "${name}" in serving.models`);
  return {
    model: name,
    namespace: NS,
    url: `http://${name}.${NS}.svc.cluster.local`,
    host: model.host,
    predictPath: predictPath(model),
  };
}

/** The in-cluster base URL of one version's backend Service. */
function backendUrl(model: ServedModelConfig, version: ModelVersionConfig): string {
  const name = backendName(model, version);
  switch (model.server) {
    case 'kserve':
      return `http://${name}-predictor.${NS}.svc.cluster.local:80`;
    case 'seldon':
      return `http://${name}-default.${NS}.svc.cluster.local:8000`;
    case 'rayserve':
      return `http://${name}-serve-svc.${NS}.svc.cluster.local:8000`;
    default:
      return `http://${name}.${NS}.svc.cluster.local:80`;
  }
}

/** Requests and limits of a model container, with the GPU limit of its placement. */
function modelResources(resources: Resources, placement: Placement): k8s.ResourceRequirements {
  const q = (cpu: string, memory: string, extra: Readonly<Record<string, string>>) => ({
    cpu: k8s.Quantity.fromString(cpu),
    memory: k8s.Quantity.fromString(memory),
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, k8s.Quantity.fromString(v)])),
  });
  return {
    requests: q(resources.requests.cpu, resources.requests.memory, placement.limits),
    limits: q(resources.limits.cpu, resources.limits.memory, placement.limits),
  };
}

/** The same in plain JSON, for custom resources. */
function plainResources(resources: Resources, placement: Placement): Record<string, Record<string, string>> {
  return {
    requests: { cpu: resources.requests.cpu, memory: resources.requests.memory, ...placement.limits },
    limits: { cpu: resources.limits.cpu, memory: resources.limits.memory, ...placement.limits },
  };
}

/** Pod-level placement fields (GPU pool selector and tolerations, training-level priority for GPU pods). */
function placementFields(placement: Placement): Record<string, unknown> {
  return {
    ...(Object.keys(placement.nodeSelector).length ? { nodeSelector: { ...placement.nodeSelector } } : {}),
    ...(placement.tolerations.length ? { tolerations: placement.tolerations.map((t) => ({ ...t })) } : {}),
  };
}

/** The model reader's S3 settings as environment variables (AWS SDK names), keys from its Secret. */
function storeEnv(store: ReadOnlyStoreHandle | undefined): RayEnv[] {
  if (!store) return [];
  const key = (name: string): RayEnv => ({ name, valueFrom: { secretKeyRef: { name: MODEL_READER_SECRET, key: name } } });
  return [
    { name: 'AWS_ENDPOINT_URL', value: store.endpoint },
    { name: 'AWS_DEFAULT_REGION', value: store.region },
    ...(store.credentials ? [key('AWS_ACCESS_KEY_ID'), key('AWS_SECRET_ACCESS_KEY')] : []),
  ];
}

export interface ServingProps {
  readonly config: EnvironmentConfig;
  readonly data: DataLayer;
  readonly catalog: SecretCatalog;
  /** The Redis cache, when some model sets `cache: true`. */
  readonly cache?: CacheHandle;
  /** Kafka, where team services log their predictions (`predictions-<model>`). */
  readonly kafka?: KafkaHandle;
  /** The drift services' Kafka user (they write the requests KServe logs and read them back). */
  readonly driftKafka?: KafkaHandle;
  /** Namespaces of other components whose pods call the models' in-cluster handles (e.g. Airflow's evaluation tasks). */
  readonly clientNamespaces?: readonly string[];
  /** Namespace whose pods may roll models out (Airflow's, for retraining); none when absent. */
  readonly rolloutNamespace?: string;
  /** ServiceAccount of those pods. */
  readonly rolloutServiceAccount?: string;
}

export class ServingChart extends ComponentChart {
  public readonly endpoints: readonly ModelEndpoint[];
  private readonly serving: EnvironmentConfig['serving'];
  private readonly drifted: ReadonlySet<string>;
  private kafkaSecret?: SealedSecret;

  constructor(scope: Construct, props: ServingProps) {
    const { config } = props;
    super(scope, {
      name: 'serving',
      namespace: NS,
      tier: Tier.WORKLOADS,
      waveOffset: 2,
      ...(config.serving.models.some((m) => m.server === 'rayserve' || m.server === 'seldon')
        ? {
            podSecurity: 'baseline' as const,
            podSecurityReason:
              'KubeRay injects the autoscaler sidecar of a RayService, and Seldon its executor and storage initializer, without the security context the restricted level requires; warn and audit stay at restricted',
          }
        : {}),
      ignoreDifferences: ignoredFields(config),
    });
    const labels = this.objectLabels();
    const serving = config.serving;
    this.serving = serving;
    this.drifted = new Set(props.driftKafka ? config.streaming.drift.map((d) => d.model) : []);
    this.endpoints = serving.models.map((m) => modelEndpoint(config, m.name));

    const auth = new SealedSecret(this, 'basic-auth', {
      catalog: props.catalog,
      component: 'serving',
      name: SERVING_AUTH_SECRET,
      labels,
      keys: [
        // Read it with: kubectl -n serving get secret serving-basic-auth -o jsonpath='{.data.password}' | base64 -d
        { key: 'password', description: `password of user "${SERVING_USER}" of every model endpoint and app`, source: generatedPassword(24) },
        { key: 'auth', description: 'htpasswd line for the gateways and the apps\' proxies', source: htpasswdOf(SERVING_USER) },
      ],
    });

    const readers = serving.models.some((m) => m.versions.some((v) => v.storageUri) || m.rayserve?.workingDir.startsWith('s3://'));
    const store = readers ? props.data.readOnlyStore(SERVING) : undefined;
    // Every model server runs as it, with or without object-store access.
    this.modelReader(store, props.catalog, labels);
    const cacheSecret = props.cache && serving.models.some((m) => m.cache) ? this.cacheSecret(props.cache, props.catalog, labels) : undefined;
    const kafkaSecret = props.kafka ? kafkaClientSecret(this, props.catalog, 'serving', props.kafka, labels) : undefined;
    this.kafkaSecret = kafkaSecret;

    for (const model of serving.models) {
      const placement = place(config.nodePools, model.gpu);
      const backends: GatewayBackend[] = [];
      if (model.server === 'rayserve') {
        this.rayService(model, placement, store, labels);
        backends.push({ version: 'v1', url: backendUrl(model, model.versions[0]), weight: 100 });
      } else {
        for (const version of model.versions) {
          switch (model.server) {
            case 'kserve':
              this.inferenceService(model, version, placement, labels);
              break;
            case 'seldon':
              this.seldonDeployment(model, version, store, props.catalog, labels);
              break;
            case 'service':
              this.teamService(model, version, placement, store, cacheSecret, labels);
              break;
          }
          const serverName = backendName(model, version);
          backends.push({
            version: version.name,
            url: backendUrl(model, version),
            weight: version.weight,
            // KServe's runtimes know a model by its InferenceService's name.
            ...(model.server === 'kserve' && serverName !== model.name ? { serverModelName: serverName } : {}),
          });
        }
      }
      this.gateway(model, backends, auth.ref('auth'), labels);
      this.ingress(config, model.name, model.host, GATEWAY_PUBLIC_PORT, labels);
      if (model.loadTest) this.loadTest(model, labels);
    }
    for (const app of serving.apps) this.app(config, app, auth.ref('auth'), labels);
    if (props.driftKafka && config.streaming.drift.length) {
      const secret = kafkaClientSecret(this, props.catalog, 'serving', props.driftKafka, labels);
      const program = new k8s.KubeConfigMap(this, 'drift-program', { metadata: { name: 'drift-program', labels }, data: { 'drift.py': DRIFT_PROGRAM } });
      for (const d of config.streaming.drift) this.driftService(d, secret, program.name, store, labels);
      new k8s.KubeNetworkPolicy(this, 'allow-drift-intake', {
        metadata: { name: 'allow-drift-intake', labels },
        spec: {
          podSelector: { matchExpressions: [{ key: DRIFT_LABEL, operator: 'Exists' }] },
          policyTypes: ['Ingress'],
          // KServe's payload logger runs in the model's pod.
          ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: BACKEND_LABEL, operator: 'Exists' }] } }], ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(DRIFT_PORT) }] }],
        },
      });
    }
    if (props.rolloutNamespace && props.rolloutServiceAccount) this.rolloutRole(props.rolloutNamespace, props.rolloutServiceAccount, labels);

    // Ingress: the ingress controller (any namespace) reaches the gateways' public port and the apps'
    // proxies; in-cluster consumers reach the gateways' internal port; only gateways reach the backends.
    denyAllIngress(this, labels);
    allowAcmeSolver(this, config, labels);
    allowIngress(this, 'allow-public', {
      name: 'allow-public',
      // Only the gateways and the apps' proxies: a model container may listen on the same port.
      podLabels: { [PUBLIC_LABEL]: 'true' },
      ports: [...new Set([GATEWAY_PUBLIC_PORT, AUTH_PROXY_PORT])],
      fromNamespaces: [],
      fromAllNamespaces: true,
      labels,
    });
    new k8s.KubeNetworkPolicy(this, 'allow-internal', {
      metadata: { name: 'allow-internal', labels },
      spec: {
        podSelector: { matchExpressions: [{ key: GATEWAY_LABEL, operator: 'Exists' }] },
        policyTypes: ['Ingress'],
        // Apps and load tests in this namespace, and the components that receive the models' handles.
        ingress: [
          {
            from: [
              { podSelector: {} },
              ...[...new Set(props.clientNamespaces ?? [])].sort().map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })),
            ],
            ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(GATEWAY_INTERNAL_PORT) }],
          },
        ],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'allow-gateways', {
      metadata: { name: 'allow-gateways', labels },
      spec: {
        podSelector: { matchExpressions: [{ key: BACKEND_LABEL, operator: 'Exists' }] },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: GATEWAY_LABEL, operator: 'Exists' }] } }] }],
      },
    });
    if (serving.models.some((m) => m.server === 'rayserve')) {
      // Ray nodes talk to each other on many ports (GCS, object manager, workers); the operator
      // reaches the head's dashboard and the Serve health endpoints.
      new k8s.KubeNetworkPolicy(this, 'allow-ray', {
        metadata: { name: 'allow-ray', labels },
        spec: {
          podSelector: { matchExpressions: [{ key: 'ray.io/node-type', operator: 'Exists' }] },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [
                { podSelector: { matchExpressions: [{ key: 'ray.io/node-type', operator: 'Exists' }] } },
                { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': KUBERAY_NAMESPACE } } },
              ],
            },
          ],
        },
      });
    }
  }

  /** The read-only object-store identity of the model servers: a ServiceAccount and its S3 Secret. */
  private modelReader(store: ReadOnlyStoreHandle | undefined, catalog: SecretCatalog, labels: Record<string, string>): void {
    if (!store) {
      new k8s.KubeServiceAccount(this, 'model-reader', { metadata: { name: MODEL_READER_SA, labels }, automountServiceAccountToken: false });
      return;
    }
    const endpoint = new URL(store.endpoint);
    const secret = store.credentials
      ? new SealedSecret(this, 'model-reader-s3', {
          catalog,
          component: 'serving',
          name: MODEL_READER_SECRET,
          labels,
          keys: [
            { key: 'AWS_ACCESS_KEY_ID', description: `read-only object-store access key of the model servers (buckets ${store.buckets.join(', ')})`, source: store.credentials.accessKeyId },
            { key: 'AWS_SECRET_ACCESS_KEY', description: 'its secret', source: store.credentials.secretAccessKey },
          ],
          // KServe's storage initializer reads the S3 settings from the Secret's annotations.
          secretAnnotations: {
            'serving.kserve.io/s3-endpoint': endpoint.host,
            'serving.kserve.io/s3-usehttps': endpoint.protocol === 'https:' ? '1' : '0',
            'serving.kserve.io/s3-region': store.region,
            'serving.kserve.io/s3-useanoncredential': 'false',
          },
          plainData: {
            // Seldon's rclone-based initializer (envSecretRefName) reads the remote "s3" from these;
            // with env_auth it takes the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY above.
            AWS_ENDPOINT_URL: store.endpoint,
            AWS_DEFAULT_REGION: store.region,
            RCLONE_CONFIG_S3_TYPE: 's3',
            RCLONE_CONFIG_S3_PROVIDER: store.serverNamespace ? 'Minio' : 'AWS',
            RCLONE_CONFIG_S3_ENV_AUTH: 'true',
            RCLONE_CONFIG_S3_ENDPOINT: store.endpoint,
            RCLONE_CONFIG_S3_REGION: store.region,
          },
        })
      : undefined;
    new k8s.KubeServiceAccount(this, 'model-reader', {
      metadata: {
        name: MODEL_READER_SA,
        labels,
        annotations: {
          ...store.serviceAccountAnnotations,
          // With a cloud identity (no Secret) KServe takes the S3 settings from the ServiceAccount.
          ...(secret ? {} : { 'serving.kserve.io/s3-endpoint': endpoint.host, 'serving.kserve.io/s3-usehttps': endpoint.protocol === 'https:' ? '1' : '0', 'serving.kserve.io/s3-region': store.region }),
        },
      },
      ...(secret ? { secrets: [{ name: secret.name }] } : {}),
      // Only a cloud identity (IRSA and the like) needs the projected token.
      automountServiceAccountToken: !secret,
    });
  }

  private cacheSecret(cache: CacheHandle, catalog: SecretCatalog, labels: Record<string, string>): SealedSecret {
    return new SealedSecret(this, 'cache', {
      catalog,
      component: 'serving',
      name: 'redis-cache',
      labels,
      keys: [{ key: 'password', description: 'password of the Redis cache (the same value as in namespace redis)', source: cache.password }],
      plainData: { url: cache.url },
    });
  }

  private inferenceService(model: ServedModelConfig, version: ModelVersionConfig, placement: Placement, labels: Record<string, string>): void {
    const name = backendName(model, version);
    const scales = model.maxReplicas > model.minReplicas;
    new ApiObject(this, `isvc-${name}`, {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: {
        name,
        labels,
        annotations: {
          // Plain Deployments, Services and HPAs: no Knative, no Istio.
          // v0.20 calls raw deployment "Standard" (its webhook rewrites the old name, which Argo CD would see as drift).
          'serving.kserve.io/deploymentMode': 'Standard',
          'serving.kserve.io/autoscalerClass': scales ? 'hpa' : 'none',
        },
      },
      spec: {
        predictor: {
          minReplicas: model.minReplicas,
          maxReplicas: model.maxReplicas,
          ...(scales ? { scaleMetric: 'cpu', scaleTarget: model.targetCpuUtilization } : {}),
          serviceAccountName: MODEL_READER_SA,
          labels: { ...labels, [BACKEND_LABEL]: model.name, 'mlops-gitops.dev/model-version': version.name },
          ...(placement.pool ? { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: KSERVE_UID, runAsGroup: KSERVE_UID, fsGroup: KSERVE_UID, seccompProfile: { type: 'RuntimeDefault' } },
          ...placementFields(placement),
          // The model's requests to its drift service, which writes them to Kafka.
          ...(this.drifted.has(model.name) ? { logger: { mode: 'request', url: `http://drift-${model.name}.${NS}.svc.cluster.local/log` } } : {}),
          model: {
            modelFormat: { name: KSERVE_FORMATS[model.format!] },
            // MLflow models run on MLServer, which speaks only the Open Inference Protocol (v2).
            ...(model.format === 'mlflow' ? { protocolVersion: 'v2' } : {}),
            storageUri: version.storageUri,
            resources: plainResources(model.resources, placement),
            securityContext: restricted(KSERVE_UID, false),
          },
        },
      },
    });
  }

  private seldonDeployment(
    model: ServedModelConfig,
    version: ModelVersionConfig,
    store: ReadOnlyStoreHandle | undefined,
    _catalog: SecretCatalog,
    labels: Record<string, string>,
  ): void {
    const name = backendName(model, version);
    new ApiObject(this, `sdep-${name}`, {
      apiVersion: 'machinelearning.seldon.io/v1',
      kind: 'SeldonDeployment',
      metadata: { name, labels },
      spec: {
        protocol: 'seldon',
        predictors: [
          {
            name: 'default',
            replicas: model.minReplicas,
            labels: { ...labels, [BACKEND_LABEL]: model.name, 'mlops-gitops.dev/model-version': version.name },
            graph: {
              name: 'model',
              type: 'MODEL',
              implementation: SELDON_SERVERS[model.format!]!,
              modelUri: version.storageUri,
              ...(store?.credentials ? { envSecretRefName: MODEL_READER_SECRET } : {}),
              serviceAccountName: MODEL_READER_SA,
            },
            componentSpecs: [
              {
                ...(model.maxReplicas > model.minReplicas
                  ? {
                      hpaSpec: {
                        minReplicas: model.minReplicas,
                        maxReplicas: model.maxReplicas,
                        // `metrics` has the autoscaling/v2beta1 shape; the operator reads the v2 one from `metricsv2`.
                        metricsv2: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: model.targetCpuUtilization } } }],
                      },
                    }
                  : {}),
                spec: {
                  serviceAccountName: MODEL_READER_SA,
                  securityContext: { runAsNonRoot: true, runAsUser: SELDON_UID, fsGroup: SELDON_UID, seccompProfile: { type: 'RuntimeDefault' } },
                  containers: [{ name: 'model', resources: plainResources(model.resources, NO_GPU), securityContext: restricted(SELDON_UID, false) }],
                },
              },
            ],
          },
        ],
      },
    });
  }

  private rayService(model: ServedModelConfig, placement: Placement, store: ReadOnlyStoreHandle | undefined, labels: Record<string, string>): void {
    const rs = model.rayserve!;
    // Its own ServiceAccount with a token: KubeRay runs the autoscaler sidecar as the head's account
    // and binds its autoscaler Role (patch pods and the RayCluster) to it, which the model reader
    // must not get. With a cloud identity it carries the store's annotations too.
    const rayAccount = `${model.name}-ray`;
    new k8s.KubeServiceAccount(this, `ray-sa-${model.name}`, {
      metadata: { name: rayAccount, labels, ...(store && !store.credentials ? { annotations: { ...store.serviceAccountAnnotations } } : {}) },
      automountServiceAccountToken: true,
    });
    const env: RayEnv[] = [
      ...(rs.workingDir.startsWith('s3://') ? storeEnv(store) : []),
    ];
    const serveConfig = {
      applications: [
        {
          name: model.name,
          import_path: rs.importPath,
          route_prefix: '/',
          runtime_env: { working_dir: rs.workingDir, ...(rs.pip.length ? { pip: [...rs.pip] } : {}) },
        },
      ],
    };
    const podOptions = { serviceAccountName: rayAccount, labels: { ...labels, [BACKEND_LABEL]: model.name } };
    const workerImage = placement.pool ? IMAGES.rayGpu : IMAGES.rayHead;
    new ApiObject(this, `rayservice-${model.name}`, {
      apiVersion: 'ray.io/v1',
      kind: 'RayService',
      metadata: { name: model.name, labels },
      spec: {
        // A changed cluster config starts a new RayCluster and moves the Service to it once its
        // applications are healthy; the old cluster is deleted afterwards: no downtime.
        upgradeStrategy: { type: 'NewCluster' },
        serveConfigV2: `${JSON.stringify(serveConfig, null, 2)}\n`,
        // The head runs the Serve controller and proxy, no model replicas, and needs no GPU.
        rayClusterConfig: autoscaledRayCluster(rayPodTemplate(rayContainer('ray-head', IMAGES.rayHead, rs.headResources, NO_GPU, env), NO_GPU, '1Gi', podOptions), [
          {
            groupName: placement.pool ? `gpu-${placement.pool.name}` : 'cpu',
            minReplicas: 0,
            maxReplicas: rs.maxWorkers,
            rayStartParams: {},
            // A GPU model server keeps the platform's default priority (it serves traffic), unlike training.
            template: rayPodTemplate(rayContainer('ray-worker', workerImage, rs.workerResources, placement, env), placement, '2Gi', podOptions),
          },
        ]),
      },
    });
  }

  private teamService(
    model: ServedModelConfig,
    version: ModelVersionConfig,
    placement: Placement,
    store: ReadOnlyStoreHandle | undefined,
    cache: SealedSecret | undefined,
    labels: Record<string, string>,
  ): void {
    const name = backendName(model, version);
    const podLabels = { [BACKEND_LABEL]: model.name, 'mlops-gitops.dev/model-version': version.name, 'app.kubernetes.io/name': name };
    const env: k8s.EnvVar[] = [
      { name: 'MODEL_NAME', value: model.name },
      { name: 'MODEL_VERSION', value: version.name },
      // The retrain contract: a rollout changes the annotation, the container reads it here.
      ...(version.storageUri ? [{ name: 'MODEL_URI', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${MODEL_URI_ANNOTATION}']` } } }] : []),
      ...(version.storageUri ? storeEnv(store) : []),
      // The prediction log: the model's topic and the serving user's credentials (the Kafka handle).
      ...(this.kafkaSecret
        ? [
            { name: 'KAFKA_BOOTSTRAP_SERVERS', valueFrom: { secretKeyRef: { name: this.kafkaSecret.name, key: 'bootstrapServers' } } },
            { name: 'KAFKA_SECURITY_PROTOCOL', value: 'SASL_PLAINTEXT' },
            { name: 'KAFKA_SASL_MECHANISM', value: 'SCRAM-SHA-512' },
            { name: 'KAFKA_USERNAME', valueFrom: { secretKeyRef: { name: this.kafkaSecret.name, key: 'username' } } },
            { name: 'KAFKA_PASSWORD', valueFrom: { secretKeyRef: this.kafkaSecret.ref('password') } },
            { name: 'KAFKA_TOPIC', value: `predictions-${model.name}` },
          ]
        : []),
      ...(model.cache && cache
        ? [
            { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: cache.name, key: 'url' } } },
            { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: cache.ref('password') } },
          ]
        : []),
      { name: 'HOME', value: '/tmp' },
    ];
    const probe = (failureThreshold: number): k8s.Probe => ({
      httpGet: { path: model.healthPath, port: k8s.IntOrString.fromString('http') },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold,
    });
    new k8s.KubeDeployment(this, `deployment-${name}`, {
      metadata: { name, labels },
      spec: {
        // The autoscaler owns the count when it can change it; Argo CD then leaves it alone (no replicas here).
        ...(model.maxReplicas > model.minReplicas ? {} : { replicas: model.minReplicas }),
        selector: { matchLabels: podLabels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: {
            labels: { ...labels, ...podLabels },
            annotations: {
              ...(version.storageUri ? { [MODEL_URI_ANNOTATION]: version.storageUri } : {}),
              ...(placement.pool ? { 'karpenter.sh/do-not-disrupt': 'true' } : {}),
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(model.port),
              'prometheus.io/path': model.metricsPath,
            },
          },
          spec: {
            serviceAccountName: MODEL_READER_SA,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: APP_USER, runAsGroup: APP_USER, fsGroup: APP_USER, seccompProfile: { type: 'RuntimeDefault' } },
            ...placementFields(placement),
            containers: [
              {
                name: 'model',
                image: version.image!,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: model.port }],
                env,
                resources: modelResources(model.resources, placement),
                // Loading a model can take minutes; afterwards a stuck server is restarted.
                startupProbe: { ...probe(60), periodSeconds: 5 },
                readinessProbe: probe(3),
                livenessProbe: probe(6),
                securityContext: restricted(APP_USER),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }],
          },
        },
      },
    });
    new k8s.KubeService(this, `service-${name}`, {
      metadata: { name, labels },
      spec: { selector: podLabels, ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http') }] },
    });
    if (model.maxReplicas > model.minReplicas) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, `hpa-${name}`, {
        metadata: { name, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: model.minReplicas,
          maxReplicas: model.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: model.targetCpuUtilization } } }],
        },
      });
    }
    if (model.minReplicas >= 2) {
      new k8s.KubePodDisruptionBudget(this, `pdb-${name}`, {
        metadata: { name, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: podLabels } },
      });
    }
  }

  private gateway(model: ServedModelConfig, backends: readonly GatewayBackend[], htpasswd: { name: string; key: string }, labels: Record<string, string>): void {
    const name = model.name;
    const podLabels = { [GATEWAY_LABEL]: name, 'app.kubernetes.io/name': `${name}-gateway` };
    const templateLabels = { ...labels, ...podLabels, [PUBLIC_LABEL]: 'true' };
    const replicas = model.minReplicas >= 2 ? 2 : 1;
    const config = new k8s.KubeConfigMap(this, `gateway-config-${name}`, {
      metadata: { name: `${name}-gateway`, labels },
      data: { 'nginx.conf': gatewayConfig({ model: name, backends, htpasswdFile: `/etc/gateway/htpasswd/${htpasswd.key}` }) },
    });
    const nginx = nginxContainer({
      name: 'gateway',
      command: gatewayCommand('/etc/gateway/conf/nginx.conf'),
      ports: [
        { name: 'public', containerPort: GATEWAY_PUBLIC_PORT },
        { name: 'internal', containerPort: GATEWAY_INTERNAL_PORT },
      ],
      dir: '/etc/gateway',
      configMap: config.name,
      htpasswd,
      requests: { cpu: '20m', memory: '32Mi' },
      limits: { cpu: '1', memory: '128Mi' },
      probe: { httpGet: { path: GATEWAY_HEALTH_PATH, port: k8s.IntOrString.fromNumber(GATEWAY_INTERNAL_PORT) }, periodSeconds: 10 },
      liveness: true,
      volumePrefix: '',
      tmpSize: '256Mi',
    });
    new k8s.KubeDeployment(this, `gateway-${name}`, {
      metadata: { name: `${name}-gateway`, labels },
      spec: {
        replicas,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: templateLabels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: NGINX_USER, runAsGroup: NGINX_USER, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [nginx.container],
            volumes: nginx.volumes,
          },
        },
      },
    });
    new k8s.KubeService(this, `gateway-service-${name}`, {
      metadata: { name, labels },
      spec: {
        selector: podLabels,
        ports: [
          { name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('internal') },
          { name: 'public', port: GATEWAY_PUBLIC_PORT, targetPort: k8s.IntOrString.fromString('public') },
        ],
      },
    });
    if (replicas >= 2) {
      new k8s.KubePodDisruptionBudget(this, `gateway-pdb-${name}`, {
        metadata: { name: `${name}-gateway`, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: podLabels } },
      });
    }
  }

  private ingress(config: EnvironmentConfig, name: string, host: string, port: number, labels: Record<string, string>): void {
    tlsIngress(this, `ingress-${name}`, { name, host, service: name, port, ingressClass: config.cluster.ingressClass, annotations: ingressTlsAnnotations(config), labels });
  }

  /** A suspended CronJob: `kubectl create job --from=cronjob/locust-<model>` runs one load test. */
  private loadTest(model: ServedModelConfig, labels: Record<string, string>): void {
    const test = model.loadTest!;
    const name = `locust-${model.name}`;
    new k8s.KubeConfigMap(this, `locustfile-${model.name}`, {
      metadata: { name, labels },
      data: { 'locustfile.py': locustfile(model) },
    });
    new k8s.KubeCronJob(this, `locust-${model.name}`, {
      metadata: { name, labels },
      spec: {
        // Never runs on a schedule: only when started by hand (README, "Load tests").
        schedule: '0 0 31 2 *',
        suspend: true,
        concurrencyPolicy: 'Forbid',
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            ttlSecondsAfterFinished: 86400,
            template: {
              metadata: { labels: { ...labels, 'app.kubernetes.io/name': name } },
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: APP_USER, runAsGroup: APP_USER, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name: 'locust',
                    image: imageString(IMAGES.locust),
                    imagePullPolicy: 'IfNotPresent',
                    args: [
                      '-f',
                      '/locust/locustfile.py',
                      '--headless',
                      `--users=${test.users}`,
                      `--spawn-rate=${test.spawnRate}`,
                      `--run-time=${test.duration}`,
                      `--host=${modelEndpointUrl(model)}`,
                      '--only-summary',
                    ],
                    env: [{ name: 'HOME', value: '/tmp' }],
                    resources: {
                      requests: { cpu: k8s.Quantity.fromString('250m'), memory: k8s.Quantity.fromString('256Mi') },
                      limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('512Mi') },
                    },
                    securityContext: restricted(APP_USER),
                    volumeMounts: [
                      { name: 'locustfile', mountPath: '/locust', readOnly: true },
                      { name: 'tmp', mountPath: '/tmp' },
                    ],
                  },
                ],
                volumes: [
                  { name: 'locustfile', configMap: { name } },
                  { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
                ],
              },
            },
          },
        },
      },
    });
  }

  /** A Streamlit app: its container, an authenticating proxy in front (websockets pass), Service and Ingress. */
  private app(config: EnvironmentConfig, app: ServingAppConfig, htpasswd: { name: string; key: string }, labels: Record<string, string>): void {
    const endpoint = modelEndpoint(config, app.model);
    const podLabels = { 'app.kubernetes.io/name': app.name };
    const proxy = authProxySidecar(this, `app-proxy-${app.name}`, {
      configName: `${app.name}-auth-proxy`,
      labels,
      proxy: { upstreamPort: app.port, realm: app.name, healthPath: '/_stcore/health', maxBodySize: '32m', websockets: true },
      htpasswd,
    });
    new k8s.KubeDeployment(this, `app-${app.name}`, {
      metadata: { name: app.name, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...labels, ...podLabels, [PUBLIC_LABEL]: 'true' } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'app',
                image: app.image,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: app.port }],
                env: [
                  { name: 'MODEL_URL', value: `${endpoint.url}${endpoint.predictPath}` },
                  { name: 'MODEL_BASE_URL', value: endpoint.url },
                  { name: 'HOME', value: '/tmp' },
                  // Behind the proxy on the pod's loopback only.
                  { name: 'STREAMLIT_SERVER_ADDRESS', value: '127.0.0.1' },
                  { name: 'STREAMLIT_SERVER_PORT', value: String(app.port) },
                  { name: 'STREAMLIT_SERVER_HEADLESS', value: 'true' },
                  { name: 'STREAMLIT_BROWSER_GATHER_USAGE_STATS', value: 'false' },
                ],
                resources: modelResources(app.resources, NO_GPU),
                securityContext: restricted(APP_USER),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
              proxy.container,
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }, ...proxy.volumes],
          },
        },
      },
    });
    new k8s.KubeService(this, `app-service-${app.name}`, {
      metadata: { name: app.name, labels },
      spec: { selector: podLabels, ports: [{ name: 'proxy', port: AUTH_PROXY_PORT, targetPort: k8s.IntOrString.fromString('proxy') }] },
    });
    this.ingress(config, app.name, app.host, AUTH_PROXY_PORT, labels);
  }

  /** A model's drift service: cluster/drift/drift.py on a stock Python image, its pinned packages installed at start. */
  private driftService(d: DriftConfig, kafka: SealedSecret, program: string, store: ReadOnlyStoreHandle | undefined, labels: Record<string, string>): void {
    const name = `drift-${d.model}`;
    const podLabels = { [DRIFT_LABEL]: d.model, 'app.kubernetes.io/name': name };
    const q = (v: string) => k8s.Quantity.fromString(v);
    const fromKafka = (key: string) => ({ secretKeyRef: { name: kafka.name, key } });
    const probe = (failureThreshold: number): k8s.Probe => ({ httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, failureThreshold });
    new k8s.KubeDeployment(this, `drift-${d.model}`, {
      metadata: { name, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...labels, ...podLabels } },
          spec: {
            serviceAccountName: MODEL_READER_SA,
            automountServiceAccountToken: store !== undefined && !store.credentials,
            securityContext: { runAsNonRoot: true, runAsUser: APP_USER, runAsGroup: APP_USER, fsGroup: APP_USER, seccompProfile: { type: 'RuntimeDefault' } },
            initContainers: [
              {
                name: 'install',
                image: imageString(IMAGES.python),
                imagePullPolicy: 'IfNotPresent',
                command: ['sh', '-c', `mkdir -p /deps/.tmp && pip install --no-cache-dir --disable-pip-version-check --target=/deps ${DRIFT_PACKAGES.join(' ')} && rm -rf /deps/.tmp`],
                // pip builds the target tree in its temporary folder (a few hundred MB): on the large volume, then a rename.
                env: [{ name: 'HOME', value: '/tmp' }, { name: 'TMPDIR', value: '/deps/.tmp' }],
                resources: { requests: { cpu: q('100m'), memory: q('256Mi') }, limits: { cpu: q('1'), memory: q('1Gi') } },
                securityContext: restricted(APP_USER),
                volumeMounts: [{ name: 'deps', mountPath: '/deps' }, { name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            containers: [
              {
                name: 'drift',
                image: imageString(IMAGES.python),
                imagePullPolicy: 'IfNotPresent',
                command: ['python', '/app/drift.py'],
                ports: [{ name: 'http', containerPort: DRIFT_PORT }],
                env: [
                  { name: 'PYTHONPATH', value: '/deps' },
                  { name: 'HOME', value: '/tmp' },
                  { name: 'DRIFT_MODEL', value: d.model },
                  { name: 'DRIFT_FEATURES', value: JSON.stringify(d.features) },
                  { name: 'DRIFT_REFERENCE_URI', value: d.reference },
                  { name: 'DRIFT_WINDOW', value: String(d.window) },
                  { name: 'DRIFT_PORT', value: String(DRIFT_PORT) },
                  { name: 'KAFKA_BOOTSTRAP_SERVERS', valueFrom: fromKafka('bootstrapServers') },
                  { name: 'KAFKA_USERNAME', valueFrom: fromKafka('username') },
                  { name: 'KAFKA_PASSWORD', valueFrom: { secretKeyRef: kafka.ref('password') } },
                  { name: 'KAFKA_TOPIC', value: `predictions-${d.model}` },
                  ...storeEnv(store),
                ],
                resources: { requests: { cpu: q('100m'), memory: q('256Mi') }, limits: { cpu: q('1'), memory: q('1Gi') } },
                // Installing the packages and reading the reference take a while on the first start.
                startupProbe: { ...probe(60), periodSeconds: 5 },
                readinessProbe: probe(3),
                livenessProbe: probe(6),
                securityContext: restricted(APP_USER),
                volumeMounts: [
                  { name: 'program', mountPath: '/app', readOnly: true },
                  { name: 'deps', mountPath: '/deps', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'program', configMap: { name: program } },
              { name: 'deps', emptyDir: { sizeLimit: q('1Gi') } },
              { name: 'tmp', emptyDir: { sizeLimit: q('256Mi') } },
            ],
          },
        },
      },
    });
    new k8s.KubeService(this, `drift-service-${d.model}`, {
      metadata: { name, labels },
      spec: { selector: podLabels, ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http') }] },
    });
  }

  /**
   * The retrain contract's permission: the retraining pipeline's ServiceAccount may read and patch
   * exactly the models' backends (a new storageUri of an InferenceService, a new model-uri
   * annotation of a team service), nothing else.
   */
  private rolloutRole(namespace: string, serviceAccount: string, labels: Record<string, string>): void {
    const targets = rolloutTargets(this.serving);
    if (targets.inferenceServices.length === 0 && targets.deployments.length === 0) return;
    new k8s.KubeRole(this, 'rollout-role', {
      metadata: { name: 'model-rollout', labels },
      rules: [
        ...(targets.inferenceServices.length
          ? [{ apiGroups: ['serving.kserve.io'], resources: ['inferenceservices'], resourceNames: targets.inferenceServices, verbs: ['get', 'patch'] }]
          : []),
        ...(targets.deployments.length ? [{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: targets.deployments, verbs: ['get', 'patch'] }] : []),
      ],
    });
    new k8s.KubeRoleBinding(this, 'rollout-binding', {
      metadata: { name: 'model-rollout', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'model-rollout' },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    });
  }
}

/** The objects a retraining pipeline may roll out. */
export function rolloutTargets(serving: EnvironmentConfig['serving']): { inferenceServices: string[]; deployments: string[] } {
  const inferenceServices: string[] = [];
  const deployments: string[] = [];
  for (const model of serving.models) {
    for (const version of model.versions) {
      if (model.server === 'kserve') inferenceServices.push(backendName(model, version));
      if (model.server === 'service' && version.storageUri) deployments.push(backendName(model, version));
    }
  }
  return { inferenceServices: inferenceServices.sort(), deployments: deployments.sort() };
}

/** What Argo CD leaves to the retraining pipeline and to autoscalers. */
function ignoredFields(config: EnvironmentConfig): IgnoredFields[] {
  const ignored: IgnoredFields[] = [];
  const targets = rolloutTargets(config.serving);
  for (const name of targets.inferenceServices) {
    ignored.push({ group: 'serving.kserve.io', kind: 'InferenceService', name, jqPathExpressions: ['.spec.predictor.model.storageUri'] });
  }
  for (const name of targets.deployments) {
    ignored.push({ group: 'apps', kind: 'Deployment', name, jqPathExpressions: [`.spec.template.metadata.annotations["${MODEL_URI_ANNOTATION}"]`] });
  }
  // Nothing of a RayService: Ray's autoscaler changes the RayCluster it owns, not the RayService.
  return ignored;
}

/** The in-cluster URL load tests and apps use. */
function modelEndpointUrl(model: ServedModelConfig): string {
  return `http://${model.name}.${NS}.svc.cluster.local`;
}

/** A locustfile that sends the configured request (Python; the body as a JSON literal). */
export function locustfile(model: ServedModelConfig): string {
  const req = model.loadTest!.request;
  const body = req.body !== undefined ? `json.loads(${JSON.stringify(JSON.stringify(req.body))})` : 'None';
  return `# Load test of model ${model.name}, generated by mlops-gitops from the environment file.
import json

from locust import HttpUser, constant_throughput, task

BODY = ${body}


class ModelUser(HttpUser):
    wait_time = constant_throughput(1)

    @task
    def predict(self):
        self.client.request(${JSON.stringify(req.method)}, ${JSON.stringify(req.path)}, json=BODY, name=${JSON.stringify(`${model.name} ${req.path}`)})
`;
}
