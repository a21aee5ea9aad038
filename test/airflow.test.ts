/** Airflow: git-synced DAGs, executors, sealed credentials, Argo CD rules, wiring, and its errors. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { fillSecrets } from '../lib/cli/secrets';
import { renderEnvironments } from '../lib/cli/synth';
import { renderPlatform } from '../lib/render';
import { SealedValues } from '../lib/sealing/sealed-values';
import { coalesceValues, createValuesValidator } from '../lib/validation/chart-values';
import { controllerUnseal } from './controller-unseal';
import { envYaml, loadConfig, platformOf, readTree, ROOT, tempProject, testKeyPair, userError } from './support';

type Obj = Record<string, any>;

const KNOWN_HOSTS = 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

function airflowEnv(airflow: string, extra = ''): string {
  return envYaml(extra).replace('components: {}', `components:\n  mlflow: {}\n  airflow:\n${airflow.replace(/^/gm, '    ')}`);
}
const SSH = `dags:\n  repo: git@github.com:acme/dags.git\n  knownHosts: "${KNOWN_HOSTS}"\n  subPath: dags`;
const HTTPS = 'dags:\n  repo: https://github.com/acme/dags.git';

function render(text: string): Map<string, Obj> {
  return new Map(renderPlatform(platformOf(text, { lenient: true })).map((f) => [f.path, f.object as Obj]));
}
function values(objs: Map<string, Obj>): Obj {
  return yaml.load(objs.get('airflow/HelmChart.airflow.k8s.yaml')!.spec.valuesContent) as Obj;
}

/** Every Secret name the chart values reference. */
function referencedSecrets(v: Obj): string[] {
  const names = [
    v.data.metadataSecretName,
    v.data.brokerUrlSecretName,
    v.data.resultBackendSecretName,
    v.fernetKeySecretName,
    v.webserverSecretKeySecretName,
    v.apiSecretKeySecretName,
    v.jwtSecretName,
    v.dags.gitSync.sshKeySecret,
    v.dags.gitSync.credentialsSecret,
    v.redis.passwordSecretName,
    ...v.secret.map((s: Obj) => s.secretName),
    ...v.createUserJob.env.map((e: Obj) => e.valueFrom.secretKeyRef.name),
  ];
  return [...new Set(names.filter((n) => n !== undefined))];
}

test('the chart is pinned and its values are typed: executor, images, bundled PostgreSQL off', () => {
  const objs = render(airflowEnv(HTTPS));
  const chart = objs.get('airflow/HelmChart.airflow.k8s.yaml')!;
  assert.equal(chart.spec.repo, 'https://airflow.apache.org');
  assert.equal(chart.spec.version, '1.20.0');
  assert.equal(chart.spec.failurePolicy, 'abort');
  const v = values(objs);
  assert.equal(v.executor, 'KubernetesExecutor');
  assert.deepEqual(v.images.airflow, { repository: 'docker.io/apache/airflow', tag: '3.1.8', pullPolicy: 'IfNotPresent' });
  assert.equal(v.postgresql.enabled, false);
  assert.equal(v.pgbouncer.enabled, false);
  assert.equal(v.redis.enabled, false, 'no Redis with the KubernetesExecutor');
  assert.equal(v.networkPolicies.enabled, true);
  assert.equal(v.statsd.enabled, true);
  assert.equal(v.scheduler.podDisruptionBudget.enabled, true);
});

test('gitSync over SSH: the sealed key under gitSshKey and the pinned host key', () => {
  const objs = render(airflowEnv(SSH));
  const git = values(objs).dags.gitSync;
  assert.equal(git.repo, 'git@github.com:acme/dags.git');
  assert.equal(git.sshKeySecret, 'airflow-git-ssh');
  assert.equal(git.knownHosts, KNOWN_HOSTS);
  assert.equal(git.subPath, 'dags');
  assert.equal(git.period, '60s');
  assert.ok(objs.has('airflow/SealedSecret.airflow-git-ssh.k8s.yaml'));
  const requirement = platformOf(airflowEnv(SSH), { lenient: true }).catalog.requirements.find((r) => r.name === 'airflow-git-ssh');
  assert.deepEqual(requirement?.keys.map((k) => [k.key, k.source.kind]), [['gitSshKey', 'provided']]);
});

test('a DAG repository over SSH without a sealed key: the error names the seal command', () => {
  const err = userError(() => platformOf(airflowEnv(SSH)));
  const p = err.problems.find((x) => /airflow-git-ssh:gitSshKey/.test(x.message));
  assert.ok(p, err.message);
  assert.equal(p.fix, 'npm run seal -- --env test --namespace airflow --name airflow-git-ssh --key gitSshKey --from-file <file>');
});

test('gitSync over HTTPS: no credentials for a public repository, a sealed token for a private one', () => {
  const open = values(render(airflowEnv(HTTPS))).dags.gitSync;
  assert.equal(open.credentialsSecret, undefined);
  assert.equal(open.sshKeySecret, undefined);
  const objs = render(airflowEnv(`${HTTPS}\n  auth: token\n  username: bot`));
  assert.equal(values(objs).dags.gitSync.credentialsSecret, 'airflow-git-credentials');
  const err = userError(() => platformOf(airflowEnv(`${HTTPS}\n  auth: token`)));
  assert.ok(err.problems.some((p) => /airflow-git-credentials:GITSYNC_PASSWORD/.test(p.message)));
});

test('CeleryExecutor: the chart Redis with a sealed static password, broker and result backend from sealed URLs', () => {
  const v = values(render(airflowEnv(`executor: CeleryExecutor\nworkerReplicas: 3\n${HTTPS}`)));
  assert.equal(v.executor, 'CeleryExecutor');
  assert.equal(v.redis.enabled, true);
  assert.equal(v.redis.passwordSecretName, 'airflow-redis-password');
  assert.equal(v.data.brokerUrlSecretName, 'airflow-broker-url');
  assert.equal(v.data.resultBackendSecretName, 'airflow-result-backend');
  assert.equal(v.workers.replicas, 3);
});

test('Helm installs the chart: the migration and user jobs stay Helm hooks, without custom env; the admin password is sealed', () => {
  const v = values(render(airflowEnv(HTTPS)));
  for (const job of [v.migrateDatabaseJob, v.createUserJob]) {
    assert.equal(job.useHelmHooks, true);
    assert.equal(job.applyCustomEnv, false);
  }
  assert.deepEqual(v.createUserJob.env, [{ name: 'AIRFLOW_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'airflow-admin', key: 'password' } } }]);
  assert.match(v.createUserJob.args.join(' '), /-p "\$AIRFLOW_ADMIN_PASSWORD"/);
  assert.equal(v.createUserJob.defaultUser, undefined, 'no password in values');
});

test('every Secret the chart references exists as a SealedSecret in the airflow namespace', () => {
  for (const text of [airflowEnv(SSH), airflowEnv(`executor: CeleryExecutor\n${HTTPS}\n  auth: token`, ''), airflowEnv(`${HTTPS}\nsmtp:\n  host: smtp.example.com\n  from: airflow@example.com\n  user: airflow`)]) {
    const objs = render(text);
    for (const name of referencedSecrets(values(objs))) {
      assert.ok(objs.has(`airflow/SealedSecret.${name}.k8s.yaml`), `${name} is sealed`);
    }
  }
  for (const r of renderEnvironments(ROOT, ['local', 'staging', 'prod'])) {
    const objs = new Map(r.files.map((f) => [f.path, f.object as Obj]));
    for (const name of referencedSecrets(values(objs))) assert.ok(objs.has(`airflow/SealedSecret.${name}.k8s.yaml`), `${r.env}: ${name}`);
  }
});

test('wiring: MLflow, the object store connection, remote logs, SMTP', () => {
  const objs = render(airflowEnv(`${HTTPS}\nsmtp:\n  host: smtp.example.com\n  from: airflow@example.com\n  user: airflow`));
  const v = values(objs);
  const env = Object.fromEntries(v.env.map((e: Obj) => [e.name, e.value]));
  assert.equal(env.MLFLOW_TRACKING_URI, 'http://mlflow.mlflow.svc.cluster.local:5000');
  assert.equal(env.AWS_ENDPOINT_URL, 'http://minio.minio.svc.cluster.local:9000');
  assert.deepEqual(JSON.parse(env.AIRFLOW_CONN_OBJECT_STORE), { conn_type: 'aws', extra: { region_name: 'us-east-1', endpoint_url: 'http://minio.minio.svc.cluster.local:9000' } });
  assert.deepEqual(v.secret.map((s: Obj) => s.envName), ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AIRFLOW__SMTP__SMTP_PASSWORD']);
  assert.deepEqual(v.config.logging, { remote_logging: 'True', remote_base_log_folder: 's3://airflow/logs', remote_log_conn_id: 'object_store' });
  assert.equal(v.config.smtp.smtp_host, 'smtp.example.com');
  assert.equal(v.config.smtp.smtp_port, '587');
  assert.equal(v.config.smtp.smtp_password, undefined, 'the SMTP password is only in the sealed Secret');
  // The airflow bucket and its MinIO user exist.
  assert.match(objs.get('minio/ConfigMap.minio-setup.k8s.yaml')!.data['setup.sh'], /mc mb --ignore-existing "platform\/airflow"/);
  // The database role exists and only its consumers reach PostgreSQL.
  assert.ok(objs.get('postgres/Cluster.postgres.k8s.yaml')!.spec.managed.roles.some((r: Obj) => r.name === 'airflow'));
  const from = objs.get('postgres/NetworkPolicy.allow-clients.k8s.yaml')!.spec.ingress[0].from.map((f: Obj) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
  assert.deepEqual(from, ['airflow', 'mlflow']);
  const ingress = v.ingress.apiServer;
  assert.deepEqual(ingress.hosts, [{ name: 'airflow.test.example.com', tls: { enabled: true, secretName: 'airflow-tls' } }]);
});

test('no task lands on a GPU node until the GPU node pools exist', () => {
  const v = values(render(airflowEnv(HTTPS)));
  assert.equal(v.workers.tolerations, undefined);
  assert.equal(v.workers.nodeSelector, undefined);
  assert.doesNotMatch(JSON.stringify(v), /nvidia\.com\/gpu/);
});

test('generated credentials: the metadata URL holds the shared role password, URL-encoded; a valid Fernet key', async () => {
  const { certificatePem, privateKeyPem } = await testKeyPair();
  const dir = tempProject({ 'environments/test.yaml': airflowEnv(`executor: CeleryExecutor\n${HTTPS}`), 'environments/certs/test.pem': certificatePem });
  fillSecrets(dir, 'test');
  const sealed = yaml.load(readTree(path.join(dir, 'environments/sealed'))['test.yaml']) as SealedValues;
  const open = (id: string, key: string) => controllerUnseal(privateKeyPem, sealed.secrets[id].data[key], id).toString();
  const password = open('postgres/role-airflow', 'password');
  assert.equal(open('airflow/airflow-metadata', 'password'), password);
  assert.equal(
    open('airflow/airflow-metadata', 'connection'),
    `postgresql://airflow:${encodeURIComponent(password)}@postgres-rw.postgres.svc.cluster.local:5432/airflow?sslmode=require`,
  );
  assert.match(open('airflow/airflow-result-backend', 'connection'), /^db\+postgresql:\/\/airflow:/);
  assert.equal(open('airflow/airflow-broker-url', 'connection'), `redis://:${open('airflow/airflow-redis-password', 'password')}@airflow-redis:6379/0`);
  const fernet = open('airflow/airflow-fernet-key', 'fernet-key');
  assert.equal(Buffer.from(fernet, 'base64url').length, 32);
  assert.equal(fernet.length, 44);
});

test('an external database: the metadata URL is a value a person seals', () => {
  const err = userError(() => platformOf(airflowEnv(HTTPS, 'database:\n  external:\n    host: db.example.com\n')));
  const p = err.problems.find((x) => /airflow\/airflow-metadata:connection/.test(x.message));
  assert.ok(p);
  assert.match(p.message, /postgresql:\/\/airflow:<url-encoded password>@db.example.com:5432\/airflow\?sslmode=require/);
});

test('bad input: SSH without host keys, an unknown executor, a malformed URL, and contradictions', () => {
  const cases: [string, string, RegExp][] = [
    [airflowEnv('dags:\n  repo: git@github.com:acme/dags.git'), '/components/airflow/dags', /knownHosts/],
    [airflowEnv(`executor: LocalExecutor\n${HTTPS}`), '/components/airflow/executor', /"KubernetesExecutor", "CeleryExecutor"/],
    [airflowEnv('dags:\n  repo: github.com/acme/dags'), '/components/airflow/dags/repo', /git URL/],
    [airflowEnv(`${HTTPS}\n  knownHosts: "x"`), '/components/airflow/dags/knownHosts', /HTTPS/],
    [airflowEnv(`${SSH}\n  auth: token`), '/components/airflow/dags/auth', /SSH/],
    [airflowEnv(`workerReplicas: 2\n${HTTPS}`), '/components/airflow/workerReplicas', /CeleryExecutor/],
    [airflowEnv('executor: CeleryExecutor'), '/components/airflow', /missing required key "dags"/],
    [airflowEnv(`${HTTPS}\n  period: 5 minutes`), '/components/airflow/dags/period', /duration/],
  ];
  for (const [text, pointer, expected] of cases) {
    const err = userError(() => loadConfig(text));
    const p = err.problems.find((x) => x.path === pointer);
    assert.ok(p, `${pointer} in ${err.message}`);
    assert.match(`${p.message} ${p.fix ?? ''}`, expected, pointer);
  }
});

const SHARED = path.resolve(ROOT, '..', 'shared', 'upstream', 'charts', 'airflow');
test('the values are valid against the chart values.schema.json', { skip: !fs.existsSync(SHARED) }, () => {
  const schema = JSON.parse(fs.readFileSync(path.join(SHARED, 'values.schema.json'), 'utf8'));
  const defaults = yaml.load(fs.readFileSync(path.join(SHARED, 'values.yaml'), 'utf8'));
  const validate = createValuesValidator(schema);
  for (const text of [airflowEnv(SSH), airflowEnv(`executor: CeleryExecutor\n${HTTPS}\n  auth: token\nsmtp:\n  host: smtp.example.com\n  from: a@example.com\n  user: u`)]) {
    assert.deepEqual(validate(coalesceValues(defaults, values(render(text)))), []);
  }
});

test('pods the chart renders can start: git-sync as its own user with a writable root, statsd and Redis with numeric users', () => {
  const v = values(render(airflowEnv(`executor: CeleryExecutor\n${HTTPS}`)));
  // The chart's GITSYNC_ADD_USER appends to /etc/passwd; git writes its config under HOME.
  assert.deepEqual(v.dags.gitSync.securityContexts.container, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: false,
    runAsNonRoot: true,
    runAsUser: 65533,
  });
  assert.equal(v.statsd.securityContexts.pod.runAsUser, 65534, 'the image user is `nobody` by name');
  assert.equal(v.redis.securityContexts.pod.runAsUser, 999, 'the redis image runs as root unless told');
  assert.equal(v.redis.securityContexts.pod.fsGroup, 999);
});

test('the API server is reachable: the chart\'s NetworkPolicy admits the ingress controller and the tasks (execution API)', () => {
  const v = values(render(airflowEnv(HTTPS)));
  assert.deepEqual(v.apiServer.networkPolicy.ingress.from, [{ namespaceSelector: {} }]);
});

test('volumes use the environment\'s storage class and a cloud identity reaches the object store from every Airflow pod', () => {
  const v = values(render(airflowEnv(HTTPS)));
  assert.deepEqual(v.triggerer.persistence, { enabled: true, size: '5Gi', storageClassName: 'local-path' });
  assert.equal(v.scheduler.serviceAccount, undefined, 'MinIO: keys, no cloud identity');
  const [prod] = renderEnvironments(ROOT, ['prod']);
  const pv = yaml.load((prod.files.find((f) => f.path === 'airflow/HelmChart.airflow.k8s.yaml')!.object as any).spec.valuesContent) as Record<string, any>;
  for (const c of ['scheduler', 'apiServer', 'dagProcessor', 'triggerer', 'workers']) {
    assert.equal(pv[c].serviceAccount.annotations['eks.amazonaws.com/role-arn'], 'arn:aws:iam::123456789012:role/mlops-prod-object-store', c);
  }
});
