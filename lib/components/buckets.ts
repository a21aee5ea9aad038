/**
 * Buckets on an external S3 endpoint, created by the generator: an
 * idempotent Job (pinned AWS CLI) that creates each bucket the platform
 * needs if it does not exist, as an Argo CD Sync hook on every sync.
 *
 * It acts with the store's cloud identity (the ServiceAccount annotations
 * of `objectStore.external`) or with sealed access keys a person provides.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentConfig, ExternalObjectStoreConfig } from '../config/environment';
import { IMAGES, imageString } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { syncHook } from '../constructs/labels';
import { denyAllIngress } from '../constructs/network-policy';
import { resourceRequirements, restrictedContainer, restrictedPod, scratchVolume } from '../constructs/pod';
import { SealedSecret } from '../constructs/sealed-secret';
import { DataLayer } from '../data/layer';
import { SecretCatalog } from '../secrets/catalog';

export const BUCKETS_NAMESPACE = 'object-store';

/** Creates each bucket unless it exists; safe to run any number of times. */
export function createBucketsScript(buckets: readonly string[], region: string): string {
  // us-east-1 is the one region that rejects an explicit LocationConstraint.
  const location = region === 'us-east-1' ? '' : ` --create-bucket-configuration "LocationConstraint=${region}"`;
  const lines = ['set -eu'];
  for (const bucket of buckets) {
    lines.push(
      `if aws s3api head-bucket --bucket "${bucket}" --endpoint-url "$S3_ENDPOINT" >/dev/null 2>&1; then`,
      `  echo "bucket ${bucket} exists"`,
      'else',
      `  aws s3api create-bucket --bucket "${bucket}" --endpoint-url "$S3_ENDPOINT"${location}`,
      `  echo "bucket ${bucket} created"`,
      'fi',
    );
  }
  return `${lines.join('\n')}\n`;
}

export class BucketsChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, data: DataLayer, catalog: SecretCatalog) {
    super(scope, { name: 'buckets', namespace: BUCKETS_NAMESPACE, tier: Tier.DATA, waveOffset: 0 });
    const store = config.objectStore as ExternalObjectStoreConfig;
    const labels = this.objectLabels();
    const buckets = data.bucketGrants.map((g) => g.bucket);

    const env: k8s.EnvVar[] = [
      { name: 'S3_ENDPOINT', value: store.endpoint },
      { name: 'AWS_DEFAULT_REGION', value: store.region },
      { name: 'HOME', value: '/tmp' },
    ];
    if (store.credentials === 'sealed') {
      const admin = new SealedSecret(this, 'admin', {
        catalog,
        component: 'buckets',
        name: 'object-store-admin',
        labels,
        keys: [
          { key: 'AWS_ACCESS_KEY_ID', description: 'access key allowed to create the platform buckets', source: { kind: 'provided', hint: `an access key with s3:CreateBucket on ${store.bucketPrefix}*` } },
          { key: 'AWS_SECRET_ACCESS_KEY', description: 'its secret', source: { kind: 'provided', hint: 'the secret of that access key' } },
        ],
      });
      env.push(
        { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: admin.ref('AWS_ACCESS_KEY_ID') } },
        { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: admin.ref('AWS_SECRET_ACCESS_KEY') } },
      );
    }
    const sa = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: 'buckets', labels, annotations: { ...store.serviceAccountAnnotations } },
      automountServiceAccountToken: store.credentials === 'serviceAccount',
    });
    const script = new k8s.KubeConfigMap(this, 'script', {
      metadata: { name: 'create-buckets', labels },
      data: { 'create-buckets.sh': createBucketsScript(buckets, store.region) },
    });
    new k8s.KubeJob(this, 'job', {
      metadata: {
        name: 'create-buckets',
        labels,
        annotations: syncHook(1),
      },
      spec: {
        backoffLimit: 4,
        activeDeadlineSeconds: 600,
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/name': 'create-buckets' } },
          spec: {
            serviceAccountName: sa.name,
            automountServiceAccountToken: store.credentials === 'serviceAccount',
            restartPolicy: 'OnFailure',
            // The AWS CLI image runs as root by default; it needs no privilege.
            securityContext: restrictedPod(65534),
            containers: [
              {
                name: 'aws',
                image: imageString(IMAGES.awsCli),
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/sh', '/scripts/create-buckets.sh'],
                env,
                resources: resourceRequirements({ requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } }),
                securityContext: restrictedContainer(),
                volumeMounts: [{ name: 'scripts', mountPath: '/scripts', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'scripts', configMap: { name: script.name } }, scratchVolume()],
          },
        },
      },
    });
    denyAllIngress(this, labels);
  }
}
