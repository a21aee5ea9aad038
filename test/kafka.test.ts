/**
 * Streaming: Strimzi's operator, the Kafka cluster and its node pools from
 * config, topics per served model, SCRAM users with ACLs per consumer and
 * their credentials delivered to each consumer, the listener's NetworkPolicy
 * peers, and the errors a user can hit.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { renderEnvironments } from '../lib/cli/synth';
import { CHARTS, KAFKA_VERSION } from '../lib/config/versions';
import { envYaml, loadConfig, ROOT, userError } from './support';

type Obj = Record<string, any>;
const rendered = new Map(renderEnvironments(ROOT, ['local', 'staging', 'prod']).map((r) => [r.env, new Map(r.files.map((f) => [f.path, f.object as Obj]))]));
const env = (name: string) => rendered.get(name)!;

test('Strimzi: the pinned operator from its OCI registry, watching only its namespace, operands at Pod Security restricted', () => {
  const chart = env('local').get('kafka/HelmChart.strimzi-kafka-operator.k8s.yaml')!;
  assert.equal(chart.spec.chart, 'oci://quay.io/strimzi-helm/strimzi-kafka-operator');
  assert.equal(chart.spec.version, CHARTS.strimziKafkaOperator.version);
  const v = yaml.load(chart.spec.valuesContent) as Obj;
  assert.equal(v.watchAnyNamespace, false);
  assert.deepEqual(v.extraEnvs, [{ name: 'STRIMZI_POD_SECURITY_PROVIDER_CLASS', value: 'restricted' }]);
  assert.equal(v.defaultImageTag, '1.2.0');
});

test('node pools from config: one dual-role node on local, three controllers and three brokers in prod; Kafka and pools kept on removal', () => {
  const local = env('local');
  const dual = local.get('kafka/KafkaNodePool.dual-role.k8s.yaml')!;
  assert.deepEqual([dual.spec.replicas, dual.spec.roles], [1, ['controller', 'broker']]);
  assert.equal(dual.spec.storage.volumes[0].deleteClaim, false);
  assert.equal(dual.spec.storage.volumes[0].kraftMetadata, 'shared');
  const prod = env('prod');
  assert.deepEqual(prod.get('kafka/KafkaNodePool.controllers.k8s.yaml')!.spec.roles, ['controller']);
  assert.equal(prod.get('kafka/KafkaNodePool.controllers.k8s.yaml')!.spec.replicas, 3);
  assert.deepEqual(prod.get('kafka/KafkaNodePool.brokers.k8s.yaml')!.spec.roles, ['broker']);
  assert.equal(prod.get('kafka/KafkaNodePool.brokers.k8s.yaml')!.spec.storage.volumes[0].size, '100Gi');
  for (const o of [dual, prod.get('kafka/Kafka.kafka.k8s.yaml')!]) assert.match(o.metadata.annotations['argocd.argoproj.io/sync-options'], /Delete=false,Prune=false/);
  const kafka = prod.get('kafka/Kafka.kafka.k8s.yaml')!.spec.kafka;
  assert.equal(kafka.version, KAFKA_VERSION);
  assert.equal(kafka.config['min.insync.replicas'], 2);
  assert.equal(kafka.config['auto.create.topics.enable'], false);
  assert.equal(local.get('kafka/Kafka.kafka.k8s.yaml')!.spec.kafka.config['offsets.topic.replication.factor'], 1);
  assert.deepEqual(kafka.metricsConfig.valueFrom.configMapKeyRef, { name: 'kafka-metrics', key: 'kafka-metrics-config.yml' });
});

test('topics: a predictions topic per served model; users: serving writes them, a consumer reads its own, each password one sealed value in both namespaces', () => {
  const s = env('staging');
  for (const m of ['iris', 'churn', 'sentiment', 'fraud']) {
    const t = s.get(`kafka/KafkaTopic.predictions-${m}.k8s.yaml`)!;
    assert.equal(t.metadata.labels['strimzi.io/cluster'], 'kafka');
    assert.equal(t.spec.replicas, 3);
    assert.equal(t.spec.config['retention.ms'], 7 * 86400000);
  }
  const serving = s.get('kafka/KafkaUser.serving.k8s.yaml')!.spec;
  assert.deepEqual(serving.authentication, { type: 'scram-sha-512', password: { valueFrom: { secretKeyRef: { name: 'kafka-user-serving', key: 'password' } } } });
  assert.ok(serving.authorization.acls.every((a: Obj) => a.resource.type === 'topic' && a.resource.name.startsWith('predictions-') && a.operations.join() === 'Write,Describe'));
  const airflow = s.get('kafka/KafkaUser.airflow.k8s.yaml')!.spec.authorization.acls;
  assert.deepEqual(airflow, [
    { resource: { type: 'topic', name: 'predictions-iris', patternType: 'literal' }, operations: ['Read', 'Describe'], host: '*' },
    { resource: { type: 'group', name: 'airflow-', patternType: 'prefix' }, operations: ['Read'], host: '*' },
  ]);
  // The consumer's copy: the typed handle's settings in plain text, the password sealed.
  const copy = s.get('airflow/SealedSecret.kafka-airflow.k8s.yaml')!.spec.template.data;
  assert.deepEqual(copy, {
    bootstrapServers: 'kafka-kafka-bootstrap.kafka.svc.cluster.local:9092',
    username: 'airflow',
    securityProtocol: 'SASL_PLAINTEXT',
    saslMechanism: 'SCRAM-SHA-512',
    topics: 'predictions-iris',
    groupPrefix: 'airflow-',
  });
  // Team services log their predictions with the serving user's credentials.
  const churn = s.get('serving/Deployment.churn-stable.k8s.yaml')!.spec.template.spec.containers[0].env;
  assert.equal(churn.find((e: Obj) => e.name === 'KAFKA_TOPIC').value, 'predictions-churn');
  assert.deepEqual(churn.find((e: Obj) => e.name === 'KAFKA_PASSWORD').valueFrom, { secretKeyRef: { name: 'kafka-serving', key: 'password' } });
  // Kafka is reachable only from its users' namespaces (and its own).
  const peers = s.get('kafka/Kafka.kafka.k8s.yaml')!.spec.kafka.listeners[0].networkPolicyPeers.map((p: Obj) => p.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
  assert.deepEqual(peers, ['airflow', 'kafka', 'serving']);
});

test('streaming errors name the field and the fix', () => {
  const withModel = (streaming: string) =>
    envYaml(`serving:\n  models:\n    - name: m\n      server: service\n      image: r/m:1.0.0\nstreaming:\n${streaming}`).replace('components: {}', 'components:\n  mlflow: {}');
  const cases: [string, RegExp][] = [
    [withModel('  kafka: { brokers: 1 }\n  topics:\n    - { name: events, replicas: 3 }\n'), /\/streaming\/topics\/0\/replicas: topic events asks for 3 replicas, but Kafka has 1 broker/],
    [withModel('  consumers:\n    - { component: serving, topics: [nope] }\n'), /\/streaming\/consumers\/0\/topics\/0: topic nope is not one of the environment's topics/],
    [withModel('  consumers:\n    - { component: airflow, topics: [predictions-m] }\n'), /\/streaming\/consumers\/0\/component: component airflow does not run in this environment/],
    [withModel('  kafka: { brokers: 2 }\n'), /\/streaming\/kafka\/brokers: 2 dual-role nodes make an even controller quorum/],
    [withModel('  kafka: { controllers: 2 }\n'), /\/streaming\/kafka\/controllers/],
    [withModel('  topics:\n    - { name: predictions-m }\n'), /topic predictions-m is declared twice/],
  ];
  for (const [text, message] of cases) assert.match(userError(() => loadConfig(text)).message, message);
});
