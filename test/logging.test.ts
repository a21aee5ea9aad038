/**
 * Logging with ECK: the operator, Elasticsearch, Kibana, Logstash and
 * Filebeat from config, users and roles, the index lifecycle, Airflow's task
 * logs read back from Elasticsearch, and the errors a user can hit.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { renderEnvironments } from '../lib/cli/synth';
import { LOGSTASH_FILTER_DIR, logstashPipeline } from '../lib/components/logging';
import { CHARTS, ELASTIC_STACK_VERSION } from '../lib/config/versions';
import { EXEMPTIONS } from '../lib/policies/exemptions';
import { envYaml, loadConfig, ROOT, userError } from './support';

type Obj = Record<string, any>;
const rendered = new Map(renderEnvironments(ROOT, ['local', 'staging', 'prod']).map((r) => [r.env, new Map(r.files.map((f) => [f.path, f.object as Obj]))]));
const staging = rendered.get('staging')!;
const values = (o: Obj) => yaml.load(o.spec.valuesContent) as Obj;

test('ECK: the pinned operator, managing only the logging namespaces, restricted; its CRDs kept on removal', () => {
  const chart = staging.get('eck-operator/HelmChart.eck-operator.k8s.yaml')!;
  assert.equal(chart.spec.version, CHARTS.eckOperator.version);
  assert.equal(chart.metadata.annotations['argocd.argoproj.io/sync-options'], 'Delete=false,Prune=false');
  const v = values(chart);
  assert.deepEqual(v.managedNamespaces, ['logging', 'log-shipper']);
  assert.deepEqual(v.podSecurityContext.seccompProfile, { type: 'RuntimeDefault' });
});

test('Elasticsearch and Kibana from config; users for Airflow and people from the file realm, never the superuser elsewhere', () => {
  const es = staging.get('logging/Elasticsearch.logging.k8s.yaml')!;
  assert.equal(es.spec.version, ELASTIC_STACK_VERSION);
  const set = es.spec.nodeSets[0];
  assert.equal(set.count, 3);
  assert.equal(set.config['node.store.allow_mmap'], false);
  assert.equal(set.volumeClaimTemplates[0].spec.resources.requests.storage, '50Gi');
  assert.deepEqual(set.podTemplate.spec.containers[0].env, [{ name: 'ES_JAVA_OPTS', value: '-Xms2g -Xmx2g' }]);
  assert.match(es.metadata.annotations['argocd.argoproj.io/sync-options'], /Delete=false,Prune=false/);
  assert.deepEqual(es.spec.auth.fileRealm, [{ secretName: 'es-user-airflow' }, { secretName: 'es-user-logs-admin' }, { secretName: 'es-user-exporter' }]);
  const airflowUser = staging.get('logging/SealedSecret.es-user-airflow.k8s.yaml')!.spec.template;
  assert.equal(airflowUser.type, 'kubernetes.io/basic-auth');
  assert.deepEqual(airflowUser.data, { username: 'airflow', roles: 'airflow_logs_reader' });
  const roles = staging.get('logging/SealedSecret.es-roles.k8s.yaml')!.spec.template.data['roles.yml'];
  assert.deepEqual(yaml.load(roles), {
    airflow_logs_reader: { indices: [{ names: ['logstash-airflow-*'], privileges: ['read', 'view_index_metadata'] }] },
    logs_viewer: { indices: [{ names: ['logstash-*'], privileges: ['read', 'view_index_metadata'] }] },
    es_monitor: { cluster: ['monitor'], indices: [{ names: ['*'], privileges: ['monitor'] }] },
  });
  assert.equal(staging.get('logging/Ingress.kibana.k8s.yaml')!.spec.rules[0].host, 'kibana.staging.mlops.example.com');
  // Only Logstash's shippers reach it, only the readers reach Elasticsearch.
  const es9200 = staging.get('logging/NetworkPolicy.allow-elasticsearch.k8s.yaml')!.spec.ingress[0].from.map((f: Obj) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? 'same');
  assert.deepEqual(es9200, ['airflow', 'elastic-system', 'same']);
  assert.deepEqual(staging.get('logging/NetworkPolicy.allow-logstash.k8s.yaml')!.spec.ingress[0].from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'log-shipper' } } }]);
});

test('the lifecycle: a policy from config (rollover size, retention) and index templates, applied by the setup Job before Logstash writes', () => {
  const job = staging.get('logging/Job.es-setup.k8s.yaml')!;
  assert.equal(job.metadata.annotations['argocd.argoproj.io/hook'], 'Sync');
  const requests = JSON.parse(job.spec.template.spec.containers[0].env.find((e: Obj) => e.name === 'ES_REQUESTS').value);
  assert.deepEqual(requests[0], {
    method: 'PUT',
    path: '/_ilm/policy/platform-logs',
    body: { policy: { phases: { hot: { actions: { rollover: { max_primary_shard_size: '5gb', max_age: '1d' } } }, delete: { min_age: '14d', actions: { delete: {} } } } } },
  });
  const mappings = requests[1].body.template.mappings.properties;
  assert.deepEqual([mappings.log_id, mappings.offset], [{ type: 'keyword' }, { type: 'long' }], 'the reader matches log_id exactly and sorts by offset');
  assert.deepEqual(mappings.error_detail, { type: 'object', enabled: false });
  assert.equal(staging.get('logging/Logstash.logging.k8s.yaml')!.metadata.annotations['argocd.argoproj.io/sync-wave'], '3');
  const pipeline = logstashPipeline();
  assert.match(pipeline, /ilm_rollover_alias => "logstash-airflow"/);
  assert.match(pipeline, /if "airflow-task-log" in \[tags\]/);
});

test('Logstash runs the tested Ruby filter from a mounted ConfigMap, restarts when it changes, and has a disruption budget', () => {
  const ls = staging.get('logging/Logstash.logging.k8s.yaml')!.spec;
  const cm = staging.get('logging/ConfigMap.logstash-filters.k8s.yaml')!;
  assert.equal(cm.data['airflow-task-logs.rb'], fs.readFileSync(path.join(ROOT, 'cluster', 'logstash', 'airflow-task-logs.rb'), 'utf8'));
  assert.match(ls.pipelines[0]['config.string'], new RegExp(`path => "${LOGSTASH_FILTER_DIR}/airflow-task-logs.rb"`));
  const pod = ls.podTemplate;
  assert.deepEqual(pod.spec.volumes, [{ name: 'filters', configMap: { name: 'logstash-filters' } }]);
  // Its data claim in the environment's storage class, not the cluster's default (there may be none).
  assert.equal(ls.volumeClaimTemplates[0].metadata.name, 'logstash-data');
  assert.equal(ls.volumeClaimTemplates[0].spec.storageClassName, 'gp3');
  assert.deepEqual(pod.spec.containers[0].volumeMounts, [{ name: 'filters', mountPath: LOGSTASH_FILTER_DIR, readOnly: true }]);
  assert.equal(pod.metadata.annotations['mlops-gitops.dev/filters-sha256'], createHash('sha256').update(cm.data['airflow-task-logs.rb']).digest('hex'));
  for (const app of ['kibana', 'logstash']) {
    const pdb = staging.get(`logging/PodDisruptionBudget.logging-${app}.k8s.yaml`)!.spec;
    assert.equal(pdb.maxUnavailable, 1);
    assert.deepEqual(pdb.selector.matchLabels, { [`${app}.k8s.elastic.co/name`]: 'logging' });
  }
});

test('snapshots (staging): their own bucket and MinIO user, keys in Elasticsearch\'s keystore, the repository and a nightly policy from config', () => {
  const es = staging.get('logging/Elasticsearch.logging.k8s.yaml')!.spec;
  assert.deepEqual(es.secureSettings, [{ secretName: 'es-snapshot-s3' }]);
  assert.equal(es.nodeSets[0].config['s3.client.default.endpoint'], 'http://minio.minio.svc.cluster.local:9000');
  assert.equal(es.nodeSets[0].config['s3.client.default.protocol'], undefined, 'deprecated in Elasticsearch 9: the scheme is in the endpoint');
  assert.equal(es.nodeSets[0].config['s3.client.default.path_style_access'], true);
  const keys = Object.keys(staging.get('logging/SealedSecret.es-snapshot-s3.k8s.yaml')!.spec.encryptedData);
  assert.deepEqual(keys, ['s3.client.default.access_key', 's3.client.default.secret_key']);
  const requests = JSON.parse(staging.get('logging/Job.es-setup.k8s.yaml')!.spec.template.spec.containers[0].env.find((e: Obj) => e.name === 'ES_REQUESTS').value);
  assert.deepEqual(requests.find((r: Obj) => r.path === '/_snapshot/object-store').body, { type: 's3', settings: { bucket: 'logging', client: 'default', base_path: 'snapshots' } });
  assert.equal(requests.find((r: Obj) => r.path === '/_slm/policy/logs').body.retention.expire_after, '30d');
  // Its MinIO user reaches only its own bucket.
  assert.match(staging.get('minio/ConfigMap.minio-setup.k8s.yaml')!.data['logging.json'], /arn:aws:s3:::logging\/\*/);
  assert.equal(rendered.get('prod')!.get('logging/Elasticsearch.logging.k8s.yaml')!.spec.secureSettings, undefined, 'prod: no snapshots');
});

test('Filebeat ships the platform\'s namespaces from every node, GPU nodes too; its root user and GPU tolerations are explicit exemptions', () => {
  const beat = staging.get('log-shipper/Beat.filebeat.k8s.yaml')!;
  const drop = beat.spec.config.processors[1].drop_event.when.not.or.map((c: Obj) => c.equals['kubernetes.namespace']);
  assert.ok(drop.includes('airflow') && drop.includes('serving') && drop.includes('kafka'));
  assert.equal(beat.spec.config['output.logstash'].hosts[0], 'logging-ls-beats.logging.svc.cluster.local:5044');
  // Filebeat 9's option (the old `host` is gone): pods of this node only.
  assert.equal(beat.spec.config.processors[0].add_kubernetes_metadata.node, '${NODE_NAME}');
  const pod = beat.spec.daemonSet.podTemplate.spec;
  assert.deepEqual(pod.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  // The registry survives restarts and upgrades: no line is shipped twice.
  assert.deepEqual(pod.volumes.find((v: Obj) => v.name === 'beat-data'), { name: 'beat-data', hostPath: { path: '/var/lib/log-shipper/filebeat/filebeat-data', type: 'DirectoryOrCreate' } });
  assert.deepEqual(EXEMPTIONS.map((e) => `${e.policy} ${e.object}`).sort(), ['gpu-placement Beat/log-shipper/filebeat', 'restricted-security-context Beat/log-shipper/filebeat']);
  assert.equal(staging.get('apps/Application.staging-log-shipper.k8s.yaml')!.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
});

test('Airflow writes task logs to stdout as JSON and reads them from Elasticsearch as its own user; without logging, from the object store', () => {
  const v = values(staging.get('airflow/HelmChart.airflow.k8s.yaml')!);
  assert.deepEqual(v.elasticsearch, { enabled: true, secretName: 'airflow-elasticsearch' });
  assert.deepEqual(v.config.logging, { remote_logging: 'True' });
  assert.equal(v.config.elasticsearch.write_stdout, 'True');
  assert.equal(v.config.elasticsearch.json_format, 'True');
  assert.equal(v.config.elasticsearch.log_id_template, '{dag_id}-{task_id}-{run_id}-{map_index}-{try_number}');
  assert.equal(v.config.elasticsearch.index_patterns, 'logstash-airflow*');
  assert.match(v.config.elasticsearch.frontend, /^kibana\.staging\.mlops\.example\.com\/app\/discover/);
  assert.ok(staging.has('airflow/SealedSecret.airflow-elasticsearch.k8s.yaml'));
  const local = values(rendered.get('local')!.get('airflow/HelmChart.airflow.k8s.yaml')!);
  assert.equal(local.elasticsearch, undefined);
  assert.equal(local.config.logging.remote_log_conn_id, 'object_store');
  assert.ok(![...rendered.get('local')!.keys()].some((p) => p.startsWith('logging/')), 'local leaves logging off');
});

test('logging errors name the field and the fix', () => {
  const cases: [string, RegExp][] = [
    [envYaml('logging:\n  retention: 12h\n'), /\/logging\/retention: logs kept for 12h, less than a day/],
    [envYaml('logging:\n  elasticsearch:\n    heap: 2g\n'), /\/logging\/elasticsearch\/heap: a heap of 2g is more than half of the memory limit 2Gi/],
    [envYaml('logging:\n  retention: 7 days\n'), /\/logging\/retention/],
    [
      envYaml('logging:\n  namespaces: [mlflow, serving]\n').replace('components: {}', 'components:\n  airflow:\n    dags:\n      repo: https://git.example.com/org/dags.git'),
      /environments\/test\.yaml:\d+.*\/logging\/namespaces: Airflow runs and reads its task logs from Elasticsearch, but Filebeat ships only mlflow, serving[\s\S]*add airflow to logging\.namespaces/,
    ],
    [
      envYaml('logging:\n  snapshots: {}\nobjectStore:\n  external:\n    endpoint: https://s3.example.com\n    region: us-east-1\n    bucketPrefix: acme-\n    credentials: serviceAccount\n    serviceAccountAnnotations: { eks.amazonaws.com/role-arn: "arn:aws:iam::1:role/r" }\n'),
      /\/logging\/snapshots: Elasticsearch's S3 repository here takes access keys/,
    ],
  ];
  for (const [text, message] of cases) assert.match(userError(() => loadConfig(text)).message, message);
});
