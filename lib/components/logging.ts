/**
 * Logging (`logging`) with Elastic Cloud on Kubernetes 3.5.0 (Elastic
 * License 2.0, optional):
 *
 * - eck-operator (namespace elastic-system): the operator, managing only the
 *   logging namespaces; its CRDs are chart templates (kept on removal).
 * - logging (namespace logging): Elasticsearch (node count, storage, heap,
 *   resources from config), Kibana at `kibana.<domain>` (Elasticsearch's own
 *   login), Logstash with its pipeline as code, the index lifecycle set up by
 *   a Job, and users from the file realm: `airflow` reads task logs,
 *   `logs-admin` is for people; Logstash gets its own user from ECK. No
 *   component outside uses the `elastic` superuser.
 * - log-shipper (namespace log-shipper, Pod Security privileged: Filebeat
 *   reads the host's container log files): Filebeat as a DaemonSet shipping
 *   the configured namespaces' container logs to Logstash.
 *
 * Airflow writes its task logs to stdout as JSON with `log_id` and `offset`
 * (its Elasticsearch handler); Logstash routes those lines to the
 * `logstash-airflow-*` indices Airflow reads back (lib/components/airflow.ts).
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment';
import { CHARTS, ELASTIC_STACK_VERSION, IMAGES, imageString } from '../config/versions';
import { createHash } from 'node:crypto';
import { esSetupProgram } from '../../cluster/es-setup/setup';
import { AIRFLOW_TASK_LOGS_FILTER } from '../../cluster/logstash/program';
import { tolerationFor } from '../gpu/placement';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { HOLDS_DATA_LABEL, KEEP_ON_REMOVAL, syncHook } from '../constructs/labels';
import { allowIngress, denyAllIngress } from '../constructs/network-policy';
import { tlsIngress } from '../constructs/nginx-container';
import { SealedSecret } from '../constructs/sealed-secret';
import { generatedPassword, GeneratedValue, SecretCatalog } from '../secrets/catalog';
import { Consumer } from '../data/handles';
import { DataLayer } from '../data/layer';
import { allowAcmeSolver, ingressTlsAnnotations } from './cert-manager';

export const ECK_NAMESPACE = 'elastic-system';
/** The snapshots' own bucket and object-store user (the data layer's consumer). */
export const LOGGING_CONSUMER: Consumer = { name: 'logging', namespace: 'logging' };
export const LOGGING_NAMESPACE = 'logging';
export const SHIPPER_NAMESPACE = 'log-shipper';
export const ES_NAME = 'logging';
/** Elasticsearch inside the cluster: plain HTTP behind NetworkPolicies (ECK's CA would not reach other namespaces through git). */
export const ES_URL = `http://${ES_NAME}-es-http.${LOGGING_NAMESPACE}.svc.cluster.local:9200`;
/** The indices of Airflow's task logs. */
export const AIRFLOW_LOG_INDEX = 'logstash-airflow';
/** The indices of every other container log. */
export const PLATFORM_LOG_INDEX = 'logstash-platform';
/** The ILM policy of every log index. */
export const ILM_POLICY = 'platform-logs';

const SECCOMP = { seccompProfile: { type: 'RuntimeDefault' } };
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };

/** The Airflow user's password: one generated value for the file realm and for Airflow's reader. */
export function airflowLogReaderPassword(): GeneratedValue {
  return generatedPassword(32, 'elasticsearch/airflow');
}

/** The Elasticsearch URL Airflow reads task logs from, with its user's credentials (a Secret value). */
export function airflowLogReaderHost(): GeneratedValue {
  return { kind: 'generated', generate: (_r, siblings) => ES_URL.replace('http://', `http://airflow:${siblings.password}@`) };
}


/** Where Logstash reads the filter that lifts Airflow's task log lines (cluster/logstash/airflow-task-logs.rb). */
export const LOGSTASH_FILTER_DIR = '/usr/share/logstash/filters';
const AIRFLOW_FILTER_FILE = 'airflow-task-logs.rb';

/**
 * The Logstash pipeline: container lines from Filebeat; Airflow's task log lines (JSON with `log_id` and
 * `offset`, printed by Airflow's Elasticsearch handler when a try ends) lifted by a tested Ruby filter and
 * written to their own indices; everything else to the platform's.
 */
export function logstashPipeline(): string {
  return `input {
  beats {
    port => 5044
  }
}
filter {
  ruby {
    path => "${LOGSTASH_FILTER_DIR}/${AIRFLOW_FILTER_FILE}"
  }
  if "airflow-task-log" in [tags] {
    date {
      match => ["timestamp", "ISO8601"]
      target => "@timestamp"
    }
  }
}
output {
  if "airflow-task-log" in [tags] {
    elasticsearch {
      hosts => ["\${LOGGING_ES_HOSTS}"]
      user => "\${LOGGING_ES_USER}"
      password => "\${LOGGING_ES_PASSWORD}"
      manage_template => false
      ilm_enabled => true
      ilm_rollover_alias => "${AIRFLOW_LOG_INDEX}"
      ilm_pattern => "000001"
      ilm_policy => "${ILM_POLICY}"
    }
  } else {
    elasticsearch {
      hosts => ["\${LOGGING_ES_HOSTS}"]
      user => "\${LOGGING_ES_USER}"
      password => "\${LOGGING_ES_PASSWORD}"
      manage_template => false
      ilm_enabled => true
      ilm_rollover_alias => "${PLATFORM_LOG_INDEX}"
      ilm_pattern => "000001"
      ilm_policy => "${ILM_POLICY}"
    }
  }
}
`;
}

/** The index templates: the lifecycle policy, each rollover alias, and the fields Airflow's reader sorts and filters by. */
export function indexTemplates(): Record<string, Record<string, unknown>> {
  const template = (alias: string) => ({
    index_patterns: [`${alias}-*`],
    priority: 200,
    template: {
      settings: { 'index.lifecycle.name': ILM_POLICY, 'index.lifecycle.rollover_alias': alias },
      // What Airflow's reader queries (log_id, exact), sorts by (offset) and shows (the others; the Ruby filter
      // sets them on Airflow's lines only). error_detail is kept, not indexed: its shape is the exception's.
      mappings: {
        properties: {
          log_id: { type: 'keyword' },
          offset: { type: 'long' },
          event: { type: 'text' },
          level: { type: 'keyword' },
          logger: { type: 'keyword' },
          chan: { type: 'keyword' },
          timestamp: { type: 'date', ignore_malformed: true },
          error_detail: { type: 'object', enabled: false },
          airflow_line: { type: 'text', index: false },
        },
      },
    },
  });
  return { 'mlops-airflow-logs': template(AIRFLOW_LOG_INDEX), 'mlops-platform-logs': template(PLATFORM_LOG_INDEX) };
}

/** The index lifecycle policy: roll over at a size or a day, delete after the retention. */
export function ilmPolicy(config: EnvironmentConfig): Record<string, unknown> {
  return {
    policy: {
      phases: {
        hot: { actions: { rollover: { max_primary_shard_size: config.logging.rolloverSize, max_age: '1d' } } },
        delete: { min_age: config.logging.retention, actions: { delete: {} } },
      },
    },
  };
}

export class EckOperatorChart extends ComponentChart {
  constructor(scope: Construct) {
    super(scope, { name: 'eck-operator', namespace: ECK_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 7 });
    new HelmChart(this, 'eck-operator', {
      name: 'eck-operator',
      chart: CHARTS.eckOperator,
      // Its CRDs are templates: uninstalling deletes them and every Elasticsearch cluster.
      holdsData: true,
      failurePolicy: 'abort',
      labels: this.objectLabels(),
      values: {
        image: { repository: IMAGES.eckOperator.repository, tag: IMAGES.eckOperator.tag },
        managedNamespaces: [LOGGING_NAMESPACE, SHIPPER_NAMESPACE],
        resources: { requests: { cpu: '100m', memory: '150Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        // The chart's hardening plus the seccomp profile the restricted level requires.
        podSecurityContext: { runAsNonRoot: true, ...SECCOMP },
        securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true },
        // No usage reports to Elastic.
        telemetry: { disabled: true },
      },
    });
  }
}

export class LoggingChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, catalog: SecretCatalog, readers: readonly string[], data: DataLayer) {
    super(scope, { name: 'logging', namespace: LOGGING_NAMESPACE, tier: Tier.PLATFORM, waveOffset: 6 });
    const labels = this.objectLabels();
    const l = config.logging;
    // Snapshots: Elasticsearch's S3 client reads its keys from the keystore (secureSettings).
    const store = l.snapshots ? data.objectStore(LOGGING_CONSUMER) : undefined;
    const snapshotKeys =
      store?.credentials
        ? new SealedSecret(this, 'snapshot-s3', {
            catalog,
            component: 'logging',
            name: 'es-snapshot-s3',
            labels,
            keys: [
              { key: 's3.client.default.access_key', description: `object-store access key of the log snapshots (bucket ${store.bucket})`, source: store.credentials.accessKeyId },
              { key: 's3.client.default.secret_key', description: 'its secret', source: store.credentials.secretAccessKey },
            ],
          })
        : undefined;
    const endpoint = store ? new URL(store.endpoint) : undefined;
    const kept = { ...KEEP_ON_REMOVAL, 'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false,SkipDryRunOnMissingResource=true' };
    const cr = { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' };

    // The file realm's users: a basic-auth Secret each, with a generated password and the user's roles.
    const esUser = (user: string, id: string, roles: string, password: { description: string; source: GeneratedValue }) =>
      new SealedSecret(this, id, {
        catalog,
        component: 'logging',
        name: `es-user-${user}`,
        labels,
        type: 'kubernetes.io/basic-auth',
        keys: [{ key: 'password', ...password }],
        plainData: { username: user, roles },
      });
    const airflowUser = esUser('airflow', 'airflow-user', 'airflow_logs_reader', { description: 'password of Elasticsearch user airflow (the same value as in namespace airflow)', source: airflowLogReaderPassword() });
    const exporterUser = esUser('exporter', 'exporter-user', 'es_monitor', { description: 'password of Elasticsearch user exporter (metrics)', source: generatedPassword(32) });
    // Read it with: kubectl -n logging get secret es-user-logs-admin -o jsonpath='{.data.password}' | base64 -d
    const adminUser = esUser('logs-admin', 'admin-user', 'logs_viewer,kibana_admin', { description: 'password of Elasticsearch user logs-admin (people, in Kibana)', source: generatedPassword(24) });
    const rolesSecret = new SealedSecret(this, 'roles', {
      catalog,
      component: 'logging',
      name: 'es-roles',
      labels,
      keys: [],
      plainData: {
        'roles.yml': `airflow_logs_reader:
  indices:
    - names: ["${AIRFLOW_LOG_INDEX}-*"]
      privileges: ["read", "view_index_metadata"]
logs_viewer:
  indices:
    - names: ["logstash-*"]
      privileges: ["read", "view_index_metadata"]
es_monitor:
  cluster: ["monitor"]
  indices:
    - names: ["*"]
      privileges: ["monitor"]
`,
      },
    });

    new ApiObject(this, 'elasticsearch', {
      apiVersion: 'elasticsearch.k8s.elastic.co/v1',
      kind: 'Elasticsearch',
      metadata: { name: ES_NAME, labels: { ...labels, [HOLDS_DATA_LABEL]: 'true' }, annotations: kept },
      spec: {
        version: ELASTIC_STACK_VERSION,
        // Plain HTTP inside the cluster, behind NetworkPolicies: ECK's generated CA cannot reach Airflow's namespace through git.
        http: { tls: { selfSignedCertificate: { disabled: true } } },
        ...(snapshotKeys ? { secureSettings: [{ secretName: snapshotKeys.name }] } : {}),
        auth: {
          fileRealm: [{ secretName: airflowUser.name }, { secretName: adminUser.name }, { secretName: exporterUser.name }],
          roles: [{ secretName: rolesSecret.name }],
        },
        nodeSets: [
          {
            name: 'default',
            count: l.elasticsearch.nodes,
            // No privileged sysctl init container: mmap off instead.
            config: {
              'node.store.allow_mmap': false,
              ...(endpoint
                ? {
                    // With its scheme: Elasticsearch 9 reads the protocol from the endpoint (the separate
                    // `protocol` setting is deprecated and used only for an endpoint without one).
                    's3.client.default.endpoint': `${endpoint.protocol}//${endpoint.host}`,
                    's3.client.default.path_style_access': store!.serverNamespace !== undefined,
                    's3.client.default.region': store!.region,
                  }
                : {}),
            },
            podTemplate: {
              spec: {
                // Setting a security context replaces ECK's defaults: the same restricted settings, explicitly.
                securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, ...SECCOMP },
                containers: [
                  {
                    name: 'elasticsearch',
                    resources: l.elasticsearch.resources,
                    securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 1000 },
                    env: [{ name: 'ES_JAVA_OPTS', value: `-Xms${l.elasticsearch.heap} -Xmx${l.elasticsearch.heap}` }],
                  },
                ],
              },
            },
            volumeClaimTemplates: [
              {
                metadata: { name: 'elasticsearch-data' },
                spec: { accessModes: ['ReadWriteOnce'], storageClassName: config.cluster.storageClass, resources: { requests: { storage: l.elasticsearch.storageSize } } },
              },
            ],
          },
        ],
      },
    });

    new ApiObject(this, 'kibana', {
      apiVersion: 'kibana.k8s.elastic.co/v1',
      kind: 'Kibana',
      metadata: { name: ES_NAME, labels, annotations: cr },
      spec: {
        version: ELASTIC_STACK_VERSION,
        count: 1,
        elasticsearchRef: { name: ES_NAME },
        // TLS ends at the ingress controller.
        http: { tls: { selfSignedCertificate: { disabled: true } } },
        podTemplate: {
          spec: {
            // ECK's default lacks runAsNonRoot; the container defaults stay.
            securityContext: { runAsNonRoot: true, fsGroup: 1000, ...SECCOMP },
            containers: [{ name: 'kibana', resources: l.kibana.resources, securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 1000, readOnlyRootFilesystem: true } }],
          },
        },
      },
    });
    tlsIngress(this, 'kibana-ingress', {
      name: 'kibana',
      host: `kibana.${config.domain}`,
      service: `${ES_NAME}-kb-http`,
      port: 5601,
      ingressClass: config.cluster.ingressClass,
      annotations: ingressTlsAnnotations(config),
      labels,
    });

    // The lifecycle policy and index templates, before Logstash writes (its outputs name the policy and aliases).
    const program = new k8s.KubeConfigMap(this, 'setup-program', { metadata: { name: 'es-setup', labels }, data: { 'setup.js': esSetupProgram() } });
    const requests = [
      { method: 'PUT', path: `/_ilm/policy/${ILM_POLICY}`, body: ilmPolicy(config) },
      ...Object.entries(indexTemplates()).map(([name, body]) => ({ method: 'PUT', path: `/_index_template/${name}`, body })),
      ...(store && l.snapshots
        ? [
            { method: 'PUT', path: '/_snapshot/object-store', body: { type: 's3', settings: { bucket: store.bucket, client: 'default', base_path: 'snapshots' } } },
            {
              method: 'PUT',
              path: '/_slm/policy/logs',
              body: {
                schedule: l.snapshots.schedule,
                name: '<logs-{now/d}>',
                repository: 'object-store',
                config: { indices: ['logstash-*'], include_global_state: false },
                retention: { expire_after: l.snapshots.retention },
              },
            },
          ]
        : []),
    ];
    const q = (v: string) => k8s.Quantity.fromString(v);
    new k8s.KubeJob(this, 'setup', {
      metadata: { name: 'es-setup', labels, annotations: syncHook(2) },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: 1200,
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/name': 'es-setup' } },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, ...SECCOMP },
            containers: [
              {
                name: 'setup',
                image: imageString(IMAGES.installGate),
                command: ['node', '/setup/setup.js'],
                env: [
                  { name: 'ES_URL', value: ES_URL },
                  { name: 'ES_USER', value: 'elastic' },
                  // In this namespace only: ECK's superuser, for the cluster-wide settings.
                  { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: `${ES_NAME}-es-elastic-user`, key: 'elastic' } } },
                  { name: 'ES_REQUESTS', value: JSON.stringify(requests) },
                ],
                resources: { requests: { cpu: q('10m'), memory: q('48Mi') }, limits: { cpu: q('200m'), memory: q('128Mi') } },
                securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true },
                volumeMounts: [{ name: 'program', mountPath: '/setup', readOnly: true }],
              },
            ],
            volumes: [{ name: 'program', configMap: { name: program.name } }],
          },
        },
      },
    });

    const filters = new k8s.KubeConfigMap(this, 'logstash-filters', { metadata: { name: 'logstash-filters', labels }, data: { [AIRFLOW_FILTER_FILE]: AIRFLOW_TASK_LOGS_FILTER } });
    new ApiObject(this, 'logstash', {
      apiVersion: 'logstash.k8s.elastic.co/v1alpha1',
      kind: 'Logstash',
      metadata: { name: ES_NAME, labels, annotations: { ...cr, 'argocd.argoproj.io/sync-wave': '3' } },
      spec: {
        version: ELASTIC_STACK_VERSION,
        count: l.logstash.replicas,
        elasticsearchRefs: [{ name: ES_NAME, clusterName: 'logging' }],
        pipelines: [{ 'pipeline.id': 'platform', 'config.string': logstashPipeline() }],
        // ECK's default data claim has no storage class (the cluster's default, which may not exist): the same
        // claim (name, size) with the environment's class.
        volumeClaimTemplates: [
          {
            metadata: { name: 'logstash-data' },
            spec: { accessModes: ['ReadWriteOnce'], storageClassName: config.cluster.storageClass, resources: { requests: { storage: '1536Mi' } } },
          },
        ],
        services: [{ name: 'beats', service: { spec: { type: 'ClusterIP', ports: [{ name: 'beats', port: 5044, targetPort: 5044 }] } } }],
        podTemplate: {
          // The filter is a file of the pod: a change of it restarts Logstash through this annotation.
          metadata: { annotations: { 'mlops-gitops.dev/filters-sha256': createHash('sha256').update(AIRFLOW_TASK_LOGS_FILTER).digest('hex') } },
          spec: {
            securityContext: { runAsNonRoot: true, fsGroup: 1000, ...SECCOMP },
            containers: [
              {
                name: 'logstash',
                resources: l.logstash.resources,
                securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 1000 },
                volumeMounts: [{ name: 'filters', mountPath: LOGSTASH_FILTER_DIR, readOnly: true }],
              },
            ],
            volumes: [{ name: 'filters', configMap: { name: filters.name } }],
            // ECK's init container gets no container defaults: the same restricted settings.
            initContainers: [
              {
                name: 'logstash-internal-init-config',
                securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 1000 },
                resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
              },
            ],
          },
        },
      },
    });

    // Disruptions (node drains): one Kibana or Logstash pod at a time; with one replica a drain still proceeds
    // (Filebeat retries until Logstash is back). Elasticsearch's own budget is ECK's default: one node at a
    // time, and only while the cluster is green.
    for (const [app, label] of [['kibana', 'kibana.k8s.elastic.co/name'], ['logstash', 'logstash.k8s.elastic.co/name']] as const) {
      new k8s.KubePodDisruptionBudget(this, `pdb-${app}`, {
        metadata: { name: `${ES_NAME}-${app}`, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { [label]: ES_NAME } } },
      });
    }

    // Elasticsearch's health, disk and indexing for Prometheus.
    const exporterLabels = { 'app.kubernetes.io/name': 'elasticsearch-exporter' };
    new k8s.KubeDeployment(this, 'exporter', {
      metadata: { name: 'elasticsearch-exporter', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: exporterLabels },
        template: {
          metadata: { labels: { ...labels, ...exporterLabels } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, ...SECCOMP },
            containers: [
              {
                name: 'exporter',
                image: imageString(IMAGES.elasticsearchExporter),
                imagePullPolicy: 'IfNotPresent',
                args: [`--es.uri=${ES_URL}`, '--es.all', '--es.indices', '--web.listen-address=:9114'],
                env: [
                  { name: 'ES_USERNAME', value: 'exporter' },
                  { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: exporterUser.ref('password') } },
                ],
                ports: [{ name: 'http', containerPort: 9114 }],
                resources: { requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') }, limits: { cpu: k8s.Quantity.fromString('200m'), memory: k8s.Quantity.fromString('128Mi') } },
                readinessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10 },
                securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 65534, readOnlyRootFilesystem: true },
              },
            ],
          },
        },
      },
    });
    new k8s.KubeService(this, 'exporter-service', {
      metadata: { name: 'elasticsearch-exporter', labels },
      spec: { selector: exporterLabels, ports: [{ name: 'http', port: 9114, targetPort: k8s.IntOrString.fromString('http') }] },
    });

    // Who reaches what: Kibana (behind the ingress controller), Logstash from Filebeat, Elasticsearch from
    // Kibana, Logstash, the lifecycle Job and the log readers (Airflow).
    denyAllIngress(this, labels);
    allowAcmeSolver(this, config, labels);
    allowIngress(this, 'allow-kibana', { name: 'allow-kibana', podLabels: { 'kibana.k8s.elastic.co/name': ES_NAME }, ports: [5601], fromNamespaces: [], fromAllNamespaces: true, labels });
    allowIngress(this, 'allow-logstash', { name: 'allow-logstash', podLabels: { 'logstash.k8s.elastic.co/name': ES_NAME }, ports: [5044], fromNamespaces: [SHIPPER_NAMESPACE], labels });
    allowIngress(this, 'allow-elasticsearch', {
      name: 'allow-elasticsearch',
      podLabels: { 'elasticsearch.k8s.elastic.co/cluster-name': ES_NAME },
      ports: [9200, 9300],
      fromNamespaces: [...readers, ECK_NAMESPACE],
      fromSameNamespace: true,
      labels,
    });
  }
}

export class LogShipperChart extends ComponentChart {
  constructor(scope: Construct, namespaces: readonly string[], pools: EnvironmentConfig['nodePools']) {
    super(scope, {
      name: 'log-shipper',
      namespace: SHIPPER_NAMESPACE,
      tier: Tier.PLATFORM,
      waveOffset: 7,
      podSecurity: 'privileged',
      podSecurityReason: 'Filebeat reads the container log files of every node from hostPath volumes as root; nothing else runs in this namespace',
    });
    const labels = this.objectLabels();
    new k8s.KubeServiceAccount(this, 'sa', { metadata: { name: 'filebeat', labels } });
    new k8s.KubeClusterRole(this, 'role', {
      metadata: { name: 'mlops-filebeat', labels },
      rules: [
        { apiGroups: [''], resources: ['namespaces', 'pods', 'nodes'], verbs: ['get', 'watch', 'list'] },
        { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'binding', {
      metadata: { name: 'mlops-filebeat', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'mlops-filebeat' },
      subjects: [{ kind: 'ServiceAccount', name: 'filebeat', namespace: SHIPPER_NAMESPACE }],
    });
    new ApiObject(this, 'filebeat', {
      apiVersion: 'beat.k8s.elastic.co/v1beta1',
      kind: 'Beat',
      metadata: { name: 'filebeat', labels, annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' } },
      spec: {
        type: 'filebeat',
        version: ELASTIC_STACK_VERSION,
        config: {
          'filebeat.inputs': [
            {
              type: 'filestream',
              id: 'containers',
              paths: ['/var/log/containers/*.log'],
              parsers: [{ container: {} }],
              'prospector.scanner': { fingerprint: { enabled: true }, symlinks: true },
              file_identity: { fingerprint: {} },
            },
          ],
          processors: [
            { add_kubernetes_metadata: { node: '${NODE_NAME}', matchers: [{ logs_path: { logs_path: '/var/log/containers/' } }] } },
            // Only the platform's namespaces (config).
            { drop_event: { when: { not: { or: [...namespaces].sort().map((ns) => ({ equals: { 'kubernetes.namespace': ns } })) } } } },
          ],
          'output.logstash': { hosts: [`${ES_NAME}-ls-beats.${LOGGING_NAMESPACE}.svc.cluster.local:5044`] },
        },
        daemonSet: {
          podTemplate: {
            spec: {
              serviceAccountName: 'filebeat',
              automountServiceAccountToken: true,
              // On every node, GPU nodes too: a training task's log is shipped from where it runs.
              ...(pools.some((p) => p.taints.length) ? { tolerations: pools.flatMap((p) => p.taints).map(tolerationFor) } : {}),
              dnsPolicy: 'ClusterFirstWithHostNet',
              containers: [
                {
                  name: 'filebeat',
                  // Root to read the host's log files; nothing else.
                  securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] }, ...SECCOMP },
                  resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
                  env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                  volumeMounts: [
                    { name: 'varlogcontainers', mountPath: '/var/log/containers', readOnly: true },
                    { name: 'varlogpods', mountPath: '/var/log/pods', readOnly: true },
                  ],
                },
              ],
              volumes: [
                { name: 'varlogcontainers', hostPath: { path: '/var/log/containers' } },
                { name: 'varlogpods', hostPath: { path: '/var/log/pods' } },
                // Filebeat's registry (what it has shipped) on the node, as ECK's default: a restarted or upgraded
                // Filebeat resumes where it stopped instead of shipping every line again (Airflow would show each twice).
                { name: 'beat-data', hostPath: { path: `/var/lib/${SHIPPER_NAMESPACE}/filebeat/filebeat-data`, type: 'DirectoryOrCreate' } },
              ],
            },
          },
        },
      },
    });
  }
}
