/**
 * MLflow tracking server and model registry: experiments and the registry in
 * the platform PostgreSQL, artifacts in the object store, proxied through the
 * server (`--serve-artifacts`), so clients need no object-store credentials.
 *
 * Plain manifests with cdk8s-plus: ServiceAccount, ConfigMap, Deployment,
 * Service, Ingress at `mlflow.<domain>`, a PodDisruptionBudget with two or
 * more replicas, and NetworkPolicies.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentConfig, monitorsOn } from '../config/environment';
import { IMAGES, imageString } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { allowIngress, denyAllIngress } from '../constructs/network-policy';
import { AUTH_PROXY_PORT, authProxyContainer, htpasswdOf } from '../constructs/auth-proxy';
import { allowAcmeSolver, ingressTlsAnnotations } from './cert-manager';
import { SealedSecret } from '../constructs/sealed-secret';
import { containerResources, finishPodTemplate, restrictedContainerSecurity } from '../constructs/workload';
import { Consumer, databaseUrl, MlflowHandle, s3Url } from '../data/handles';
import { DataLayer } from '../data/layer';
import { generatedPassword, SecretCatalog } from '../secrets/catalog';

export const MLFLOW: Consumer = { name: 'mlflow', namespace: 'mlflow' };
const PORT = 5000;
/** The burakince/mlflow image's user and group. */
const MLFLOW_USER = 1001;
/** Every MLflow container: the image's user, a read-only root (/tmp is a scratch volume), nothing more. */
const CONTAINER_SECURITY = restrictedContainerSecurity(MLFLOW_USER);

/** Where other components reach MLflow inside the cluster. */
export function mlflowHandle(): MlflowHandle {
  return { trackingUri: `http://mlflow.${MLFLOW.namespace}.svc.cluster.local:${PORT}`, namespace: MLFLOW.namespace };
}

export class MlflowChart extends ComponentChart {
  public readonly handle: MlflowHandle = mlflowHandle();

  /**
   * @param clients namespaces whose pods use MLflow's API directly (the
   * tracking URI of the handle): Airflow, Prefect and Ray tasks.
   */
  constructor(scope: Construct, config: EnvironmentConfig, data: DataLayer, catalog: SecretCatalog, clients: readonly string[]) {
    super(scope, { name: 'mlflow', namespace: MLFLOW.namespace, tier: Tier.PLATFORM });
    const settings = config.components.mlflow;
    const labels = this.objectLabels();
    const podLabels = { 'app.kubernetes.io/name': 'mlflow' };
    const db = data.database(MLFLOW);
    const store = data.objectStore(MLFLOW);

    const dbSecret = new SealedSecret(this, 'db', {
      catalog,
      component: 'mlflow',
      name: 'mlflow-db',
      labels,
      keys: [{ key: 'password', description: `password of PostgreSQL role ${db.user}`, source: db.password }],
    });
    const s3Secret = store.credentials
      ? new SealedSecret(this, 's3', {
          catalog,
          component: 'mlflow',
          name: 'mlflow-s3',
          labels,
          keys: [
            { key: 'AWS_ACCESS_KEY_ID', description: `object-store access key of mlflow (bucket ${store.bucket})`, source: store.credentials.accessKeyId },
            { key: 'AWS_SECRET_ACCESS_KEY', description: 'its secret', source: store.credentials.secretAccessKey },
          ],
        })
      : undefined;

    const serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name: 'mlflow', labels, annotations: { ...store.serviceAccountAnnotations } },
      // Only a cloud identity (IRSA and the like) needs the projected token.
      automountToken: !store.credentials,
    });
    const settingsMap = new kplus.ConfigMap(this, 'config', {
      metadata: { name: 'mlflow', labels },
      data: {
        MLFLOW_S3_ENDPOINT_URL: store.endpoint,
        AWS_DEFAULT_REGION: store.region,
        // Temporary files (artifact uploads) under the writable /tmp.
        HOME: '/tmp',
        TMPDIR: '/tmp',
      },
    });

    const envVariables: Record<string, kplus.EnvValue> = {
      // libpq reads the password from PGPASSWORD, so it never appears in a URI or an argument.
      PGPASSWORD: secretEnv(this, 'db-secret', dbSecret.ref('password')),
    };
    if (s3Secret) {
      envVariables.AWS_ACCESS_KEY_ID = secretEnv(this, 's3-key', s3Secret.ref('AWS_ACCESS_KEY_ID'));
      envVariables.AWS_SECRET_ACCESS_KEY = secretEnv(this, 's3-secret', s3Secret.ref('AWS_SECRET_ACCESS_KEY'));
    }
    const host = `mlflow.${config.domain}`;
    // MLflow has no access control of its own in this setup: with basicAuth, people reach it through an
    // authenticating proxy in the same pod; in-cluster clients use the MLflow port, open only to them.
    const auth = settings.basicAuth
      ? new SealedSecret(this, 'basic-auth', {
          catalog,
          component: 'mlflow',
          name: 'mlflow-basic-auth',
          labels,
          keys: [
            // Read it with: kubectl -n mlflow get secret mlflow-basic-auth -o jsonpath='{.data.password}' | base64 -d
            { key: 'password', description: 'password of user "mlflow" of the MLflow UI', source: generatedPassword(24) },
            { key: 'auth', description: 'htpasswd line for the authenticating proxy', source: htpasswdOf('mlflow') },
          ],
        })
      : undefined;
    const proxy = auth
      ? authProxyContainer(this, {
          configName: 'mlflow-auth-proxy',
          labels,
          upstreamPort: PORT,
          realm: 'MLflow',
          healthPath: '/health',
          // Artifacts are uploaded through the server.
          maxBodySize: '1g',
          htpasswd: auth.ref('auth'),
        })
      : undefined;
    const deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: 'mlflow', labels },
      replicas: settings.replicas,
      select: false,
      podMetadata: { labels: { ...labels, ...podLabels } },
      serviceAccount,
      automountServiceAccountToken: !store.credentials,
      securityContext: { ensureNonRoot: true, user: MLFLOW_USER, group: MLFLOW_USER, fsGroup: MLFLOW_USER },
      // A new MLflow image whose schema is newer refuses to start ("out-of-date database schema"):
      // migrate first. On a new, empty database `mlflow db upgrade` fails and the server creates the tables.
      initContainers: [
        {
          name: 'db-upgrade',
          image: imageString(IMAGES.mlflow),
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['sh', '-c', 'mlflow db upgrade "$0" || echo "no schema to upgrade: the server initializes a new database"', databaseUrl(db)],
          envVariables: { PGPASSWORD: envVariables.PGPASSWORD, HOME: kplus.EnvValue.fromValue('/tmp') },
          resources: containerResources(settings.resources),
          securityContext: CONTAINER_SECURITY,
          volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(this, 'upgrade-tmp', 'upgrade-tmp', { sizeLimit: Size.mebibytes(256) }) }],
        },
      ],
      containers: [
        {
          name: 'mlflow',
          image: imageString(IMAGES.mlflow),
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['mlflow'],
          args: [
            'server',
            '--host=0.0.0.0',
            `--port=${PORT}`,
            `--backend-store-uri=${databaseUrl(db)}`,
            `--artifacts-destination=${s3Url(store)}`,
            '--serve-artifacts',
            // Prometheus metrics at /metrics on the MLflow port (prometheus-flask-exporter, in the image).
            ...(monitorsOn(config) ? ['--expose-prometheus=/tmp/prometheus'] : []),
            // MLflow 3 rejects Host headers it does not know: the in-cluster service names and the ingress host.
            `--allowed-hosts=${[host, 'mlflow', `mlflow.${MLFLOW.namespace}`, `mlflow.${MLFLOW.namespace}.svc`, `mlflow.${MLFLOW.namespace}.svc.cluster.local`, 'localhost'].flatMap((h) => [h, `${h}:${PORT}`]).join(',')}`,
          ],
          portNumber: PORT,
          envFrom: [kplus.Env.fromConfigMap(settingsMap)],
          envVariables,
          resources: containerResources(settings.resources),
          // The first start migrates the database schema, which can take minutes.
          startup: kplus.Probe.fromHttpGet('/health', { port: PORT, periodSeconds: Duration.seconds(10), failureThreshold: 60 }),
          readiness: kplus.Probe.fromHttpGet('/health', { port: PORT, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5) }),
          liveness: kplus.Probe.fromHttpGet('/health', {
            port: PORT,
            initialDelaySeconds: Duration.seconds(30),
            periodSeconds: Duration.seconds(20),
            timeoutSeconds: Duration.seconds(5),
            failureThreshold: 5,
          }),
          securityContext: CONTAINER_SECURITY,
          volumeMounts: [
            { path: '/tmp', volume: kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp', { sizeLimit: Size.gibibytes(1) }) },
          ],
        },
        ...(proxy ? [proxy] : []),
      ],
    });
    deployment.select(kplus.LabelSelector.of({ labels: podLabels }));
    finishPodTemplate(deployment);

    new k8s.KubeService(this, 'service', {
      metadata: { name: 'mlflow', labels },
      spec: {
        selector: podLabels,
        ports: [
          { name: 'http', port: PORT, targetPort: k8s.IntOrString.fromNumber(PORT) },
          ...(proxy ? [{ name: 'auth-proxy', port: AUTH_PROXY_PORT, targetPort: k8s.IntOrString.fromNumber(AUTH_PROXY_PORT) }] : []),
        ],
      },
    });

    const uiPort = proxy ? AUTH_PROXY_PORT : PORT;
    const annotations: Record<string, string> = { ...ingressTlsAnnotations(config) };
    // Artifacts are uploaded through the server.
    if (/nginx/.test(config.cluster.ingressClass)) annotations['nginx.ingress.kubernetes.io/proxy-body-size'] = '1g';
    new k8s.KubeIngress(this, 'ingress', {
      metadata: { name: 'mlflow', labels, annotations },
      spec: {
        ingressClassName: config.cluster.ingressClass,
        tls: [{ hosts: [host], secretName: 'mlflow-tls' }],
        rules: [
          {
            host,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'mlflow', port: { number: uiPort } } } }] },
          },
        ],
      },
    });

    if (settings.replicas >= 2) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name: 'mlflow', labels },
        spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: podLabels } },
      });
    }

    // People come through the ingress controller, whose namespace varies (any namespace); in-cluster
    // clients use the MLflow port, which with the proxy is open to their namespaces only.
    denyAllIngress(this, labels);
    allowAcmeSolver(this, config, labels);
    if (proxy) {
      allowIngress(this, 'allow-ui', { name: 'allow-ui', podLabels, ports: [AUTH_PROXY_PORT], fromNamespaces: [], fromAllNamespaces: true, labels });
      allowIngress(this, 'allow-http', { name: 'allow-http', podLabels, ports: [PORT], fromNamespaces: clients, labels });
    } else {
      allowIngress(this, 'allow-http', { name: 'allow-http', podLabels, ports: [PORT], fromNamespaces: [], fromAllNamespaces: true, labels });
    }
  }
}

/** A cdk8s-plus env value from a typed secret reference. */
function secretEnv(scope: Construct, id: string, ref: { name: string; key: string }): kplus.EnvValue {
  return kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(scope, id, ref.name), key: ref.key });
}
