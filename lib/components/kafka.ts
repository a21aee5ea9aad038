/**
 * Kafka with Strimzi 1.2.0 (`streaming`), in one namespace and Application:
 * the operator (HelmChart CR, wave 0, watching only this namespace), then
 * the Kafka cluster, its node pools, topics and users (wave 2 and later,
 * after the operator's install gate).
 *
 * - Node pools: dual-role nodes (`controllers: 0`, one on `local`), or
 *   dedicated controllers and brokers (`prod`); persistent volumes kept on
 *   removal (the Kafka and its pools carry Delete=false,Prune=false).
 * - One listener, `scram` (9092): SCRAM-SHA-512 users, simple authorization,
 *   and Strimzi's NetworkPolicy admitting only the namespaces of the users.
 * - Topics: `predictions-<model>` for every served model, and the configured
 *   ones. Users: `serving` writes the predictions topics; each consumer
 *   component reads its topics. Passwords are generated sealed values, one
 *   value sealed both here (the KafkaUser reads it) and in the consumer's
 *   namespace (lib/platform.ts adds it there with the typed handle).
 * - Metrics: the JMX exporter on every broker and controller, and the Kafka
 *   Exporter for consumer lag (lib/monitoring/catalog.ts).
 * - Operands at Pod Security restricted (Strimzi's restricted provider).
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment';
import { CHARTS, IMAGES, KAFKA_VERSION } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { HOLDS_DATA_LABEL, KEEP_ON_REMOVAL } from '../constructs/labels';
import { SealedSecret } from '../constructs/sealed-secret';
import { generatedPassword, GeneratedValue, SecretCatalog } from '../secrets/catalog';

export const KAFKA_NAMESPACE = 'kafka';
export const KAFKA_CLUSTER = 'kafka';
export const KAFKA_PORT = 9092;
/** The listener's name (its Service port is `tcp-scram`). */
const LISTENER = 'scram';

/** Where a component reaches Kafka, as what, and which topics: its typed handle. */
export interface KafkaHandle {
  readonly bootstrapServers: string;
  readonly securityProtocol: 'SASL_PLAINTEXT';
  readonly saslMechanism: 'SCRAM-SHA-512';
  readonly username: string;
  /** The user's password, sealed into the consumer's own Secret (key `password`). */
  readonly password: GeneratedValue;
  readonly topics: readonly string[];
  /** Consumer group prefix the user may use. */
  readonly groupPrefix: string;
}

/** A Kafka user of the platform: a component, what it may do, on which topics. */
export interface KafkaUserSpec {
  readonly component: string;
  readonly namespace: string;
  readonly access: 'write' | 'read' | 'readwrite';
  readonly topics: readonly string[];
}

export function kafkaHandle(user: KafkaUserSpec): KafkaHandle {
  return {
    bootstrapServers: `${KAFKA_CLUSTER}-kafka-bootstrap.${KAFKA_NAMESPACE}.svc.cluster.local:${KAFKA_PORT}`,
    securityProtocol: 'SASL_PLAINTEXT',
    saslMechanism: 'SCRAM-SHA-512',
    username: user.component,
    password: generatedPassword(32, `kafka/${user.component}`),
    topics: user.topics,
    groupPrefix: `${user.component}-`,
  };
}

/** The platform's Kafka users: the model servers write predictions, consumers read what they name. */
export function kafkaUsers(config: EnvironmentConfig, namespaceOf: (component: string) => string): KafkaUserSpec[] {
  const users: KafkaUserSpec[] = [];
  const predictions = config.serving.models.map((m) => `predictions-${m.name}`);
  if (predictions.length) users.push({ component: 'serving', namespace: namespaceOf('serving'), access: 'write', topics: predictions });
  // The drift services: their intake writes the requests KServe logs, their detectors read them.
  const drifted = config.streaming.drift.map((d) => `predictions-${d.model}`);
  if (drifted.length) users.push({ component: 'drift', namespace: namespaceOf('serving'), access: 'readwrite', topics: drifted });
  for (const c of config.streaming.consumers) {
    const existing = users.find((u) => u.component === c.component);
    // A component that writes and reads gets one user with both (read wins no ACL from write).
    if (existing) users.push({ component: `${c.component}-reader`, namespace: existing.namespace, access: 'read', topics: c.topics });
    else users.push({ component: c.component, namespace: namespaceOf(c.component), access: 'read', topics: c.topics });
  }
  return users;
}

/** Milliseconds of a retention such as `7d` or `12h`. */
function retentionMs(retention: string): number {
  const n = Number(retention.slice(0, -1));
  return n * (retention.endsWith('d') ? 86400000 : 3600000);
}

/** The JMX exporter's rules: Kafka's gauges as `kafka_<domain>_<type>_<name>` (Strimzi's generic example rule). */
export const KAFKA_METRICS_CONFIG = `lowercaseOutputName: true
rules:
  - pattern: kafka.(\\w+)<type=(.+), name=(.+)><>Value
    name: kafka_$1_$2_$3
    type: GAUGE
  - pattern: kafka.(\\w+)<type=(.+), name=(.+)><>Count
    name: kafka_$1_$2_$3_total
    type: COUNTER
`;

export class KafkaChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, catalog: SecretCatalog, users: readonly KafkaUserSpec[]) {
    super(scope, { name: 'kafka', namespace: KAFKA_NAMESPACE, tier: Tier.DATA, waveOffset: 2 });
    const labels = this.objectLabels();
    const s = config.streaming;
    const kept = { ...KEEP_ON_REMOVAL, 'argocd.argoproj.io/sync-wave': '2', 'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false,SkipDryRunOnMissingResource=true' };
    const cr = { 'argocd.argoproj.io/sync-wave': '3', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' };
    // Deleting the Application deletes topics first (reverse waves), while the topic operator still runs and
    // would delete their data: they are not deleted with it. A topic removed from the config is still pruned.
    const topicAnnotations = { 'argocd.argoproj.io/sync-wave': '3', 'argocd.argoproj.io/sync-options': 'Delete=false,SkipDryRunOnMissingResource=true' };
    const cluster = { ...labels, 'strimzi.io/cluster': KAFKA_CLUSTER };

    new HelmChart(this, 'strimzi', {
      name: 'strimzi-kafka-operator',
      chart: CHARTS.strimziKafkaOperator,
      // Its CRDs (crds/ folder) stay when it is uninstalled; the Kafka keeps running without it.
      holdsData: false,
      failurePolicy: 'abort',
      labels,
      values: {
        defaultImageRegistry: 'quay.io',
        defaultImageRepository: 'strimzi',
        defaultImageTag: IMAGES.strimziOperator.tag,
        // This namespace only (the release's).
        watchAnyNamespace: false,
        resources: { requests: { cpu: '200m', memory: '384Mi' }, limits: { cpu: '1', memory: '384Mi' } },
        // Kafka, the entity operator and the exporter at Pod Security restricted.
        extraEnvs: [{ name: 'STRIMZI_POD_SECURITY_PROVIDER_CLASS', value: 'restricted' }],
      },
    });

    new k8s.KubeConfigMap(this, 'metrics', {
      metadata: { name: 'kafka-metrics', labels },
      data: { 'kafka-metrics-config.yml': KAFKA_METRICS_CONFIG },
    });

    // Node pools: dual-role, or controllers and brokers.
    const pool = (name: string, replicas: number, roles: string[], size: string, resources: EnvironmentConfig['streaming']['kafka']['resources']) =>
      new ApiObject(this, `pool-${name}`, {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaNodePool',
        metadata: { name, labels: { ...cluster, [HOLDS_DATA_LABEL]: 'true' }, annotations: kept },
        spec: {
          replicas,
          roles,
          storage: { type: 'jbod', volumes: [{ id: 0, type: 'persistent-claim', size, class: config.cluster.storageClass, deleteClaim: false, kraftMetadata: 'shared' }] },
          resources,
        },
      });
    if (s.kafka.controllers === 0) {
      pool('dual-role', s.kafka.brokers, ['controller', 'broker'], s.kafka.storageSize, s.kafka.resources);
    } else {
      pool('controllers', s.kafka.controllers, ['controller'], '2Gi', { requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } });
      pool('brokers', s.kafka.brokers, ['broker'], s.kafka.storageSize, s.kafka.resources);
    }

    const replication = Math.min(3, s.kafka.brokers);
    new ApiObject(this, 'kafka', {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'Kafka',
      metadata: { name: KAFKA_CLUSTER, labels: { ...labels, [HOLDS_DATA_LABEL]: 'true' }, annotations: kept },
      spec: {
        kafka: {
          version: KAFKA_VERSION,
          listeners: [
            {
              name: LISTENER,
              port: KAFKA_PORT,
              type: 'internal',
              tls: false,
              authentication: { type: 'scram-sha-512' },
              // Only the users' namespaces (and this one: the exporter, the operators).
              networkPolicyPeers: [...new Set([KAFKA_NAMESPACE, ...users.map((u) => u.namespace)])].sort().map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })),
            },
          ],
          authorization: { type: 'simple' },
          config: {
            'offsets.topic.replication.factor': replication,
            'transaction.state.log.replication.factor': replication,
            'transaction.state.log.min.isr': Math.max(1, replication - 1),
            'default.replication.factor': replication,
            'min.insync.replicas': Math.max(1, replication - 1),
            'auto.create.topics.enable': false,
          },
          metricsConfig: { type: 'jmxPrometheusExporter', valueFrom: { configMapKeyRef: { name: 'kafka-metrics', key: 'kafka-metrics-config.yml' } } },
        },
        entityOperator: {
          topicOperator: { resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
          userOperator: { resources: { requests: { cpu: '50m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
        },
        // Consumer lag per group and topic.
        kafkaExporter: { topicRegex: '.*', groupRegex: '.*', resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } } },
      },
    });

    for (const t of s.topics) {
      new ApiObject(this, `topic-${t.name}`, {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaTopic',
        metadata: { name: t.name, labels: cluster, annotations: topicAnnotations },
        spec: { partitions: t.partitions, replicas: t.replicas, config: { 'retention.ms': retentionMs(t.retention), 'min.insync.replicas': Math.max(1, Math.min(t.replicas - 1, 2)) } },
      });
    }

    for (const u of users) {
      const handle = kafkaHandle(u);
      const secret = new SealedSecret(this, `user-${u.component}`, {
        catalog,
        component: 'kafka',
        name: `kafka-user-${u.component}`,
        labels,
        keys: [{ key: 'password', description: `SCRAM password of Kafka user ${u.component} (the same value as in namespace ${u.namespace})`, source: handle.password }],
      });
      const ops = { write: ['Write', 'Describe'], read: ['Read', 'Describe'], readwrite: ['Read', 'Write', 'Describe'] }[u.access];
      new ApiObject(this, `kafka-user-${u.component}`, {
        apiVersion: 'kafka.strimzi.io/v1',
        kind: 'KafkaUser',
        metadata: { name: u.component, labels: cluster, annotations: cr },
        spec: {
          authentication: { type: 'scram-sha-512', password: { valueFrom: { secretKeyRef: secret.ref('password') } } },
          authorization: {
            type: 'simple',
            acls: [
              ...u.topics.map((topic) => ({ resource: { type: 'topic', name: topic, patternType: 'literal' }, operations: ops, host: '*' })),
              ...(u.access !== 'write' ? [{ resource: { type: 'group', name: handle.groupPrefix, patternType: 'prefix' }, operations: ['Read'], host: '*' }] : []),
            ],
          },
        },
      });
    }
  }
}

/** The consumer's copy of its Kafka credentials, with the handle's settings in plain text. */
export function kafkaClientSecret(scope: Construct, catalog: SecretCatalog, component: string, handle: KafkaHandle, labels: Record<string, string>): SealedSecret {
  return new SealedSecret(scope, `kafka-${handle.username}`, {
    catalog,
    component,
    name: `kafka-${handle.username}`,
    labels,
    keys: [{ key: 'password', description: `SCRAM password of Kafka user ${handle.username} (the same value as in namespace ${KAFKA_NAMESPACE})`, source: handle.password }],
    plainData: {
      bootstrapServers: handle.bootstrapServers,
      username: handle.username,
      securityProtocol: handle.securityProtocol,
      saslMechanism: handle.saslMechanism,
      topics: handle.topics.join(','),
      groupPrefix: handle.groupPrefix,
    },
  });
}
