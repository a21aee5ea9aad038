/**
 * InfluxDB 2 and Chronograf (`monitoring.influxdb`), the optional store for
 * model and business metrics.
 *
 * - InfluxDB: the influxdata influxdb2 chart as a HelmChart CR. The admin
 *   password and token are generated sealed values (the chart reads
 *   `adminUser.existingSecret`); the image's entrypoint creates the
 *   organisation, bucket and user on the first start (an empty volume), so
 *   nothing is set up by hand. Kept on removal: it holds the data.
 * - Chronograf: a plain Deployment (its chart sets no security context and
 *   runs as root), connected to InfluxDB 2 with the token, at
 *   `chronograf.<domain>` behind basic auth (the sealed `chronograf-basic-auth`).
 * - Grafana gets InfluxDB as a Flux datasource (lib/components/monitoring.ts).
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment';
import { CHARTS, IMAGES, imageString } from '../config/versions';
import { AUTH_PROXY_PORT, htpasswdOf } from '../constructs/auth-proxy';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { allowIngress, denyAllIngress } from '../constructs/network-policy';
import { SealedSecret } from '../constructs/sealed-secret';
import { generatedPassword, GeneratedValue, SecretCatalog } from '../secrets/catalog';
import { allowAcmeSolver, ingressTlsAnnotations } from './cert-manager';
import { authProxySidecar, restricted, tlsIngress } from '../constructs/nginx-container';

export const INFLUXDB_NAMESPACE = 'influxdb';
export const INFLUXDB_PORT = 8086;
const INFLUX_UID = 1000;
const CHRONOGRAF_PORT = 8888;
const CHRONOGRAF_UID = 1000;

/** Where Grafana and clients reach InfluxDB. */
export function influxdbUrl(): string {
  return `http://influxdb.${INFLUXDB_NAMESPACE}.svc.cluster.local:${INFLUXDB_PORT}`;
}

/** The admin token, one generated value sealed into InfluxDB's namespace and Grafana's. */
export function influxdbToken(): GeneratedValue {
  return generatedPassword(48, 'influxdb/admin-token');
}

/** Retention as the influx CLI writes it: `30d` → `720h`, `0` → `0s` (forever). */
export function influxRetention(retention: string): string {
  if (retention === '0') return '0s';
  const n = Number(retention.slice(0, -1));
  const hours = { h: 1, d: 24, w: 168 }[retention.slice(-1) as 'h' | 'd' | 'w'];
  return `${n * hours}h`;
}

export function influxdbValues(config: EnvironmentConfig): Record<string, unknown> {
  const s = config.monitoring.influxdb;
  return {
    fullnameOverride: 'influxdb',
    image: { repository: IMAGES.influxdb.repository.replace(/^docker\.io\/library\//, ''), tag: IMAGES.influxdb.tag, pullPolicy: 'IfNotPresent' },
    adminUser: { organization: s.organization, bucket: s.bucket, user: 'admin', retention_policy: influxRetention(s.retention), existingSecret: 'influxdb-auth' },
    persistence: { enabled: true, storageClass: config.cluster.storageClass, accessMode: 'ReadWriteOnce', size: s.storageSize },
    resources: s.resources,
    // The entrypoint chowns and drops to uid 1000 when started as root; started as 1000 it just runs.
    securityContext: {
      runAsNonRoot: true,
      runAsUser: INFLUX_UID,
      runAsGroup: INFLUX_UID,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // The first start writes the CLI config and temporary files; the root filesystem stays read-only.
    volumes: [
      { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'influx-configs', emptyDir: { sizeLimit: '1Mi' } },
    ],
    mountPoints: [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'influx-configs', mountPath: '/etc/influxdb2' },
    ],
    env: [
      { name: 'INFLUXD_REPORTING_DISABLED', value: 'true' },
      { name: 'INFLUXD_PPROF_DISABLED', value: 'true' },
    ],
    service: { type: 'ClusterIP', port: INFLUXDB_PORT, targetPort: INFLUXDB_PORT, portName: 'http' },
    // One replica: a PodDisruptionBudget with minAvailable 1 would block every node drain.
    pdb: { create: false },
  };
}

export class InfluxdbChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, catalog: SecretCatalog, writers: readonly string[]) {
    super(scope, { name: 'influxdb', namespace: INFLUXDB_NAMESPACE, tier: Tier.PLATFORM, waveOffset: 5 });
    const labels = this.objectLabels();
    const settings = config.monitoring.influxdb;
    const auth = new SealedSecret(this, 'auth', {
      catalog,
      component: 'influxdb',
      name: 'influxdb-auth',
      labels,
      // The volume keeps what the first start set up: rotating these later needs `influx user password` / `influx auth`.
      keep: true,
      keys: [
        { key: 'admin-password', description: 'password of the InfluxDB user "admin"', source: generatedPassword(32) },
        { key: 'admin-token', description: 'the InfluxDB admin token (Grafana and Chronograf use it)', source: influxdbToken() },
      ],
    });
    new HelmChart(this, 'influxdb2', {
      name: 'influxdb2',
      chart: CHARTS.influxdb2,
      // Its volume holds the time series.
      holdsData: true,
      failurePolicy: 'abort',
      labels,
      values: influxdbValues(config),
    });

    const podLabels = { 'app.kubernetes.io/name': 'influxdb2' };
    denyAllIngress(this, labels);
    allowAcmeSolver(this, config, labels);
    // Grafana and Prometheus (monitoring), Chronograf (here), and the components that write metrics.
    allowIngress(this, 'allow-clients', { name: 'allow-clients', podLabels, ports: [INFLUXDB_PORT], fromNamespaces: ['monitoring', ...writers], fromSameNamespace: true, labels });
    if (settings.chronograf) this.chronograf(config, catalog, auth, labels);
  }

  private chronograf(config: EnvironmentConfig, catalog: SecretCatalog, auth: SealedSecret, labels: Record<string, string>): void {
    const settings = config.monitoring.influxdb;
    const basic = new SealedSecret(this, 'chronograf-basic-auth', {
      catalog,
      component: 'influxdb',
      name: 'chronograf-basic-auth',
      labels,
      keys: [
        { key: 'password', description: 'password of user "chronograf" of the Chronograf UI', source: generatedPassword(24) },
        { key: 'auth', description: 'htpasswd line for its proxy', source: htpasswdOf('chronograf') },
      ],
    });
    const podLabels = { 'app.kubernetes.io/name': 'chronograf' };
    const proxy = authProxySidecar(this, 'chronograf-proxy', {
      configName: 'chronograf-auth-proxy',
      labels,
      proxy: { upstreamPort: CHRONOGRAF_PORT, realm: 'Chronograf', healthPath: '/ping', maxBodySize: '16m' },
      htpasswd: basic.ref('auth'),
    });
    const q = (v: string) => k8s.Quantity.fromString(v);
    new k8s.KubeDeployment(this, 'chronograf', {
      metadata: { name: 'chronograf', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...labels, ...podLabels } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: CHRONOGRAF_UID, runAsGroup: CHRONOGRAF_UID, fsGroup: CHRONOGRAF_UID, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'chronograf',
                image: imageString(IMAGES.chronograf),
                imagePullPolicy: 'IfNotPresent',
                // Behind the proxy: the pod's loopback only.
                args: ['--host=127.0.0.1', `--port=${CHRONOGRAF_PORT}`, '--bolt-path=/var/lib/chronograf/chronograf-v1.db', '--reporting-disabled'],
                env: [
                  { name: 'INFLUXDB_URL', value: influxdbUrl() },
                  { name: 'INFLUXDB_ORG', value: settings.organization },
                  { name: 'INFLUXDB_TOKEN', valueFrom: { secretKeyRef: auth.ref('admin-token') } },
                ],
                resources: { requests: { cpu: q('20m'), memory: q('64Mi') }, limits: { cpu: q('500m'), memory: q('256Mi') } },
                securityContext: restricted(CHRONOGRAF_UID),
                volumeMounts: [{ name: 'data', mountPath: '/var/lib/chronograf' }],
              },
              proxy.container,
            ],
            // Chronograf's own state (dashboards made in its UI) is a cache: the data is in InfluxDB.
            volumes: [{ name: 'data', emptyDir: { sizeLimit: q('256Mi') } }, ...proxy.volumes],
          },
        },
      },
    });
    new k8s.KubeService(this, 'chronograf-service', {
      metadata: { name: 'chronograf', labels },
      spec: { selector: podLabels, ports: [{ name: 'proxy', port: AUTH_PROXY_PORT, targetPort: k8s.IntOrString.fromString('proxy') }] },
    });
    tlsIngress(this, 'chronograf-ingress', {
      name: 'chronograf',
      host: `chronograf.${config.domain}`,
      service: 'chronograf',
      port: AUTH_PROXY_PORT,
      ingressClass: config.cluster.ingressClass,
      annotations: ingressTlsAnnotations(config),
      labels,
    });
    allowIngress(this, 'allow-chronograf-ui', { name: 'allow-chronograf-ui', podLabels, ports: [AUTH_PROXY_PORT], fromNamespaces: [], fromAllNamespaces: true, labels });
  }
}
