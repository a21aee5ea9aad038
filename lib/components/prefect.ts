/**
 * Prefect, the alternative orchestrator (`components.prefect`): the Prefect
 * server chart and the Kubernetes worker chart as HelmChart CRs, the
 * server's database in the platform PostgreSQL (a sealed connection string),
 * a Kubernetes work pool the worker creates and serves, and the UI at
 * `prefect.<domain>`.
 */
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment';
import { CHARTS, IMAGES } from '../config/versions';
import { ingressTlsAnnotations } from './cert-manager';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { SealedSecret } from '../constructs/sealed-secret';
import { Consumer, DatabaseHandle, MlflowHandle } from '../data/handles';
import { DataLayer } from '../data/layer';
import { generatedPassword, SecretCatalog, SecretKeySpec } from '../secrets/catalog';

export const PREFECT: Consumer = { name: 'prefect', namespace: 'prefect' };
const SERVER = 'prefect-server';
const PORT = 4200;
/** The Prefect images' user. */
const PREFECT_UID = 1001;

/** The in-cluster API URL the worker and flow runs use. */
export const PREFECT_API_URL = `http://${SERVER}.${PREFECT.namespace}.svc.cluster.local:${PORT}/api`;

/** The keys of the server's database Secret: `connection-string` (asyncpg URL), derived from the role password. */
export function prefectDatabaseKeys(db: DatabaseHandle): SecretKeySpec[] {
  const url = (pw: string) => `postgresql+asyncpg://${db.user}:${pw}@${db.host}:${db.port}/${db.database}?ssl=${db.sslmode}`;
  if (db.password.kind === 'provided') {
    return [
      { key: 'connection-string', description: `database URL of Prefect on ${db.host}`, source: { kind: 'provided', hint: url('<url-encoded password>') } },
    ];
  }
  return [
    { key: 'password', description: `password of PostgreSQL role ${db.user}`, source: db.password },
    {
      key: 'connection-string',
      description: 'database URL of the Prefect server',
      source: { kind: 'generated', generate: (_r, siblings) => url(encodeURIComponent(siblings.password)) },
    },
  ];
}

const SECURITY = {
  pod: { runAsUser: PREFECT_UID, runAsNonRoot: true, fsGroup: PREFECT_UID, seccompProfile: { type: 'RuntimeDefault' } },
  container: {
    runAsUser: PREFECT_UID,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
  },
};

export class PrefectChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, data: DataLayer, catalog: SecretCatalog, mlflow: MlflowHandle | undefined) {
    super(scope, {
      name: 'prefect',
      namespace: PREFECT.namespace,
      tier: Tier.PLATFORM,
      waveOffset: 2,
      podSecurity: 'baseline',
      podSecurityReason: 'flow-run pods come from the work pool\'s base job template, which sets no restricted security context; warn and audit stay at restricted',
    });
    const settings = config.components.prefect;
    const labels = this.objectLabels();
    const db = data.database(PREFECT);
    const secret = new SealedSecret(this, 'db', { catalog, component: 'prefect', name: 'prefect-db', labels, keys: prefectDatabaseKeys(db) });
    const host = `prefect.${config.domain}`;
    // Prefect's own basic auth: the UI and the API ask for it, and the worker sends it.
    const auth = new SealedSecret(this, 'basic-auth', {
      catalog,
      component: 'prefect',
      name: 'prefect-basic-auth',
      labels,
      keys: [
        // Read it with: kubectl -n prefect get secret prefect-basic-auth -o jsonpath='{.data.password}' | base64 -d
        { key: 'password', description: 'password of user "admin" of the Prefect UI and API', source: generatedPassword(24) },
        { key: 'auth-string', description: 'admin:<password>, as the Prefect charts read it', source: { kind: 'generated', generate: (_random, siblings) => `admin:${siblings.password}` } },
      ],
    });

    new HelmChart(this, 'server', {
      name: SERVER,
      chart: CHARTS.prefectServer,
      // State is in the platform PostgreSQL.
      holdsData: false,
      failurePolicy: 'abort',
      labels,
      values: {
        fullnameOverride: SERVER,
        global: { prefect: { image: { repository: IMAGES.prefect.repository, prefectTag: IMAGES.prefect.tag, pullPolicy: 'IfNotPresent' } } },
        server: {
          replicaCount: 1,
          resources: settings.serverResources,
          // The server never calls the Kubernetes API.
          automountServiceAccountToken: false,
          uiConfig: { prefectUiApiUrl: `https://${host}/api` },
          basicAuth: { enabled: true, existingSecret: auth.name },
          podSecurityContext: SECURITY.pod,
          containerSecurityContext: SECURITY.container,
        },
        // The platform PostgreSQL instead of the bundled one.
        postgresql: { enabled: false },
        secret: { create: false, name: secret.name },
        ingress: {
          enabled: true,
          className: config.cluster.ingressClass,
          host: { hostname: host, path: '/', pathType: 'Prefix' },
          // TLS in the Secret <host>-tls, issued by cert-manager.
          tls: true,
          annotations: ingressTlsAnnotations(config),
        },
      },
    });

    new HelmChart(this, 'worker', {
      name: 'prefect-worker',
      chart: CHARTS.prefectWorker,
      holdsData: false,
      failurePolicy: 'retry',
      labels,
      values: {
        fullnameOverride: 'prefect-worker',
        worker: {
          replicaCount: settings.workerReplicas,
          image: { repository: IMAGES.prefectWorker.repository, prefectTag: IMAGES.prefectWorker.tag, pullPolicy: 'IfNotPresent' },
          apiConfig: 'selfHostedServer',
          selfHostedServerApiConfig: { apiUrl: PREFECT_API_URL, basicAuth: { enabled: true, existingSecret: auth.name } },
          // The worker creates the work pool on start and runs each flow as a Kubernetes Job in this namespace.
          config: { workPool: settings.workPool, type: 'kubernetes', jobNamespace: PREFECT.namespace },
          resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
          podSecurityContext: SECURITY.pod,
          containerSecurityContext: SECURITY.container,
          ...(mlflow ? { extraEnvVars: [{ name: 'MLFLOW_TRACKING_URI', value: mlflow.trackingUri }] } : {}),
        },
      },
    });
  }
}
