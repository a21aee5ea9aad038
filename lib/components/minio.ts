/**
 * In-cluster MinIO (standalone, one persistent volume) for environments
 * without an external S3 endpoint, with every bucket the platform needs and
 * one user per consumer whose policy only reaches that consumer's bucket.
 *
 * Buckets and users are made by an idempotent Job (pinned `mc` image), run
 * as an Argo CD Sync hook on every sync after MinIO is ready: adding a
 * consumer to the config adds its bucket and user, with no manual step.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentConfig, MinioConfig, monitorsOn } from '../config/environment';
import { IMAGES, imageString } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { syncHook } from '../constructs/labels';
import { allowIngress, denyAllIngress } from '../constructs/network-policy';
import { resourceRequirements, restrictedContainer, restrictedPod, scratchVolume } from '../constructs/pod';
import { SealedSecret } from '../constructs/sealed-secret';
import { DataLayer, MINIO_NAMESPACE, MINIO_PORT, MINIO_SERVICE } from '../data/layer';
import { generatedPassword, SecretCatalog } from '../secrets/catalog';

const CONSOLE_PORT = 9001;
/** MinIO's images run as this user (the community chart's default too). */
const MINIO_USER = 1000;

/** The S3 policy of one consumer: its own bucket, nothing else. */
export function bucketPolicy(bucket: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], Resource: [`arn:aws:s3:::${bucket}`] },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: [`arn:aws:s3:::${bucket}/*`],
      },
    ],
  };
}

/** The S3 policy of a reader: list and get in the buckets it reads, nothing else. */
export function readOnlyPolicy(buckets: readonly string[]): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: buckets.map((b) => `arn:aws:s3:::${b}`) },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: buckets.map((b) => `arn:aws:s3:::${b}/*`) },
    ],
  };
}

/** The setup script: every command is idempotent, so the Job can run on every sync. */
export function setupScript(grants: readonly { user: string; bucket: string }[], readers: readonly { user: string; buckets: readonly string[] }[] = []): string {
  const lines = [
    'set -eu',
    `mc alias set platform "http://${MINIO_SERVICE}:${MINIO_PORT}" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null`,
  ];
  for (const { user, bucket } of grants) {
    lines.push(
      `# ${user}: bucket ${bucket}, user ${user} with policy ${user}-bucket`,
      `mc mb --ignore-existing "platform/${bucket}"`,
      `mc admin policy create platform "${user}-bucket" "/policies/${user}.json"`,
      `mc admin user add platform "${user}" "$(cat "/users/${user}/secretKey")"`,
      `mc admin policy attach platform "${user}-bucket" --user "${user}" >/dev/null 2>&1 || mc admin user info platform "${user}" | grep -q "${user}-bucket"`,
    );
  }
  for (const { user, buckets } of readers) {
    lines.push(
      `# ${user}: reads ${buckets.join(', ')}, user ${user} with policy ${user}-read`,
      `mc admin policy create platform "${user}-read" "/policies/${user}.json"`,
      `mc admin user add platform "${user}" "$(cat "/users/${user}/secretKey")"`,
      `mc admin policy attach platform "${user}-read" --user "${user}" >/dev/null 2>&1 || mc admin user info platform "${user}" | grep -q "${user}-read"`,
    );
  }
  lines.push('echo "buckets and users are up to date"');
  return `${lines.join('\n')}\n`;
}

export class MinioChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, data: DataLayer, catalog: SecretCatalog) {
    super(scope, { name: 'minio', namespace: MINIO_NAMESPACE, tier: Tier.DATA, waveOffset: 0 });
    const settings = config.objectStore as MinioConfig;
    const labels = this.objectLabels();
    const podLabels = { 'app.kubernetes.io/name': 'minio' };

    const root = new SealedSecret(this, 'root', {
      catalog,
      component: 'minio',
      name: 'minio-root',
      labels,
      keys: [
        { key: 'rootUser', description: 'MinIO root user', source: generatedPassword(16) },
        { key: 'rootPassword', description: 'MinIO root password', source: generatedPassword(40) },
      ],
    });
    const grants = data.bucketGrants.map((g) => {
      const handle = data.objectStore(g.consumer);
      if (!handle.credentials) throw new Error('in-cluster MinIO always issues access keys');
      new SealedSecret(this, `user-${g.consumer.name}`, {
        catalog,
        component: 'minio',
        name: `minio-user-${g.consumer.name}`,
        labels,
        keys: [{ key: 'secretKey', description: `MinIO secret key of user ${g.consumer.name}`, source: handle.credentials.secretAccessKey }],
      });
      return { user: g.consumer.name, bucket: g.bucket, secret: `minio-user-${g.consumer.name}` };
    });
    const readers = data.readGrants.map((g) => {
      const handle = data.readOnlyStore(g.consumer);
      new SealedSecret(this, `user-${g.consumer.name}`, {
        catalog,
        component: 'minio',
        name: `minio-user-${g.consumer.name}`,
        labels,
        keys: [{ key: 'secretKey', description: `MinIO secret key of user ${g.consumer.name} (read-only)`, source: handle.credentials!.secretAccessKey }],
      });
      return { user: g.consumer.name, buckets: g.buckets, secret: `minio-user-${g.consumer.name}` };
    });
    const users = [...grants, ...readers];
    const rootEnv: k8s.EnvVar[] = [
      { name: 'MINIO_ROOT_USER', valueFrom: { secretKeyRef: root.ref('rootUser') } },
      { name: 'MINIO_ROOT_PASSWORD', valueFrom: { secretKeyRef: root.ref('rootPassword') } },
    ];

    new k8s.KubeService(this, 'service', {
      metadata: { name: MINIO_SERVICE, labels },
      spec: {
        selector: podLabels,
        ports: [
          { name: 's3', port: MINIO_PORT, targetPort: k8s.IntOrString.fromNumber(MINIO_PORT) },
          { name: 'console', port: CONSOLE_PORT, targetPort: k8s.IntOrString.fromNumber(CONSOLE_PORT) },
        ],
      },
    });
    const probe = (path: string): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromNumber(MINIO_PORT) },
      periodSeconds: 10,
      timeoutSeconds: 5,
    });
    new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: 'minio', labels },
      spec: {
        serviceName: MINIO_SERVICE,
        replicas: 1,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...labels, ...podLabels } },
          spec: {
            securityContext: restrictedPod(MINIO_USER, { fsGroup: true }),
            automountServiceAccountToken: false,
            containers: [
              {
                name: 'minio',
                image: imageString(IMAGES.minio),
                imagePullPolicy: 'IfNotPresent',
                // Certificates would default to $HOME/.minio/certs; the root filesystem is read-only.
                args: ['server', '/data', `--address=:${MINIO_PORT}`, `--console-address=:${CONSOLE_PORT}`, '--certs-dir=/tmp/certs'],
                env: [
                  ...rootEnv,
                  { name: 'HOME', value: '/tmp' },
                  // Prometheus scrapes /minio/v2/metrics/cluster without a token; the NetworkPolicy admits only it and the consumers.
                  ...(monitorsOn(config) ? [{ name: 'MINIO_PROMETHEUS_AUTH_TYPE', value: 'public' }] : []),
                ],
                ports: [{ name: 's3', containerPort: MINIO_PORT }, { name: 'console', containerPort: CONSOLE_PORT }],
                livenessProbe: probe('/minio/health/live'),
                readinessProbe: probe('/minio/health/ready'),
                resources: resourceRequirements(settings.resources),
                securityContext: restrictedContainer(),
                volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [scratchVolume()],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: config.cluster.storageClass,
              resources: { requests: { storage: k8s.Quantity.fromString(settings.storageSize) } },
            },
          },
        ],
      },
    });

    const policies = new k8s.KubeConfigMap(this, 'policies', {
      metadata: { name: 'minio-setup', labels },
      data: {
        'setup.sh': setupScript(grants, readers),
        ...Object.fromEntries(grants.map((g) => [`${g.user}.json`, `${JSON.stringify(bucketPolicy(g.bucket), null, 2)}\n`])),
        ...Object.fromEntries(readers.map((g) => [`${g.user}.json`, `${JSON.stringify(readOnlyPolicy(g.buckets), null, 2)}\n`])),
      },
    });
    new k8s.KubeJob(this, 'setup', {
      metadata: {
        name: 'minio-setup',
        labels,
        annotations: syncHook(1),
      },
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: 900,
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/name': 'minio-setup' } },
          spec: {
            restartPolicy: 'OnFailure',
            automountServiceAccountToken: false,
            securityContext: restrictedPod(MINIO_USER),
            containers: [
              {
                name: 'mc',
                image: imageString(IMAGES.mc),
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/sh', '/policies/setup.sh'],
                env: [...rootEnv, { name: 'MC_CONFIG_DIR', value: '/tmp/mc' }, { name: 'HOME', value: '/tmp' }],
                resources: resourceRequirements({ requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } }),
                securityContext: restrictedContainer(),
                volumeMounts: [
                  { name: 'policies', mountPath: '/policies', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                  ...users.map((g) => ({ name: `user-${g.user}`, mountPath: `/users/${g.user}`, readOnly: true })),
                ],
              },
            ],
            volumes: [
              { name: 'policies', configMap: { name: policies.name } },
              scratchVolume(),
              ...users.map((g) => ({ name: `user-${g.user}`, secret: { secretName: g.secret } })),
            ],
          },
        },
      },
    });

    // Only the consumers (and the setup Job, in this namespace) reach the S3 port.
    denyAllIngress(this, labels);
    allowIngress(this, 'allow-consumers', {
      name: 'allow-consumers',
      podLabels,
      ports: [MINIO_PORT],
      fromNamespaces: [...data.bucketGrants, ...data.readGrants].map((g) => g.consumer.namespace),
      fromSameNamespace: true,
      labels,
    });
  }
}
