/**
 * The drift → retrain loop in the platform: a drift service per configured
 * model running exactly cluster/drift/drift.py, KServe's payload logger
 * pointed at it, its Kafka user, its alert carrying the retrain labels, and
 * the errors a user can hit. The service itself is tested in cluster/drift.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DRIFT_PROGRAM } from '../cluster/drift/program';
import { renderEnvironments } from '../lib/cli/synth';
import { DRIFT_PACKAGES } from '../lib/config/versions';
import { embedded, PROGRAMS } from '../scripts/embed-programs';
import { envYaml, loadConfig, ROOT, userError } from './support';

type Obj = Record<string, any>;
const staging = new Map(renderEnvironments(ROOT, ['staging'])[0].files.map((f) => [f.path, f.object as Obj]));

test('the embedded drift program is cluster/drift/drift.py (npm run embed)', () => {
  for (const p of PROGRAMS) {
    assert.equal(fs.readFileSync(path.join(ROOT, p.module), 'utf8'), embedded(fs.readFileSync(path.join(ROOT, p.source), 'utf8'), p.name, p.source), `${p.module} is out of date: run npm run embed`);
  }
  assert.equal(staging.get('serving/ConfigMap.drift-program.k8s.yaml')!.data['drift.py'], DRIFT_PROGRAM);
});

test('a drift service per watched model: the tested program, pinned packages, its model\'s topic, the reference as the read-only reader; KServe logs the model\'s requests to it', () => {
  const d = staging.get('serving/Deployment.drift-iris.k8s.yaml')!.spec.template.spec;
  assert.match(d.initContainers[0].command[2], new RegExp(`pip install --no-cache-dir --disable-pip-version-check --target=/deps ${DRIFT_PACKAGES.join(' ').replace(/\./g, '\\.')} `));
  assert.deepEqual(d.initContainers[0].env.find((e: Obj) => e.name === 'TMPDIR'), { name: 'TMPDIR', value: '/deps/.tmp' });
  assert.ok(DRIFT_PACKAGES.every((p) => /^[a-z0-9-]+==[0-9.]+$/.test(p)), 'exact versions');
  const env = Object.fromEntries(d.containers[0].env.map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(env.DRIFT_MODEL, 'iris');
  assert.equal(env.DRIFT_FEATURES, JSON.stringify(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']));
  assert.equal(env.KAFKA_TOPIC, 'predictions-iris');
  assert.deepEqual(env.KAFKA_PASSWORD, { secretKeyRef: { name: 'kafka-drift', key: 'password' } });
  assert.deepEqual(env.AWS_ACCESS_KEY_ID, { secretKeyRef: { name: 'model-reader-s3', key: 'AWS_ACCESS_KEY_ID' } });
  assert.equal(d.serviceAccountName, 'model-reader');
  assert.deepEqual(staging.get('serving/InferenceService.iris.k8s.yaml')!.spec.predictor.logger, { mode: 'request', url: 'http://drift-iris.serving.svc.cluster.local/log' });
  // Only the model's pods (its logger) reach the intake; Prometheus its metrics.
  const intake = staging.get('serving/NetworkPolicy.allow-drift-intake.k8s.yaml')!.spec;
  assert.deepEqual(intake.ingress[0].ports, [{ protocol: 'TCP', port: 8080 }]);
  // The drift user writes and reads the watched models' topics only.
  const acls = staging.get('kafka/KafkaUser.drift.k8s.yaml')!.spec.authorization.acls;
  assert.deepEqual(acls[0], { resource: { type: 'topic', name: 'predictions-iris', patternType: 'literal' }, operations: ['Read', 'Write', 'Describe'], host: '*' });
});

test('drift alerts carry the retrain labels, so the alert bridge starts the model\'s retrain DAG', () => {
  const rules = staging.get('serving/PrometheusRule.serving-alerts.k8s.yaml')!.spec.groups[0].rules;
  const drift = rules.find((r: Obj) => r.alert === 'ModelDriftDetected');
  assert.equal(drift.expr, 'min by (model, feature) (mlops_drift_pvalue{namespace="serving",model="iris"}) < 0.01');
  assert.equal(drift.for, '15m');
  assert.deepEqual(drift.labels, { severity: 'warning', component: 'serving', model: 'iris', retrain: 'true', dag_id: 'retrain_iris' });
});

test('drift errors name the field and the fix', () => {
  const base = (drift: string, model = '    - name: m\n      server: kserve\n      format: sklearn\n      storageUri: s3://mlflow/m\n') =>
    envYaml(`serving:\n  models:\n${model}streaming:\n  drift:\n${drift}`).replace('components: {}', 'components:\n  mlflow: {}');
  const cases: [string, RegExp][] = [
    [base('    - { model: nope, features: [a], reference: "s3://mlflow/ref.csv" }\n'), /\/streaming\/drift\/0\/model: model "nope" is not in serving\.models/],
    [base('    - { model: m, features: [a], reference: "s3://elsewhere/ref.csv" }\n'), /\/streaming\/drift\/0\/reference: s3:\/\/elsewhere\/ref\.csv is not in a bucket of the platform's object store/],
    [
      base('    - { model: r, features: [a], reference: "s3://mlflow/ref.csv" }\n', '    - name: r\n      server: rayserve\n      rayserve: { importPath: "a:b", workingDir: "https://x/a.zip" }\n'),
      /\/streaming\/drift\/0\/model: requests of rayserve models are not logged to Kafka/,
    ],
    [base('    - { model: m, features: [], reference: "s3://mlflow/ref.csv" }\n'), /\/streaming\/drift\/0\/features/],
  ];
  for (const [text, message] of cases) assert.match(userError(() => loadConfig(text)).message, message);
});
