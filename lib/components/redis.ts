/**
 * Redis as the model services' cache (`cache: true` on a model): the
 * official image at a pinned BSD-licensed release, one instance (a cache:
 * losing it costs a warm-up, not data), a generated sealed password, an
 * optional volume, the Prometheus exporter as a sidecar, and a
 * NetworkPolicy that admits only its consumers' namespaces.
 *
 * The password never appears in an argument or in the ConfigMap: the start
 * command writes it to a memory-backed file that redis.conf includes.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment';
import { IMAGES, imageString } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { allowIngress, denyAllIngress } from '../constructs/network-policy';
import { SealedSecret } from '../constructs/sealed-secret';
import { memoryGi } from '../constructs/workload';
import { CacheHandle } from '../data/handles';
import { generatedPassword, SecretCatalog } from '../secrets/catalog';

export const REDIS_NAMESPACE = 'redis';
export const REDIS_PORT = 6379;
export const REDIS_EXPORTER_PORT = 9121;
/** The alpine image's redis user and group. */
const REDIS_UID = 999;
const REDIS_GID = 1000;
const EXPORTER_UID = 59000;
/** Where the start command writes the password line. */
const AUTH_DIR = '/run/redis-auth';

/** The cache's handle: consumers seal the same generated password into their own namespace. */
export function cacheHandle(): CacheHandle {
  return {
    url: `redis://redis.${REDIS_NAMESPACE}.svc.cluster.local:${REDIS_PORT}/0`,
    password: generatedPassword(32, 'redis/password'),
    serverNamespace: REDIS_NAMESPACE,
  };
}

export interface RedisConfigOptions {
  readonly port: number;
  /** Most memory for data, in MiB: below the container's limit, so Redis evicts before the kernel kills it. */
  readonly maxMemoryMi: number;
  /** Append-only persistence in `dir`. */
  readonly persistent: boolean;
  readonly dir: string;
  /** The file with the `requirepass` line. */
  readonly authFile: string;
}

/** redis.conf of the cache. */
export function redisConfig(o: RedisConfigOptions): string {
  return `# mlops-gitops model cache (lib/components/redis.ts)
port ${o.port}
bind * -::*
protected-mode no
dir ${o.dir}
maxmemory ${o.maxMemoryMi}mb
maxmemory-policy allkeys-lru
${o.persistent ? 'appendonly yes\nappendfsync everysec\nsave ""' : 'appendonly no\nsave ""'}
# Commands that reconfigure or wipe the server are off for clients.
rename-command CONFIG ""
rename-command FLUSHALL ""
rename-command DEBUG ""
include ${o.authFile}
`;
}

/** The start command: the password from the environment into the included file, then Redis in the foreground. */
export function redisStartScript(configFile: string, authFile: string): string {
  return `set -eu; umask 077; printf 'requirepass "%s"\\n' "$REDIS_PASSWORD" > ${authFile}; exec redis-server ${configFile}`;
}

export class RedisChart extends ComponentChart {
  public readonly handle: CacheHandle = cacheHandle();

  /** @param consumers namespaces whose pods use the cache */
  constructor(scope: Construct, config: EnvironmentConfig, catalog: SecretCatalog, consumers: readonly string[]) {
    super(scope, { name: 'redis', namespace: REDIS_NAMESPACE, tier: Tier.DATA, waveOffset: 5 });
    const settings = config.serving.redis;
    const labels = this.objectLabels();
    const podLabels = { 'app.kubernetes.io/name': 'redis' };
    const secret = new SealedSecret(this, 'password', {
      catalog,
      component: 'redis',
      name: 'redis',
      labels,
      keys: [{ key: 'password', description: 'password of the Redis cache', source: this.handle.password }],
    });
    const maxMemoryMi = Math.floor(memoryGi(settings.resources.limits.memory) * 1024 * 0.75);
    const conf = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: 'redis', labels },
      data: { 'redis.conf': redisConfig({ port: REDIS_PORT, maxMemoryMi, persistent: settings.persistence !== undefined, dir: '/data', authFile: `${AUTH_DIR}/auth.conf` }) },
    });
    const password: k8s.EnvVar = { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: secret.ref('password') } };
    const security = (uid: number, gid: number) => ({
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: gid,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const q = (v: string) => k8s.Quantity.fromString(v);
    new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: 'redis', labels },
      spec: {
        serviceName: 'redis',
        replicas: 1,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...labels, ...podLabels } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: REDIS_UID, runAsGroup: REDIS_GID, fsGroup: REDIS_GID, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'redis',
                image: imageString(IMAGES.redis),
                imagePullPolicy: 'IfNotPresent',
                command: ['sh', '-c', redisStartScript('/etc/redis/redis.conf', `${AUTH_DIR}/auth.conf`)],
                env: [password],
                ports: [{ name: 'redis', containerPort: REDIS_PORT }],
                resources: {
                  requests: { cpu: q(settings.resources.requests.cpu), memory: q(settings.resources.requests.memory) },
                  limits: { cpu: q(settings.resources.limits.cpu), memory: q(settings.resources.limits.memory) },
                },
                readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(REDIS_PORT) }, periodSeconds: 5 },
                livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(REDIS_PORT) }, periodSeconds: 10, failureThreshold: 6 },
                securityContext: security(REDIS_UID, REDIS_GID),
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/redis', readOnly: true },
                  { name: 'auth', mountPath: AUTH_DIR },
                  { name: 'data', mountPath: '/data' },
                ],
              },
              {
                name: 'exporter',
                image: imageString(IMAGES.redisExporter),
                imagePullPolicy: 'IfNotPresent',
                env: [{ name: 'REDIS_ADDR', value: `redis://localhost:${REDIS_PORT}` }, password],
                ports: [{ name: 'metrics', containerPort: REDIS_EXPORTER_PORT }],
                resources: { requests: { cpu: q('10m'), memory: q('16Mi') }, limits: { cpu: q('200m'), memory: q('64Mi') } },
                readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromNumber(REDIS_EXPORTER_PORT) }, periodSeconds: 10 },
                securityContext: security(EXPORTER_UID, EXPORTER_UID),
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: conf.name } },
              { name: 'auth', emptyDir: { medium: 'Memory', sizeLimit: q('1Mi') } },
              ...(settings.persistence ? [] : [{ name: 'data', emptyDir: { sizeLimit: q('1Gi') } }]),
            ],
          },
        },
        ...(settings.persistence
          ? {
              volumeClaimTemplates: [
                {
                  metadata: { name: 'data' },
                  spec: { accessModes: ['ReadWriteOnce'], storageClassName: config.cluster.storageClass, resources: { requests: { storage: q(settings.persistence) } } },
                },
              ],
            }
          : {}),
      },
    });
    new k8s.KubeService(this, 'service', {
      metadata: { name: 'redis', labels },
      spec: {
        selector: podLabels,
        ports: [
          { name: 'redis', port: REDIS_PORT, targetPort: k8s.IntOrString.fromString('redis') },
          { name: 'metrics', port: REDIS_EXPORTER_PORT, targetPort: k8s.IntOrString.fromString('metrics') },
        ],
      },
    });
    denyAllIngress(this, labels);
    allowIngress(this, 'allow-consumers', { name: 'allow-consumers', podLabels, ports: [REDIS_PORT], fromNamespaces: consumers, labels });
  }
}
