/**
 * Turns the text of `environments/<env>.yaml` into an EnvironmentConfig, or a
 * UserError listing every problem at once with file, field path, line, what
 * was expected and how to fix it. Pure: the caller reads the file.
 */
import type { ErrorObject } from 'ajv';
import { CompiledValidator, parentSchemaOf } from '../compiled-schema';
import { countProblems, Problem, UserError } from '../errors';
import { allocatable, instanceGpu } from '../gpu/instances';
import { place, placementError } from '../gpu/placement';
import { cpuUnits, memoryGi } from '../constructs/workload';
import { alertBridgeOn, EnvironmentConfig, GpuRequest, resolveEnvironment } from './environment';
import { EnvironmentFile, environmentSchema, PATTERNS } from './schema';
import { parseYamlSource, pointerSegment, valueAtPointer, YamlSource } from './yaml-source';

// The schema compiled ahead of time (lib/compiled-schema.ts). Required, not imported: its inferred type is
// large enough to derail the type checker.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateSchema = require('./environment-validator').default as CompiledValidator;

/** Levenshtein distance, for "did you mean" hints on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Turns one ajv error into a problem a person can act on. */
function schemaProblem(source: YamlSource, err: ErrorObject): Problem {
  const at = (path: string, message: string, fix?: string): Problem => ({
    file: source.file,
    path,
    ...source.locate(path),
    message,
    ...(fix ? { fix } : {}),
  });
  const value = valueAtPointer(source.data, err.instancePath);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      const allowed = Object.keys((parentSchemaOf(environmentSchema, err) as { properties?: object } | undefined)?.properties ?? {});
      const hint = closest(key, allowed);
      return at(
        `${err.instancePath}/${pointerSegment(key)}`,
        `unknown key "${key}"`,
        hint ? `did you mean "${hint}"? Allowed keys here: ${allowed.join(', ')}` : `allowed keys here: ${allowed.join(', ')}`,
      );
    }
    case 'required': {
      const key = String(err.params.missingProperty);
      return at(err.instancePath, `missing required key "${key}"`, `add "${key}:" here (see README.md, "Environment file")`);
    }
    case 'pattern': {
      const known = Object.values(PATTERNS).find((p) => p.pattern === err.params.pattern);
      return at(
        err.instancePath,
        `${describe(value)} is not ${known ? known.explain : `matching ${err.params.pattern}`}`,
        known ? `use ${known.explain}` : undefined,
      );
    }
    case 'enum': {
      const allowed = (err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      const hint = typeof value === 'string' ? closest(value, (err.params.allowedValues as unknown[]).map(String)) : undefined;
      return at(err.instancePath, `${describe(value)} is not one of ${allowed}`, hint ? `did you mean "${hint}"?` : `use one of ${allowed}`);
    }
    case 'type':
      return at(err.instancePath, `expected ${err.params.type}, got ${describe(value)}`);
    case 'const':
      return at(err.instancePath, `${describe(value)} is not ${JSON.stringify(err.params.allowedValue)}`, `write ${JSON.stringify(err.params.allowedValue)}`);
    default:
      return at(err.instancePath, err.message ?? `invalid (${err.keyword})`);
  }
}

/** Namespaces of components that cannot be renamed; config may not reuse them. */
const FIXED_NAMESPACES = ['elastic-system', 'logging', 'log-shipper', 'kafka', 'alert-bridge', 'monitoring', 'monitoring-crds', 'node-exporter', 'influxdb', 'cert-manager', 'cert-issuers', 'kserve', 'seldon-system', 'serving', 'redis', 'helm-controller', 'cnpg-system', 'postgres', 'minio', 'object-store', 'mlflow', 'airflow', 'prefect', 'gpu', 'node-pools', 'kuberay', 'ray'];

/** Hosts of the platform's own UIs (`<name>.<domain>`), which no model or app may take. */
export const PLATFORM_UI_NAMES = ['argocd', 'mlflow', 'airflow', 'prefect', 'grafana', 'prometheus', 'alertmanager', 'kibana', 'chronograf'];

/** The platform's buckets a model may be read from: those of the enabled components that own one. */
export function platformBuckets(config: EnvironmentConfig): string[] {
  const prefix = config.objectStore.kind === 'external' ? config.objectStore.bucketPrefix : '';
  const owners = [config.components.mlflow.enabled ? 'mlflow' : undefined, config.components.airflow.enabled ? 'airflow' : undefined];
  return owners.filter((o): o is string => o !== undefined).map((o) => `${prefix}${o}`);
}

/** The bucket of an `s3://bucket/path` URI. */
export function bucketOf(uri: string): string {
  return uri.slice('s3://'.length).split('/')[0];
}

/** Checks of `serving`: what each server needs, splits, GPU placement, buckets, unique names and hosts. */
function servingProblems(source: YamlSource, config: EnvironmentConfig): Problem[] {
  const problems: Problem[] = [];
  const at = (path: string, message: string, fix: string): void => {
    problems.push({ file: source.file, path, ...source.locate(path), message, fix });
  };
  const raw = (source.data as EnvironmentFile).serving;
  const serving = config.serving;
  const buckets = platformBuckets(config);
  const checkUri = (path: string, uri: string): void => {
    if (!buckets.includes(bucketOf(uri))) {
      at(
        path,
        `${uri} is not in a bucket of the platform's object store (${buckets.length ? buckets.join(', ') : 'none: enable mlflow or airflow'}), so the model servers have no credentials for it`,
        `copy the model into a platform bucket, e.g. log it to MLflow and use its artifact path s3://${buckets[0] ?? 'mlflow'}/<experiment id>/models/<model id>/artifacts`,
      );
    }
  };
  const names = new Map<string, string>();
  const hosts = new Map<string, string>();
  const reserved = new Set(PLATFORM_UI_NAMES.map((n) => `${n}.${config.domain}`));
  const claimName = (path: string, name: string): void => {
    const other = names.get(name);
    if (other) at(`${path}/name`, `name "${name}" is already used by ${other}`, 'give each model and app its own name');
    else names.set(name, path);
  };
  const claimHost = (path: string, host: string, explicit: boolean): void => {
    const where = explicit ? `${path}/host` : `${path}/name`;
    if (reserved.has(host)) {
      at(where, `host ${host} is the platform's own UI`, 'choose another name or set host');
    } else if (hosts.has(host)) {
      at(where, `host ${host} is already served by ${hosts.get(host)}`, 'give each model and app its own host');
    } else {
      hosts.set(host, path);
    }
  };
  serving.models.forEach((model, i) => {
    const path = `/serving/models/${i}`;
    const m = raw!.models![i];
    claimName(path, model.name);
    claimHost(path, model.host, m.host !== undefined);
    const forbid = (keys: readonly (keyof typeof m)[], why: string, fix: string): void => {
      for (const key of keys) if (m[key] !== undefined) at(`${path}/${key}`, `${key} ${why}`, fix);
    };
    if (m.versions && (m.storageUri !== undefined || m.image !== undefined)) {
      at(path, 'storageUri or image is set both on the model and in versions', 'set them per version only');
    }
    const sources = m.versions ? m.versions.map((v, j) => ({ path: `${path}/versions/${j}`, v })) : [{ path, v: m }];
    switch (model.server) {
      case 'kserve':
      case 'seldon':
        if (model.format === undefined) at(path, `a ${model.server} model needs its format (which runtime loads it)`, 'add format: sklearn, xgboost, lightgbm or mlflow');
        for (const { path: p, v } of sources) {
          if (v.storageUri === undefined) at(p, `a ${model.server} model loads its files from storageUri`, 'add storageUri: s3://<bucket>/<path of the model>');
          if (v.image !== undefined) at(`${p}/image`, `image is for server "service"; ${model.server} runs its own runtime image`, 'remove image, or set server: service');
        }
        forbid(['port', 'healthPath', 'metricsPath', 'cache', 'rayserve'], `applies to another server, not ${model.server}`, 'remove it');
        break;
      case 'service':
        for (const { path: p, v } of sources) {
          if (v.image === undefined) at(p, 'a team model service runs its own image', 'add image: <registry>/<name>:<exact tag>');
        }
        forbid(['format', 'rayserve'], 'applies to another server, not service', 'remove it');
        break;
      case 'rayserve':
        if (model.rayserve === undefined) at(path, 'a rayserve model needs its Serve application', 'add rayserve: { importPath: module:app, workingDir: s3://<bucket>/<code>.zip }');
        forbid(['versions', 'storageUri', 'image', 'format', 'port', 'healthPath', 'metricsPath', 'cache', 'replicas', 'targetCpuUtilization'], 'does not apply to rayserve (the RayService upgrades itself without downtime; Ray Serve scales its replicas)', 'remove it; configure the application under rayserve');
        if (model.rayserve?.workingDir.startsWith('s3://')) {
          if (config.objectStore.kind === 'minio') {
            at(
              `${path}/rayserve/workingDir`,
              'the Ray image\'s boto3 cannot take the in-cluster MinIO endpoint, so Ray cannot download an s3:// working_dir from it',
              'publish the zip at an https:// URL (e.g. a release asset), or use an external S3 object store',
            );
          } else {
            checkUri(`${path}/rayserve/workingDir`, model.rayserve.workingDir);
          }
        }
        break;
    }
    if (model.server !== 'rayserve' && m.rayserve !== undefined) at(`${path}/rayserve`, `rayserve applies to server "rayserve", not "${model.server}"`, 'remove it, or set server: rayserve');
    for (const { path: p, v } of sources) if (v.storageUri !== undefined) checkUri(`${p}/storageUri`, v.storageUri);
    if (model.server === 'seldon' && !serving.seldon) {
      at(
        `${path}/server`,
        'Seldon Core 1.18 and later is under the Business Source License 1.1 (production use needs a licence from Seldon)',
        'accept it with serving.seldon: { licence: BSL-1.1 }, or serve the model with server: kserve (format: mlflow runs it on MLServer, Apache-2.0)',
      );
    }
    if (m.versions) {
      const total = model.versions.reduce((sum, v) => sum + v.weight, 0);
      if (total !== 100) at(`${path}/versions`, `the weights sum to ${total}, not 100`, 'make the weights of the versions add up to 100');
      const seen = new Set<string>();
      model.versions.forEach((v, j) => {
        if (seen.has(v.name)) at(`${path}/versions/${j}/name`, `version "${v.name}" appears twice`, 'give each version its own name');
        seen.add(v.name);
      });
    }
    if (model.minReplicas > model.maxReplicas) at(`${path}/replicas`, `min ${model.minReplicas} is above max ${model.maxReplicas}`, 'lower min or raise max');
    if (m.targetCpuUtilization !== undefined && model.server !== 'rayserve' && model.minReplicas === model.maxReplicas) {
      at(`${path}/targetCpuUtilization`, `the autoscaling target applies when replicas can change, but min and max are both ${model.minReplicas}`, 'set replicas.max above replicas.min, or remove targetCpuUtilization');
    }
    if (model.server === 'seldon' && model.format === 'lightgbm') {
      at(`${path}/format`, 'Seldon Core has no LightGBM server', 'log the model with MLflow and use format: mlflow, or serve it with server: kserve');
    }
    const store = config.objectStore;
    if (store.kind === 'external' && store.credentials === 'serviceAccount') {
      if (model.server === 'seldon') {
        at(`${path}/server`, 'Seldon\'s storage initializer (rclone) gets no credentials from a cloud identity here', 'serve the model with server: kserve, or use objectStore.external.credentials: sealed');
      }
      if (model.server === 'kserve' && store.serviceAccountAnnotations['eks.amazonaws.com/role-arn'] === undefined) {
        at(
          `${path}/server`,
          'KServe takes S3 settings from a cloud identity only with an IRSA role (eks.amazonaws.com/role-arn on the ServiceAccount)',
          'add eks.amazonaws.com/role-arn to objectStore.external.serviceAccountAnnotations, or use credentials: sealed',
        );
      }
    }
    model.versions.forEach((v, j) => {
      if (v.name === 'gateway') at(`${path}/versions/${j}/name`, 'version name "gateway" is the name of the model\'s gateway', 'choose another version name');
    });
    if (model.gpu) {
      const error = placementError(config.nodePools, model.gpu);
      if (error) at(`${path}/gpu`, `this model ${error}`, 'add a matching GPU pool to nodePools, or remove gpu');
      if (model.gpu.gpus > 1 && config.gpu.timeSlicingReplicas > 1) at(`${path}/gpu/gpus`, `asks for ${model.gpu.gpus} GPUs, but with gpu.timeSlicing a pod gets one slice`, 'ask for gpus: 1');
    }
    if (model.server === 'seldon' && model.gpu) at(`${path}/gpu`, 'GPU placement is not offered for Seldon models here', 'serve GPU models with kserve or rayserve');
    if (model.retrainDag !== undefined && !config.components.airflow.enabled) {
      at(`${path}/retrainDag`, 'a retrain DAG runs in Airflow, which this environment does not have', 'add components.airflow, or remove retrainDag');
    }
  });
  // Objects are named after models, versions and apps: two sources may not make one name.
  const derived = new Map<string, { path: string; bare: boolean }>();
  const derive = (path: string, name: string, bare = false): void => {
    const other = derived.get(name);
    // Two equal bare names are reported once, above.
    if (other !== undefined && other.path !== path && !(bare && other.bare)) at(`${path}/name`, `it would name objects "${name}", as ${other.path} does`, 'rename one of them');
    else if (other === undefined) derived.set(name, { path, bare });
  };
  serving.models.forEach((model, i) => {
    const path = `/serving/models/${i}`;
    derive(path, model.name, true);
    for (const name of [`${model.name}-gateway`, `locust-${model.name}`, ...(model.server === 'rayserve' ? [`${model.name}-ray`] : [])]) derive(path, name);
    if (model.versions.length > 1 || model.server === 'service') for (const v of model.versions) derive(path, `${model.name}-${v.name}`);
  });
  serving.apps.forEach((app, i) => {
    derive(`/serving/apps/${i}`, app.name, true);
    derive(`/serving/apps/${i}`, `${app.name}-auth-proxy`);
  });
  serving.apps.forEach((app, i) => {
    const path = `/serving/apps/${i}`;
    claimName(path, app.name);
    claimHost(path, app.host, raw!.apps![i].host !== undefined);
    if (!serving.models.some((m) => m.name === app.model)) {
      at(`${path}/model`, `model "${app.model}" is not in serving.models`, `use one of: ${serving.models.map((m) => m.name).join(', ') || '(no models)'}`);
    }
  });
  if (raw?.redis && !serving.models.some((m) => m.cache)) {
    at('/serving/redis', 'Redis runs as the cache of model services with cache: true, and no model sets it', 'set cache: true on a service model, or remove serving.redis');
  }
  if (raw?.seldon && !serving.models.some((m) => m.server === 'seldon')) {
    at('/serving/seldon', 'the Seldon licence is accepted, but no model uses server: seldon', 'remove serving.seldon, or serve a model with it');
  }
  return problems;
}

/** Checks that need more than the schema: dependencies between fields, unique names. */
function semanticProblems(source: YamlSource, config: EnvironmentConfig): Problem[] {
  const problems: Problem[] = [];
  const at = (path: string, message: string, fix: string): void => {
    problems.push({ file: source.file, path, ...source.locate(path), message, fix });
  };
  const { cluster } = config;
  if (cluster.distribution === 'generic' && cluster.helmController === 'builtin') {
    at(
      '/cluster/helmController',
      'a generic cluster has no built-in helm-controller, so the HelmChart CRs of this platform would never be installed',
      'set cluster.helmController to "install" (or remove it: "install" is the default on generic clusters)',
    );
  }
  if (cluster.distribution !== 'generic' && cluster.helmController === 'install') {
    at(
      '/cluster/helmController',
      `${cluster.distribution} already runs a helm-controller; a second one would process every HelmChart twice`,
      `remove cluster.helmController (the default on ${cluster.distribution} is "builtin"), or set cluster.distribution to "generic"`,
    );
  }
  if (config.argocd.install && cluster.server !== 'https://kubernetes.default.svc') {
    at(
      '/cluster/server',
      `Argo CD installed by the bootstrap runs inside the cluster and reaches it as https://kubernetes.default.svc, not ${cluster.server}`,
      'set cluster.server to https://kubernetes.default.svc, or set argocd.install to false and register the cluster in your existing Argo CD (argocd cluster add)',
    );
  }
  const raw = source.data as EnvironmentFile;
  const gitops = config.gitops;
  if (gitops.credentials === 'ssh' && raw.gitops.auth !== undefined) {
    at('/gitops/auth', `auth selects HTTPS credentials, but ${gitops.repoURL} is reached over SSH (a sealed deploy key)`, 'remove gitops.auth, or use an https:// URL');
  }
  if (gitops.credentials !== 'ssh' && raw.gitops.knownHosts !== undefined) {
    at('/gitops/knownHosts', 'knownHosts pins SSH host keys, but the repository is reached over HTTPS', 'remove gitops.knownHosts, or use an SSH URL such as git@host:org/repo.git');
  }
  if (gitops.credentials !== 'token' && raw.gitops.username !== undefined) {
    at('/gitops/username', 'username goes with a token, but gitops.auth is not "token"', 'set gitops.auth: token, or remove gitops.username');
  }
  if (!config.argocd.install && (raw.gitops.auth === 'token' || raw.gitops.knownHosts !== undefined)) {
    at(
      raw.gitops.auth === 'token' ? '/gitops/auth' : '/gitops/knownHosts',
      'an existing Argo CD (argocd.install: false) reads the repository with the credentials and host keys configured in it',
      'remove it here and add the repository to that Argo CD (argocd repo add ...)',
    );
  }
  if (raw.database?.external) {
    for (const key of ['instances', 'storageSize', 'resources', 'backup'] as const) {
      if (raw.database[key] !== undefined) {
        at(
          `/database/${key}`,
          `database.${key} applies to the in-cluster PostgreSQL, but database.external is set`,
          `remove database.${key} (the external server is sized and backed up where it runs), or remove database.external`,
        );
      }
    }
  }
  if (raw.objectStore?.external && raw.objectStore.minio) {
    at('/objectStore/minio', 'objectStore.minio and objectStore.external are both set', 'keep one: minio runs in the cluster, external uses an S3 endpoint');
  }
  const store = config.objectStore;
  if (store.kind === 'external' && store.credentials === 'serviceAccount' && Object.keys(store.serviceAccountAnnotations).length === 0) {
    at(
      '/objectStore/external/serviceAccountAnnotations',
      'credentials "serviceAccount" needs the annotations that give the pods their cloud identity',
      'add e.g. serviceAccountAnnotations: { eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/mlops-prod }, or use credentials: sealed',
    );
  }
  const tls = raw.tls;
  if (tls?.issuer === 'acme' && tls.acme === undefined) {
    at('/tls', 'issuer "acme" needs the account e-mail Let\'s Encrypt writes to about expiring certificates', 'add tls.acme.email (and tls.acme.server for another ACME server)');
  }
  if (tls?.acme !== undefined && tls.issuer !== 'acme') {
    at('/tls/acme', `acme settings apply to issuer "acme", not "${tls.issuer ?? 'selfSigned'}"`, 'set tls.issuer: acme, or remove tls.acme');
  }
  if (tls?.issuer === 'clusterIssuer' && tls.clusterIssuer === undefined) {
    at('/tls', 'issuer "clusterIssuer" needs the name of the ClusterIssuer to use', 'add tls.clusterIssuer: <name of a ClusterIssuer in the cluster>');
  }
  if (tls?.clusterIssuer !== undefined && tls.issuer !== 'clusterIssuer') {
    at('/tls/clusterIssuer', `clusterIssuer applies to issuer "clusterIssuer", not "${tls.issuer ?? 'selfSigned'}"`, 'set tls.issuer: clusterIssuer, or remove tls.clusterIssuer');
  }
  if (cluster.ingressController === 'install' && cluster.distribution !== 'generic') {
    at(
      '/cluster/ingressController',
      `${cluster.distribution} ships an ingress controller already; a second one would compete for the same ports`,
      `remove cluster.ingressController (use ${cluster.distribution}'s own, e.g. ingressClass: traefik on k3s), or set cluster.distribution to "generic"`,
    );
  }
  // Node pools: unique names, labels an autoscaler knows before the node exists, tainted GPU pools.
  const seenPools = new Map<string, number>();
  config.nodePools.forEach((pool, i) => {
    const at0 = `/nodePools/${i}`;
    if (seenPools.has(pool.name)) {
      at(`${at0}/name`, `node pool name "${pool.name}" is already used by /nodePools/${seenPools.get(pool.name)}`, 'give each node pool its own name');
    } else {
      seenPools.set(pool.name, i);
    }
    for (const key of Object.keys(pool.labels)) {
      if (/^(nvidia\.com|feature\.node\.kubernetes\.io)\//.test(key)) {
        at(
          `${at0}/labels/${pointerSegment(key)}`,
          `label "${key}" is set by GPU feature discovery once a node runs, so a pod selecting it stays Pending on a pool scaled to zero`,
          'select the pool by a label the autoscaler puts on new nodes, e.g. mlops-gitops.dev/pool: ' + pool.name,
        );
      }
    }
    if (pool.kind === 'gpu' && !pool.taints.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) {
      at(`${at0}/taints`, `GPU pool "${pool.name}" has no NoSchedule taint, so CPU pods would land on its expensive nodes`, 'add taints: [{ key: nvidia.com/gpu, value: "true", effect: NoSchedule }]');
    }
    if (pool.kind === 'cpu' && (pool.gpuType !== undefined || raw.nodePools?.[i].gpusPerNode !== undefined || raw.nodePools?.[i].gpuResource !== undefined)) {
      at(at0, `CPU pool "${pool.name}" sets GPU fields (gpuType, gpusPerNode, gpuResource)`, 'remove them, or set kind: gpu');
    }
    if (pool.kind === 'gpu') {
      (pool.instanceTypes ?? []).forEach((type, j) => {
        const known = instanceGpu(type);
        if (known.gpuType !== undefined && pool.gpuType !== undefined && known.gpuType !== pool.gpuType) {
          at(`${at0}/instanceTypes/${j}`, `${type} carries ${known.gpuType} GPUs, but the pool declares gpuType "${pool.gpuType}"`, `use instance types with ${pool.gpuType} GPUs, or set gpuType: ${known.gpuType}`);
        }
        if (known.gpus !== undefined && known.gpus !== pool.gpusPerNode) {
          at(`${at0}/instanceTypes/${j}`, `${type} has ${known.gpus} GPU${known.gpus === 1 ? '' : 's'}, but the pool declares gpusPerNode: ${pool.gpusPerNode}`, `list instance types with ${pool.gpusPerNode} GPUs each, or set gpusPerNode: ${known.gpus}`);
        }
      });
    }
    if (pool.minNodes > pool.maxNodes) {
      at(`${at0}/minNodes`, `minNodes ${pool.minNodes} is above maxNodes ${pool.maxNodes}`, 'lower minNodes or raise maxNodes');
    }
    if (cluster.autoscaler === 'karpenter' && pool.minNodes > 0) {
      at(`${at0}/minNodes`, 'Karpenter has no minimum node count: it adds nodes for pending pods and removes empty ones', 'set minNodes to 0 (or remove it)');
    }
  });
  const gpuRequests: [string, GpuRequest | undefined][] = [
    ['/components/airflow/gpuTraining', config.components.airflow.enabled ? config.components.airflow.gpuTraining : undefined],
    ['/components/ray/training', config.components.ray.enabled ? config.components.ray.training.gpu : undefined],
  ];
  for (const [pointer, request] of gpuRequests) {
    const error = request ? placementError(config.nodePools, request) : undefined;
    if (error) at(pointer, `this workload ${error}`, 'add a matching GPU pool to nodePools, or change the request');
    if (request && request.gpus > 1 && config.gpu.timeSlicingReplicas > 1) {
      at(`${pointer}/gpus`, `asks for ${request.gpus} GPUs, but with gpu.timeSlicing the device plugin refuses more than one slice per pod`, 'ask for gpus: 1, or remove gpu.timeSlicing');
    }
  }
  // Ray GPU workers request what they are limited to (the scheduler then reserves it all): they must fit a node of the pool.
  const ray = config.components.ray;
  if (ray.enabled && !placementError(config.nodePools, ray.training.gpu)) {
    const pool = place(config.nodePools, ray.training.gpu).pool!;
    const shapes = (pool.instanceTypes ?? []).map((t) => ({ t, a: allocatable(t) }));
    const limits = ray.training.workerResources.limits;
    if (shapes.length > 0 && shapes.every((s) => s.a !== undefined) && !shapes.some((s) => cpuUnits(limits.cpu) <= s.a!.cpu && memoryGi(limits.memory) <= s.a!.memoryGi)) {
      const best = shapes.map((s) => `${s.t}: about ${s.a!.cpu} CPU, ${s.a!.memoryGi}Gi`).join('; ');
      at(
        '/components/ray/training/workerResources',
        `a Ray worker asks for ${limits.cpu} CPU and ${limits.memory}, more than a node of pool "${pool.name}" can give a pod (${best})`,
        'lower workerResources.limits to fit, or add a larger instance type to the pool',
      );
    }
  }
  if (config.gpu.timeSlicingReplicas > 1 && cluster.autoscaler === 'karpenter') {
    at(
      '/gpu/timeSlicing',
      'Karpenter counts a running node\'s GPUs as it reports them (each shared by the slices) but a new node\'s as physical GPUs: its GPU limit runs out early, and pending slices start a node each',
      'remove gpu.timeSlicing, or use cluster-autoscaler (node-groups.md tells it the shared count)',
    );
  }
  if (raw.gpu && !config.nodePools.some((p) => p.kind === 'gpu')) {
    at('/gpu', 'gpu settings without a GPU node pool', 'add a node pool with kind: gpu, or remove gpu');
  }
  const airflow = config.components.airflow;
  if (raw.components.airflow) {
    if (airflow.dags.ssh && airflow.dags.knownHosts === undefined) {
      at(
        '/components/airflow/dags',
        `the DAG repository ${airflow.dags.repo} is reached over SSH, but no host key is pinned`,
        'add knownHosts: the known_hosts lines of the git server (e.g. the output of ssh-keyscan <host>, checked against the host\'s published fingerprints)',
      );
    }
    if (!airflow.dags.ssh && raw.components.airflow.dags.knownHosts !== undefined) {
      at('/components/airflow/dags/knownHosts', 'knownHosts pins SSH host keys, but the repository is reached over HTTPS', 'remove knownHosts, or use an SSH URL such as git@host:org/repo.git');
    }
    if (airflow.dags.ssh && raw.components.airflow.dags.auth !== undefined) {
      at('/components/airflow/dags/auth', 'auth selects HTTPS credentials, but the repository is reached over SSH (it always uses the sealed gitSshKey)', 'remove auth, or use an https:// URL');
    }
    if (airflow.executor !== 'CeleryExecutor' && raw.components.airflow.workerReplicas !== undefined) {
      at('/components/airflow/workerReplicas', `workerReplicas sizes Celery workers, but the executor is ${airflow.executor} (one pod per task)`, 'remove workerReplicas, or set executor: CeleryExecutor');
    }
  }
  problems.push(...servingProblems(source, config));
  const streaming = (source.data as EnvironmentFile).streaming;
  if (streaming && config.streaming.enabled) {
    const s = config.streaming;
    const topicNames = new Map<string, string>();
    s.topics.forEach((t, i) => {
      const auto = i < config.serving.models.length;
      const path = auto ? `/serving/models/${i}/name` : `/streaming/topics/${i - config.serving.models.length}`;
      if (topicNames.has(t.name)) at(`${path}`, `topic ${t.name} is declared twice (${topicNames.get(t.name)})`, 'give each topic its own name (predictions-<model> topics are made for every served model)');
      topicNames.set(t.name, path);
      if (t.replicas > s.kafka.brokers) at(auto ? '/streaming/kafka/brokers' : `${path}/replicas`, `topic ${t.name} asks for ${t.replicas} replicas, but Kafka has ${s.kafka.brokers} broker${s.kafka.brokers === 1 ? '' : 's'}`, 'lower the replicas, or add brokers');
    });
    (streaming.consumers ?? []).forEach((c, i) => {
      c.topics.forEach((t, j) => {
        if (!topicNames.has(t)) at(`/streaming/consumers/${i}/topics/${j}`, `topic ${t} is not one of the environment's topics`, `use one of: ${[...topicNames.keys()].join(', ')}`);
      });
      const enabled = { airflow: config.components.airflow.enabled, serving: config.serving.models.length > 0, prefect: config.components.prefect.enabled, ray: config.components.ray.enabled }[c.component];
      if (!enabled) at(`/streaming/consumers/${i}/component`, `component ${c.component} does not run in this environment`, 'enable it, or remove the consumer');
    });
    s.drift.forEach((d, i) => {
      const model = config.serving.models.find((m) => m.name === d.model);
      if (!model) at(`/streaming/drift/${i}/model`, `model "${d.model}" is not in serving.models`, `use one of: ${config.serving.models.map((m) => m.name).join(', ') || '(no models)'}`);
      else if (model.server === 'rayserve' || model.server === 'seldon') at(`/streaming/drift/${i}/model`, `requests of ${model.server} models are not logged to Kafka`, 'watch a kserve or service model');
      if (s.drift.findIndex((x) => x.model === d.model) !== i) at(`/streaming/drift/${i}/model`, `model ${d.model} has a drift service already`, 'keep one entry per model');
      const buckets = platformBuckets(config);
      if (!buckets.includes(bucketOf(d.reference))) at(`/streaming/drift/${i}/reference`, `${d.reference} is not in a bucket of the platform's object store (${buckets.join(', ') || 'none'})`, 'put the reference data in a platform bucket, e.g. next to the model in MLflow\'s');
    });
    if (s.kafka.controllers === 0 && s.kafka.brokers > 1 && s.kafka.brokers % 2 === 0) {
      at('/streaming/kafka/brokers', `${s.kafka.brokers} dual-role nodes make an even controller quorum, which tolerates no more failures than one node fewer`, 'use an odd number of brokers, or dedicated controllers (controllers: 3)');
    }
  }
  const logging = (source.data as EnvironmentFile).logging;
  if (logging && config.logging.enabled) {
    const l = config.logging;
    if (l.retention.endsWith('h') && Number(l.retention.slice(0, -1)) < 24) {
      at('/logging/retention', `logs kept for ${l.retention}, less than a day: a task's log would vanish before anyone reads it`, 'keep them at least 1d');
    }
    if (l.snapshots && config.objectStore.kind === 'external' && config.objectStore.credentials === 'serviceAccount') {
      at('/logging/snapshots', 'Elasticsearch\'s S3 repository here takes access keys, not the pods\' cloud identity', 'use objectStore.external.credentials: sealed, or remove logging.snapshots');
    }
    // Airflow reads task logs back from Elasticsearch only if Filebeat ships its namespace.
    if (config.components.airflow.enabled && l.namespaces && !l.namespaces.includes('airflow')) {
      at(
        '/logging/namespaces',
        `Airflow runs and reads its task logs from Elasticsearch, but Filebeat ships only ${l.namespaces.join(', ')}: no task log would ever show in Airflow`,
        'add airflow to logging.namespaces (or remove the list: every platform namespace is shipped)',
      );
    }
    const heapGi = l.elasticsearch.heap.endsWith('g') ? Number(l.elasticsearch.heap.slice(0, -1)) : Number(l.elasticsearch.heap.slice(0, -1)) / 1024;
    if (heapGi > memoryGi(l.elasticsearch.resources.limits.memory) / 2) {
      at('/logging/elasticsearch/heap', `a heap of ${l.elasticsearch.heap} is more than half of the memory limit ${l.elasticsearch.resources.limits.memory}`, 'lower the heap or raise the limit: Elasticsearch needs the other half for the file cache');
    }
  }
  const mon = (source.data as EnvironmentFile).monitoring;
  if (mon) {
    const am = mon.alertmanager;
    if (am?.email && !am.smtp) {
      at('/monitoring/alertmanager/email', 'alert e-mails need an SMTP server to send them', 'add monitoring.alertmanager.smtp: { host, from, user } (the password is sealed with npm run seal)');
    }
    if (am?.smtp && !am.email) {
      at('/monitoring/alertmanager/smtp', 'SMTP settings without recipients: no alert would be mailed', 'add monitoring.alertmanager.email.to, or remove smtp');
    }
    if (config.monitoring.enabled && config.cluster.prometheusOperator) {
      at(
        '/monitoring',
        'the cluster runs a Prometheus Operator already (cluster.prometheusOperator: true); a second one would fight over the same CRDs',
        'remove monitoring (the platform then only emits its monitors and rules for the existing Prometheus), or set cluster.prometheusOperator to false',
      );
    }
    if (!config.monitoring.enabled && mon.influxdb !== undefined && config.monitoring.influxdb.enabled) {
      at('/monitoring/influxdb', 'InfluxDB and Chronograf come with the platform\'s monitoring, which is disabled', 'set monitoring.enabled to true, or remove monitoring.influxdb');
    }
    if (alertBridgeOn(config) && config.monitoring.alertmanager.webhooks.some((w) => w.name === 'retrain')) {
      at('/monitoring/alertmanager/webhooks', 'webhook name "retrain" is the alert bridge\'s receiver, which the platform adds itself', 'rename the webhook, or remove it: alerts labelled retrain="true" already reach the bridge');
    }
    if (config.monitoring.alertmanager.email && config.monitoring.alertmanager.webhooks.some((w) => w.name === 'email' || w.name === 'null')) {
      at('/monitoring/alertmanager/webhooks', 'webhook names "email" and "null" are the platform\'s own receivers', 'rename the webhook');
    }
  }
  // Every component owns its namespace (Argo CD manages its labels), so two may not share one.
  const owners = new Map<string, string>();
  const claim = (pointer: string, namespace: string): void => {
    const other = owners.get(namespace);
    if (other !== undefined) {
      at(pointer, `namespace "${namespace}" is already used by ${other}`, 'give each component its own namespace');
    } else {
      owners.set(namespace, pointer);
    }
  };
  claim('/argocd/namespace', config.argocd.namespace);
  if (config.components.sealedSecrets.enabled) claim('/components/sealedSecrets/namespace', config.components.sealedSecrets.namespace);
  for (const fixed of FIXED_NAMESPACES) claim(`(${fixed})`, fixed);

  return problems;
}

/**
 * Validates and resolves one environment file.
 * @param text the file's content
 * @param file the file's path as shown to the user, e.g. `environments/local.yaml`
 */
export function loadEnvironment(text: string, file: string): EnvironmentConfig {
  const name = (file.split('/').pop() ?? file).replace(/\.ya?ml$/, '');
  if (!new RegExp(PATTERNS.dnsLabel.pattern).test(name)) {
    throw new UserError({
      file,
      message: `environment name "${name}" (the file name) is not ${PATTERNS.dnsLabel.explain}`,
      fix: `rename the file, e.g. environments/${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'dev'}.yaml`,
    });
  }
  const source = parseYamlSource(text, file);
  if (source.data === null || typeof source.data !== 'object' || Array.isArray(source.data)) {
    throw new UserError({
      file,
      path: '',
      line: 1,
      message: `expected a mapping with cluster, domain, gitops and components, got ${describe(source.data)}`,
      fix: 'start from environments/local.yaml',
    });
  }
  if (!validateSchema(source.data)) {
    const problems = (validateSchema.errors ?? []).map((e) => schemaProblem(source, e));
    // ajv reports one error per failed keyword; the same message twice helps nobody.
    const unique = [...new Map(problems.map((p) => [`${p.path}|${p.message}`, p])).values()];
    unique.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.path ?? '').localeCompare(b.path ?? ''));
    throw new UserError(unique, `${file}: ${countProblems(unique.length)}`);
  }
  const config = resolveEnvironment(name, file, source.data as EnvironmentFile);
  const problems = semanticProblems(source, config);
  if (problems.length > 0) throw new UserError(problems, `${file}: ${countProblems(problems.length)}`);
  return config;
}
