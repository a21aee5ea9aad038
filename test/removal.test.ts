/**
 * What a first sync, an upgrade and a removal do to charts Helm installs:
 * hooks stay Helm hooks, and nothing that holds data (a database, an
 * operator's CRDs, Argo CD itself) is uninstalled when Argo CD prunes or
 * deletes its Application.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { renderEnvironments } from '../lib/cli/synth';
import { checkObject } from '../lib/policies';
import { K8sObject } from '../lib/policies/pod-specs';
import { ROOT } from './support';

type Obj = Record<string, any>;
const SHIPPED = ['local', 'staging', 'prod'];
const shipped = () => renderEnvironments(ROOT, SHIPPED).flatMap((r) => r.files.map((f) => ({ env: r.env, path: f.path, object: f.object as Obj })));

/** Releases whose uninstall destroys data: CRDs whose objects hold data, or Argo CD itself. */
const KEPT = new Set(['argo-cd', 'cloudnative-pg', 'sealed-secrets', 'kuberay-operator', 'gpu-operator', 'cert-manager', 'kserve-crd', 'seldon-core-operator', 'prometheus-operator-crds', 'influxdb2', 'eck-operator']);

test('every HelmChart that owns data-holding CRDs (or is Argo CD) is kept on prune and Application deletion; the others are not', () => {
  const charts = shipped().filter((f) => f.object.kind === 'HelmChart');
  assert.ok(charts.length > 10);
  for (const { env, path, object } of charts) {
    const options = object.metadata.annotations?.['argocd.argoproj.io/sync-options'];
    if (KEPT.has(object.metadata.name)) assert.equal(options, 'Delete=false,Prune=false', `${env}/${path}`);
    else assert.equal(options, undefined, `${env}/${path}: only what holds data is kept`);
  }
});

test('the PostgreSQL Cluster is kept: deleting it deletes the instances\' volumes', () => {
  const clusters = shipped().filter((f) => f.object.kind === 'Cluster');
  assert.equal(clusters.length, 3);
  for (const { object } of clusters) assert.equal(object.metadata.annotations['argocd.argoproj.io/sync-options'], 'Delete=false,Prune=false');
});

test('kept-on-removal policy: a data-holding object without the protection is a violation', () => {
  const cluster: K8sObject = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'db', namespace: 'postgres' } };
  assert.deepEqual(checkObject(cluster).map((v) => v.policy), ['kept-on-removal']);
  const chart: K8sObject = {
    apiVersion: 'helm.cattle.io/v1',
    kind: 'HelmChart',
    metadata: { name: 'op', namespace: 'x', labels: { 'mlops-gitops.dev/holds-data': 'true' }, annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' } },
    spec: { version: '1.0.0', failurePolicy: 'abort' },
  };
  assert.deepEqual(checkObject(chart).map((v) => v.policy), ['kept-on-removal'], 'Prune=false alone still lets a cascade delete it');
  const kept = { ...chart, metadata: { ...chart.metadata, annotations: { 'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false' } } };
  assert.deepEqual(checkObject(kept), []);
});

/** Every `useHelmHooks` key in a values tree, with its path. */
function helmHookSettings(values: unknown, at = ''): [string, unknown][] {
  if (values === null || typeof values !== 'object') return [];
  return Object.entries(values as Obj).flatMap(([k, v]) => (k === 'useHelmHooks' ? [[`${at}.${k}`, v] as [string, unknown]] : helmHookSettings(v, `${at}.${k}`)));
}

test('Helm installs every chart: no chart is told to drop its Helm hooks (a setting for Argo CD rendering charts)', () => {
  let seen = 0;
  for (const { env, path, object } of shipped().filter((f) => f.object.kind === 'HelmChart')) {
    for (const [at, value] of helmHookSettings(yaml.load(object.spec.valuesContent))) {
      seen++;
      assert.notEqual(value, false, `${env}/${path} ${at}`);
    }
  }
  assert.ok(seen >= 2, 'the Airflow jobs state it explicitly');
});

test('no HelmChart pins a job image: the controller that runs it uses the klipper-helm it is paired with', () => {
  for (const { env, path, object } of shipped().filter((f) => f.object.kind === 'HelmChart')) assert.equal(object.spec.jobImage, undefined, `${env}/${path}`);
});

test('the credentials the kept Cluster keeps using (its roles, its backup keys) are kept with it', () => {
  const secrets = shipped().filter((f) => f.env === 'staging' && f.path.startsWith('postgres/SealedSecret.'));
  assert.deepEqual(secrets.map((f) => f.path).sort(), [
    'postgres/SealedSecret.backup-s3.k8s.yaml',
    'postgres/SealedSecret.role-airflow.k8s.yaml',
    'postgres/SealedSecret.role-mlflow.k8s.yaml',
    'postgres/SealedSecret.role-prefect.k8s.yaml',
  ]);
  for (const { path, object } of secrets) assert.equal(object.metadata.annotations['argocd.argoproj.io/sync-options'], 'Delete=false,Prune=false', path);
  // A component's own credentials go with it.
  const mlflow = shipped().find((f) => f.env === 'staging' && f.path === 'mlflow/SealedSecret.mlflow-db.k8s.yaml')!;
  assert.equal(mlflow.object.metadata.annotations['argocd.argoproj.io/sync-options'], undefined);
});

test('each install gate expects exactly the values its HelmChart hands Helm (YAML read back as Helm reads it)', () => {
  const files = shipped();
  let gates = 0;
  for (const { env, path, object } of files.filter((f) => f.object.kind === 'Job' && f.path.endsWith('-install-gate.k8s.yaml'))) {
    const env_ = Object.fromEntries(object.spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]));
    const chart = files.find((f) => f.env === env && f.object.kind === 'HelmChart' && f.object.metadata.name === env_.GATE_CHART && f.object.metadata.namespace === env_.GATE_NAMESPACE)!;
    assert.ok(chart, `${env}/${path}: its HelmChart`);
    assert.deepEqual(JSON.parse(env_.GATE_VALUES), yaml.load(chart.object.spec.valuesContent), `${env}/${path}`);
    assert.equal(env_.GATE_VERSION, chart.object.spec.version);
    gates++;
  }
  assert.ok(gates > 20);
});
