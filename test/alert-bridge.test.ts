/**
 * The alert bridge in the platform: Alertmanager's `retrain` receiver, the
 * bridge's Deployment with the exact tested program, Airflow's service user,
 * the NetworkPolicy, and the errors around it. The program itself is tested
 * on loopback in cluster/alert-bridge/bridge.test.ts.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { alertBridgeProgram } from '../cluster/alert-bridge/bridge';
import { renderEnvironments } from '../lib/cli/synth';
import { envYaml, loadConfig, ROOT, userError } from './support';

type Obj = Record<string, any>;
const staging = new Map(renderEnvironments(ROOT, ['staging'])[0].files.map((f) => [f.path, f.object as Obj]));
const values = (o: Obj) => yaml.load(o.spec.valuesContent) as Obj;

test('alerts labelled retrain="true" reach the bridge, which may start only the models\' retrain DAGs', () => {
  const am = values(staging.get('monitoring/HelmChart.kube-prometheus-stack.k8s.yaml')!).alertmanager.config;
  assert.deepEqual(am.receivers.find((r: Obj) => r.name === 'retrain').webhook_configs[0].url, 'http://alert-bridge.alert-bridge.svc.cluster.local:8080/alerts');
  assert.deepEqual(am.route.routes.find((r: Obj) => r.receiver === 'retrain').matchers, ['retrain="true"']);
  const d = staging.get('alert-bridge/Deployment.alert-bridge.k8s.yaml')!.spec.template.spec;
  const env = Object.fromEntries(d.containers[0].env.map((e: Obj) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(env.BRIDGE_DAGS, JSON.stringify(['retrain_iris']));
  assert.equal(env.BRIDGE_AIRFLOW_URL, 'http://airflow-api-server.airflow.svc.cluster.local:8080');
  assert.deepEqual(env.BRIDGE_PASSWORD, { secretKeyRef: { name: 'alert-bridge-airflow', key: 'password' } });
  assert.equal(d.containers[0].securityContext.readOnlyRootFilesystem, true);
  // The exact program the loopback tests run.
  assert.equal(staging.get('alert-bridge/ConfigMap.alert-bridge.k8s.yaml')!.data['bridge.js'], alertBridgeProgram());
  // Only the monitoring namespace (Alertmanager, Prometheus) reaches it.
  const allow = staging.get('alert-bridge/NetworkPolicy.allow-alertmanager.k8s.yaml')!.spec;
  assert.deepEqual(allow.ingress[0].from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
  assert.ok(staging.has('alert-bridge/NetworkPolicy.deny-all-ingress.k8s.yaml'));
  // Airflow's user job creates the service user (role User) with the same sealed value.
  const job = values(staging.get('airflow/HelmChart.airflow.k8s.yaml')!).createUserJob;
  assert.match(job.args[2], /airflow users create -r User -u alert-bridge .* -p "\$AIRFLOW_BRIDGE_PASSWORD"$/);
  assert.deepEqual(job.env.find((e: Obj) => e.name === 'AIRFLOW_BRIDGE_PASSWORD').valueFrom, { secretKeyRef: { name: 'airflow-alert-bridge', key: 'password' } });
  assert.ok(staging.has('airflow/SealedSecret.airflow-alert-bridge.k8s.yaml'));
});

test('alert bridge errors: a retrain DAG without Airflow; a webhook that takes the bridge\'s receiver name', () => {
  const model = '  models:\n    - name: m\n      server: service\n      image: r/m:1.0.0\n      retrainDag: retrain_m\n';
  assert.match(
    userError(() => loadConfig(envYaml(`serving:\n${model}`).replace('components: {}', 'components:\n  mlflow: {}'))).message,
    /\/serving\/models\/0\/retrainDag: a retrain DAG runs in Airflow, which this environment does not have/,
  );
  const withAirflow = envYaml(`serving:\n${model}monitoring:\n  alertmanager:\n    webhooks: [{ name: retrain, url: "http://x/y" }]\n`).replace(
    'components: {}',
    'components:\n  airflow:\n    dags:\n      repo: https://git.example.com/org/dags.git',
  );
  assert.match(userError(() => loadConfig(withAirflow)).message, /\/monitoring\/alertmanager\/webhooks: webhook name "retrain" is the alert bridge's receiver/);
});
