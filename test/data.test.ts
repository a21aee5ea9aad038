/** The data layer and MLflow: PostgreSQL, object storage, their wiring and their errors. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { fillSecrets } from '../lib/cli/secrets';
import { renderEnvironments, synthesize } from '../lib/cli/synth';
import { danglingSecretRefs } from '../lib/cli/validate';
import { IMAGES, imageString } from '../lib/config/versions';
import { renderPlatform } from '../lib/render';
import { SealedValues } from '../lib/sealing/sealed-values';
import { controllerUnseal } from './controller-unseal';
import { envYaml, loadConfig, platformOf, readTree, ROOT, tempProject, testKeyPair, userError } from './support';

type Obj = Record<string, any>;

const MLFLOW = 'components:\n  mlflow: {}';
const withMlflow = (extra = '') => envYaml(extra).replace('components: {}', MLFLOW);

/** Renders leniently (no sealed values needed) and indexes objects by path. */
function render(text: string): Map<string, Obj> {
  return new Map(renderPlatform(platformOf(text, { lenient: true })).map((f) => [f.path, f.object as Obj]));
}

function shipped(env: string): Map<string, Obj> {
  const [r] = renderEnvironments(ROOT, [env]);
  return new Map(r.files.map((f) => [f.path, f.object as Obj]));
}

const mlflowArgs = (objs: Map<string, Obj>) => objs.get('mlflow/Deployment.mlflow.k8s.yaml')!.spec.template.spec.containers[0].args as string[];
const arg = (args: string[], name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');

test('local: one PostgreSQL instance, a role and a database for MLflow, MinIO with its bucket', () => {
  const objs = shipped('local');
  const cluster = objs.get('postgres/Cluster.postgres.k8s.yaml')!;
  assert.equal(cluster.spec.instances, 1);
  assert.equal(cluster.spec.imageName, imageString(IMAGES.postgres));
  assert.equal(cluster.spec.storage.storageClass, 'local-path');
  assert.deepEqual(cluster.spec.managed.roles[0], { name: 'mlflow', ensure: 'present', login: true, passwordSecret: { name: 'role-mlflow' } });
  assert.deepEqual(cluster.spec.managed.roles.map((r: Obj) => r.name), ['mlflow', 'airflow'], 'one role per consumer');
  assert.equal(cluster.spec.backup, undefined, 'no backups in local');
  const db = objs.get('postgres/Database.mlflow.k8s.yaml')!;
  assert.deepEqual(db.spec, { cluster: { name: 'postgres' }, name: 'mlflow', owner: 'mlflow', ensure: 'present' });
  const role = objs.get('postgres/SealedSecret.role-mlflow.k8s.yaml')!;
  assert.equal(role.spec.template.type, 'kubernetes.io/basic-auth');
  assert.deepEqual(Object.keys(role.spec.encryptedData), ['password', 'username']);
  const script = objs.get('minio/ConfigMap.minio-setup.k8s.yaml')!.data['setup.sh'] as string;
  assert.match(script, /mc mb --ignore-existing "platform\/mlflow"/);
  const policy = JSON.parse(objs.get('minio/ConfigMap.minio-setup.k8s.yaml')!.data['mlflow.json']);
  assert.deepEqual(policy.Statement.flatMap((s: Obj) => s.Resource), ['arn:aws:s3:::mlflow', 'arn:aws:s3:::mlflow/*']);
  assert.equal(objs.get('minio/StatefulSet.minio.k8s.yaml')!.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '5Gi');
});

test('MLflow is wired from the handles: database URI, artifact bucket, S3 endpoint, secrets', () => {
  const objs = shipped('local');
  const args = mlflowArgs(objs);
  assert.equal(arg(args, 'backend-store-uri'), 'postgresql://mlflow@postgres-rw.postgres.svc.cluster.local:5432/mlflow?sslmode=require');
  assert.equal(arg(args, 'artifacts-destination'), 's3://mlflow/');
  assert.ok(args.includes('--serve-artifacts'));
  assert.ok(!args.join(' ').includes('PGPASSWORD'), 'the password is never in an argument');
  const config = objs.get('mlflow/ConfigMap.mlflow.k8s.yaml')!;
  assert.equal(config.data.MLFLOW_S3_ENDPOINT_URL, 'http://minio.minio.svc.cluster.local:9000');
  const container = objs.get('mlflow/Deployment.mlflow.k8s.yaml')!.spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e.valueFrom.secretKeyRef]));
  assert.deepEqual(env.PGPASSWORD, { name: 'mlflow-db', key: 'password' });
  assert.deepEqual(env.AWS_SECRET_ACCESS_KEY, { name: 'mlflow-s3', key: 'AWS_SECRET_ACCESS_KEY' });
  for (const ref of Object.values(env) as Obj[]) {
    assert.ok(objs.has(`mlflow/SealedSecret.${ref.name}.k8s.yaml`), `${ref.name} is a SealedSecret in the mlflow namespace`);
  }
  assert.equal(container.image, imageString(IMAGES.mlflow));
  assert.equal(container.readinessProbe.httpGet.path, '/health');
  assert.equal(container.startupProbe.httpGet.path, '/health');
  assert.equal(container.securityContext.runAsNonRoot, true);
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  const ingress = objs.get('mlflow/Ingress.mlflow.k8s.yaml')!;
  assert.equal(ingress.spec.rules[0].host, 'mlflow.mlops.localhost');
  assert.equal(ingress.spec.ingressClassName, 'traefik');
  assert.deepEqual(ingress.spec.tls, [{ hosts: ['mlflow.mlops.localhost'], secretName: 'mlflow-tls' }]);
});

test('every Secret a workload references exists as a SealedSecret in its namespace, in every environment', () => {
  for (const r of renderEnvironments(ROOT, ['local', 'staging', 'prod'])) {
    assert.deepEqual(danglingSecretRefs(r.files.map((f) => f.object)), [], r.env);
  }
});

test('prod: three instances, backups to the external bucket with the cloud identity, two MLflow replicas with a PDB', () => {
  const objs = shipped('prod');
  const cluster = objs.get('postgres/Cluster.postgres.k8s.yaml')!;
  assert.equal(cluster.spec.instances, 3);
  assert.equal(cluster.spec.backup.retentionPolicy, '30d');
  assert.equal(cluster.spec.backup.barmanObjectStore.destinationPath, 's3://example-org-mlops-prod-postgres-backups/');
  assert.deepEqual(cluster.spec.backup.barmanObjectStore.s3Credentials, { inheritFromIAMRole: true });
  assert.match(cluster.spec.serviceAccountTemplate.metadata.annotations['eks.amazonaws.com/role-arn'], /^arn:aws:iam::/);
  const backup = objs.get('postgres/ScheduledBackup.postgres-base-backup.k8s.yaml')!;
  assert.equal(backup.spec.schedule, '0 0 1 * * *');
  assert.equal(backup.spec.method, 'barmanObjectStore');
  assert.ok(![...objs.keys()].some((p) => p.startsWith('minio/')), 'no MinIO with an external store');
  const script = objs.get('buckets/ConfigMap.create-buckets.k8s.yaml')!.data['create-buckets.sh'] as string;
  assert.match(script, /--bucket "example-org-mlops-prod-mlflow"/);
  assert.match(script, /--bucket "example-org-mlops-prod-postgres-backups"/);
  assert.match(script, /LocationConstraint=eu-west-1/);
  assert.equal(arg(mlflowArgs(objs), 'artifacts-destination'), 's3://example-org-mlops-prod-mlflow/');
  const deployment = objs.get('mlflow/Deployment.mlflow.k8s.yaml')!;
  assert.equal(deployment.spec.replicas, 2);
  assert.equal(deployment.spec.template.spec.automountServiceAccountToken, true, 'the cloud identity needs the token');
  assert.ok(!objs.has('mlflow/SealedSecret.mlflow-s3.k8s.yaml'), 'no keys with a cloud identity');
  assert.equal(objs.get('mlflow/PodDisruptionBudget.mlflow.k8s.yaml')!.spec.minAvailable, 1);
  const sa = objs.get('mlflow/ServiceAccount.mlflow.k8s.yaml')!;
  assert.ok(sa.metadata.annotations['eks.amazonaws.com/role-arn']);
  const ingress = objs.get('mlflow/Ingress.mlflow.k8s.yaml')!;
  // Basic auth by the proxy in the MLflow pod, whatever the ingress controller.
  assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.port.number, 8080);
  assert.ok(objs.has('mlflow/SealedSecret.mlflow-basic-auth.k8s.yaml'));
});

test('staging: backups to MinIO with their own user, limited to their bucket', () => {
  const objs = shipped('staging');
  const cluster = objs.get('postgres/Cluster.postgres.k8s.yaml')!;
  assert.equal(cluster.spec.instances, 2);
  assert.deepEqual(cluster.spec.backup.barmanObjectStore.s3Credentials, {
    accessKeyId: { name: 'backup-s3', key: 'ACCESS_KEY_ID' },
    secretAccessKey: { name: 'backup-s3', key: 'ACCESS_SECRET_KEY' },
  });
  assert.equal(cluster.spec.backup.barmanObjectStore.endpointURL, 'http://minio.minio.svc.cluster.local:9000');
  const setup = objs.get('minio/ConfigMap.minio-setup.k8s.yaml')!.data;
  assert.deepEqual(Object.keys(setup).sort(), ['airflow.json', 'logging.json', 'mlflow.json', 'postgres-backups.json', 'serving.json', 'setup.sh']);
  assert.match(setup['setup.sh'], /mc admin user add platform "postgres-backups"/);
  // The model servers read MLflow's artifacts: list and get, in that bucket only, and no bucket of their own.
  assert.deepEqual(JSON.parse(setup['serving.json']).Statement, [
    { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: ['arn:aws:s3:::mlflow'] },
    { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::mlflow/*'] },
  ]);
  assert.match(setup['setup.sh'], /mc admin policy attach platform "serving-read" --user "serving"/);
  assert.doesNotMatch(setup['setup.sh'], /mc mb --ignore-existing "platform\/serving"/);
});

test('waves: operator, then object storage, then the database, then MLflow', () => {
  const objs = shipped('staging');
  const wave = (c: string) => Number(objs.get(`apps/Application.staging-${c}.k8s.yaml`)!.metadata.annotations['argocd.argoproj.io/sync-wave']);
  assert.ok(wave('cnpg-operator') < wave('minio'));
  assert.ok(wave('minio') < wave('postgres'));
  assert.ok(wave('postgres') < wave('mlflow'));
  // The bucket setup runs as a Sync hook after MinIO, so the minio Application is healthy only after it.
  const job = objs.get('minio/Job.minio-setup.k8s.yaml')!;
  assert.equal(job.metadata.annotations['argocd.argoproj.io/hook'], 'Sync');
  assert.equal(job.metadata.annotations['argocd.argoproj.io/sync-wave'], '1');
  const values = yaml.load(objs.get('argocd/HelmChart.argo-cd.k8s.yaml')!.spec.valuesContent) as Obj;
  assert.ok(values.configs.cm['resource.customizations.health.postgresql.cnpg.io_Cluster']);
  assert.ok(values.configs.cm['resource.customizations.health.postgresql.cnpg.io_Database']);
});

test('NetworkPolicies: only the consumers (MLflow, Airflow, Prefect; the model servers read MinIO) reach PostgreSQL and MinIO', () => {
  const objs = shipped('staging');
  const from = (p: string) => objs.get(p)!.spec.ingress[0].from.map((f: Obj) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? (f.podSelector ? '(same namespace)' : '(all)'));
  assert.deepEqual(from('postgres/NetworkPolicy.allow-clients.k8s.yaml'), ['airflow', 'mlflow', 'prefect']);
  assert.deepEqual(objs.get('postgres/NetworkPolicy.allow-clients.k8s.yaml')!.spec.ingress[0].ports, [{ protocol: 'TCP', port: 5432 }]);
  assert.deepEqual(from('postgres/NetworkPolicy.allow-operator-and-replication.k8s.yaml'), ['cnpg-system', '(same namespace)']);
  assert.deepEqual(from('minio/NetworkPolicy.allow-consumers.k8s.yaml'), ['airflow', 'logging', 'mlflow', 'postgres', 'serving', '(same namespace)']);
  for (const ns of ['postgres', 'minio', 'mlflow']) {
    assert.deepEqual(objs.get(`${ns}/NetworkPolicy.deny-all-ingress.k8s.yaml`)!.spec, { podSelector: {}, policyTypes: ['Ingress'] });
  }
});

test('an external database: no operator and no Cluster; the role password is provided by a person', () => {
  const text = withMlflow('database:\n  external:\n    host: db.example.com\n    sslmode: verify-full\n');
  const objs = render(text);
  assert.ok(![...objs.keys()].some((p) => p.startsWith('postgres/') || p.startsWith('cnpg-operator/')));
  assert.equal(arg(mlflowArgs(objs), 'backend-store-uri'), 'postgresql://mlflow@db.example.com:5432/mlflow?sslmode=verify-full');
  const err = userError(() => platformOf(text));
  const p = err.problems.find((x) => /mlflow\/mlflow-db:password/.test(x.message));
  assert.ok(p);
  assert.equal(p.fix, 'npm run seal -- --env test --namespace mlflow --name mlflow-db --key password --from-file <file>');
});

test('an external store with sealed keys: a person provides the access keys', () => {
  const text = withMlflow(
    'objectStore:\n  external:\n    endpoint: https://s3.example.com\n    region: us-east-1\n    bucketPrefix: acme-\n    credentials: sealed\n',
  );
  const err = userError(() => platformOf(text));
  const messages = err.problems.map((p) => p.message).join('\n');
  assert.match(messages, /mlflow\/mlflow-s3:AWS_ACCESS_KEY_ID/);
  assert.match(messages, /object-store\/object-store-admin:AWS_ACCESS_KEY_ID/);
  const script = render(text).get('buckets/ConfigMap.create-buckets.k8s.yaml')!.data['create-buckets.sh'];
  assert.doesNotMatch(script, /LocationConstraint/, 'us-east-1 takes no location constraint');
});

test('without MLflow there is no data layer', () => {
  const objs = render(envYaml());
  assert.ok(![...objs.keys()].some((p) => /^(postgres|minio|cnpg-operator|mlflow|buckets)\//.test(p)));
});

test('config errors of the data layer name the field and the fix', () => {
  const cases: [string, string, RegExp][] = [
    [withMlflow('database:\n  instances: 3\n  external:\n    host: db.example.com\n'), '/database/instances', /remove database.instances/],
    [
      withMlflow('objectStore:\n  minio: {}\n  external:\n    endpoint: https://s3.example.com\n    region: eu-west-1\n    bucketPrefix: a-\n    credentials: sealed\n'),
      '/objectStore/minio',
      /keep one/,
    ],
    [
      withMlflow('objectStore:\n  external:\n    endpoint: https://s3.example.com\n    region: eu-west-1\n    bucketPrefix: a-\n    credentials: serviceAccount\n'),
      '/objectStore/external/serviceAccountAnnotations',
      /role-arn/,
    ],
    [withMlflow('database:\n  backup:\n    retention: 30 days\n'), '/database/backup/retention', /30d/],
    [withMlflow('database:\n  backup:\n    retention: 7d\n    schedule: "0 2 * * *"\n'), '/database/backup/schedule', /six-field cron/],
    [withMlflow('database:\n  instances: 0\n'), '/database/instances', /must be >= 1/],
  ];
  for (const [text, pointer, fix] of cases) {
    const err = userError(() => loadConfig(text));
    const p = err.problems.find((x) => x.path === pointer);
    assert.ok(p, `${pointer} in ${err.message}`);
    assert.match(`${p.message} ${p.fix ?? ''}`, fix, pointer);
  }
});

test('npm run secrets seals one password into the role Secret and MLflow\'s Secret: both decrypt to the same value', async () => {
  const { certificatePem, privateKeyPem } = await testKeyPair();
  const dir = tempProject({ 'environments/test.yaml': withMlflow(), 'environments/certs/test.pem': certificatePem });
  fillSecrets(dir, 'test');
  synthesize({ root: dir, log: () => undefined });
  const sealed = yaml.load(readTree(path.join(dir, 'environments/sealed'))['test.yaml']) as SealedValues;
  const open = (id: string, key: string) => controllerUnseal(privateKeyPem, sealed.secrets[id].data[key], id).toString();
  assert.equal(open('postgres/role-mlflow', 'password'), open('mlflow/mlflow-db', 'password'));
  assert.equal(open('postgres/role-mlflow', 'username'), 'mlflow');
  assert.equal(open('minio/minio-user-mlflow', 'secretKey'), open('mlflow/mlflow-s3', 'AWS_SECRET_ACCESS_KEY'));
  assert.equal(open('mlflow/mlflow-s3', 'AWS_ACCESS_KEY_ID'), 'mlflow');
  assert.notEqual(open('postgres/role-mlflow', 'password'), open('minio/minio-user-mlflow', 'secretKey'));
  // Rotating one side rotates every Secret that shares the value.
  fillSecrets(dir, 'test', { rotate: ['mlflow/mlflow-db'] });
  const rotated = yaml.load(readTree(path.join(dir, 'environments/sealed'))['test.yaml']) as SealedValues;
  const reopen = (id: string, key: string) => controllerUnseal(privateKeyPem, rotated.secrets[id].data[key], id).toString();
  assert.equal(reopen('postgres/role-mlflow', 'password'), reopen('mlflow/mlflow-db', 'password'));
  assert.notEqual(reopen('mlflow/mlflow-db', 'password'), open('mlflow/mlflow-db', 'password'));
  assert.equal(rotated.secrets['minio/minio-root'].data.rootPassword, sealed.secrets['minio/minio-root'].data.rootPassword, 'others untouched');
});

test('basic auth: the htpasswd entry matches the generated password', async () => {
  const { certificatePem, privateKeyPem } = await testKeyPair();
  const text = withMlflow().replace('ingressClass: traefik', 'ingressClass: nginx').replace('mlflow: {}', 'mlflow:\n    basicAuth: true');
  const dir = tempProject({ 'environments/test.yaml': text, 'environments/certs/test.pem': certificatePem });
  fillSecrets(dir, 'test');
  const sealed = yaml.load(readTree(path.join(dir, 'environments/sealed'))['test.yaml']) as SealedValues;
  const open = (key: string) => controllerUnseal(privateKeyPem, sealed.secrets['mlflow/mlflow-basic-auth'].data[key], 'mlflow/mlflow-basic-auth').toString();
  const { createHash } = await import('node:crypto');
  assert.equal(open('auth'), `mlflow:{SHA}${createHash('sha1').update(open('password')).digest('base64')}\n`);
});

test('MLflow upgrades: its schema is migrated before the server starts, with the password from the environment only', () => {
  const objs = shipped('staging');
  const [init] = objs.get('mlflow/Deployment.mlflow.k8s.yaml')!.spec.template.spec.initContainers;
  assert.equal(init.name, 'db-upgrade');
  assert.equal(init.image, imageString(IMAGES.mlflow), 'the same MLflow as the server');
  assert.match(init.command[2], /^mlflow db upgrade "\$0" \|\|/);
  assert.equal(init.command[3], 'postgresql://mlflow@postgres-rw.postgres.svc.cluster.local:5432/mlflow?sslmode=require');
  assert.deepEqual(init.env.find((e: Obj) => e.name === 'PGPASSWORD').valueFrom.secretKeyRef, { key: 'password', name: 'mlflow-db' });
  assert.equal(init.securityContext.readOnlyRootFilesystem, true);
});
