/** Prefect: server and worker charts, the database in the platform PostgreSQL, the work pool, the UI. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { fillSecrets } from '../lib/cli/secrets';
import { renderPlatform } from '../lib/render';
import { SealedValues } from '../lib/sealing/sealed-values';
import { coalesceValues, createValuesValidator } from '../lib/validation/chart-values';
import { controllerUnseal } from './controller-unseal';
import { envYaml, platformOf, readTree, ROOT, tempProject, testKeyPair, userError } from './support';

type Obj = Record<string, any>;
const PREFECT = envYaml().replace('components: {}', 'components:\n  mlflow: {}\n  prefect:\n    workerReplicas: 2');

function render(text: string): Map<string, Obj> {
  return new Map(renderPlatform(platformOf(text, { lenient: true })).map((f) => [f.path, f.object as Obj]));
}
const values = (objs: Map<string, Obj>, name: string) => yaml.load(objs.get(`prefect/HelmChart.${name}.k8s.yaml`)!.spec.valuesContent) as Obj;

test('server and worker charts, pinned, with the database from the platform PostgreSQL', () => {
  const objs = render(PREFECT);
  const server = objs.get('prefect/HelmChart.prefect-server.k8s.yaml')!;
  assert.equal(server.spec.repo, 'https://prefecthq.github.io/prefect-helm');
  assert.equal(server.spec.version, '2026.8.18172642');
  const v = values(objs, 'prefect-server');
  assert.deepEqual(v.secret, { create: false, name: 'prefect-db' });
  assert.equal(v.postgresql.enabled, false);
  assert.equal(v.global.prefect.image.prefectTag, '3.6.13-python3.11');
  assert.equal(v.server.uiConfig.prefectUiApiUrl, 'https://prefect.test.example.com/api');
  assert.deepEqual(v.ingress.host, { hostname: 'prefect.test.example.com', path: '/', pathType: 'Prefix' });
  assert.ok(objs.get('postgres/Cluster.postgres.k8s.yaml')!.spec.managed.roles.some((r: Obj) => r.name === 'prefect'));
  assert.ok(objs.has('postgres/Database.prefect.k8s.yaml'));
});

test('the worker serves a Kubernetes work pool against the in-cluster server', () => {
  const w = values(render(PREFECT), 'prefect-worker').worker;
  assert.equal(w.apiConfig, 'selfHostedServer');
  assert.equal(w.selfHostedServerApiConfig.apiUrl, 'http://prefect-server.prefect.svc.cluster.local:4200/api');
  assert.deepEqual(w.config, { workPool: 'kubernetes', type: 'kubernetes', jobNamespace: 'prefect' });
  assert.equal(w.replicaCount, 2);
  assert.equal(w.image.prefectTag, '3.6.13-python3.11-kubernetes');
  assert.deepEqual(w.extraEnvVars, [{ name: 'MLFLOW_TRACKING_URI', value: 'http://mlflow.mlflow.svc.cluster.local:5000' }]);
});

test('the connection string holds the shared role password, URL-encoded', async () => {
  const { certificatePem, privateKeyPem } = await testKeyPair();
  const dir = tempProject({ 'environments/test.yaml': PREFECT, 'environments/certs/test.pem': certificatePem });
  fillSecrets(dir, 'test');
  const sealed = yaml.load(readTree(path.join(dir, 'environments/sealed'))['test.yaml']) as SealedValues;
  const open = (id: string, key: string) => controllerUnseal(privateKeyPem, sealed.secrets[id].data[key], id).toString();
  const password = open('postgres/role-prefect', 'password');
  assert.equal(
    open('prefect/prefect-db', 'connection-string'),
    `postgresql+asyncpg://prefect:${encodeURIComponent(password)}@postgres-rw.postgres.svc.cluster.local:5432/prefect?ssl=require`,
  );
});

test('an external database: the connection string is a value a person seals', () => {
  const err = userError(() => platformOf(`${PREFECT}database:\n  external:\n    host: db.example.com\n`));
  assert.ok(err.problems.some((p) => /prefect\/prefect-db:connection-string/.test(p.message) && /postgresql\+asyncpg:\/\/prefect:<url-encoded password>@db.example.com/.test(p.message)));
});

const SHARED = path.resolve(ROOT, '..', 'shared', 'upstream', 'charts');
test('the values are valid against both charts\' values.schema.json', { skip: !fs.existsSync(SHARED) }, () => {
  const objs = render(PREFECT);
  for (const chart of ['prefect-server', 'prefect-worker']) {
    const schema = JSON.parse(fs.readFileSync(path.join(SHARED, chart, 'values.schema.json'), 'utf8'));
    const defaults = yaml.load(fs.readFileSync(path.join(SHARED, chart, 'values.yaml'), 'utf8'));
    assert.deepEqual(createValuesValidator(schema)(coalesceValues(defaults, values(objs, chart))), [], chart);
  }
});
