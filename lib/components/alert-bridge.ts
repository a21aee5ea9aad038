/**
 * The alert bridge (cluster/alert-bridge/bridge.ts) in the cluster: the
 * receiver Alertmanager sends alerts labelled `retrain="true"` to; it starts
 * the DAG named by their `dag_id` label in Airflow, if that DAG is one of
 * the models' `retrainDag`s. A stock node image runs the program from a
 * ConfigMap; it signs in to Airflow as the service user `alert-bridge`
 * (role User, its password a generated sealed value shared with Airflow's
 * namespace, where the user is created).
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentConfig, retrainDags } from '../config/environment';
import { IMAGES, imageString } from '../config/versions';
import { alertBridgeProgram } from '../../cluster/alert-bridge/bridge';
import { ComponentChart, Tier } from '../constructs/component';
import { allowIngress, denyAllIngress } from '../constructs/network-policy';
import { restricted } from '../constructs/nginx-container';
import { SealedSecret } from '../constructs/sealed-secret';
import { generatedPassword, GeneratedValue, SecretCatalog } from '../secrets/catalog';

export const ALERT_BRIDGE_NAMESPACE = 'alert-bridge';
export const ALERT_BRIDGE_PORT = 8080;
/** Where Alertmanager posts: the `retrain` receiver. */
export const ALERT_BRIDGE_URL = `http://alert-bridge.${ALERT_BRIDGE_NAMESPACE}.svc.cluster.local:${ALERT_BRIDGE_PORT}/alerts`;
/** Airflow's service user of the bridge. */
export const ALERT_BRIDGE_USER = 'alert-bridge';
/** The node image's user. */
const NODE_USER = 1000;

/** The service user's password: one generated value, sealed for the bridge and for Airflow's user job. */
export function alertBridgePassword(): GeneratedValue {
  return generatedPassword(32, 'airflow/alert-bridge');
}

export class AlertBridgeChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, catalog: SecretCatalog, airflowApiUrl: string) {
    super(scope, { name: 'alert-bridge', namespace: ALERT_BRIDGE_NAMESPACE, tier: Tier.PLATFORM, waveOffset: 4 });
    const labels = this.objectLabels();
    const podLabels = { 'app.kubernetes.io/name': 'alert-bridge' };
    const secret = new SealedSecret(this, 'airflow', {
      catalog,
      component: 'alert-bridge',
      name: 'alert-bridge-airflow',
      labels,
      keys: [{ key: 'password', description: `password of Airflow's service user ${ALERT_BRIDGE_USER} (the same value as in namespace airflow)`, source: alertBridgePassword() }],
    });
    const program = new k8s.KubeConfigMap(this, 'program', {
      metadata: { name: 'alert-bridge', labels },
      data: { 'bridge.js': alertBridgeProgram() },
    });
    const q = (v: string) => k8s.Quantity.fromString(v);
    const probe = (failureThreshold: number): k8s.Probe => ({ httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, failureThreshold });
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: 'alert-bridge', labels },
      spec: {
        // The run ids make deliveries idempotent, so two replicas may both answer Alertmanager.
        replicas: config.monitoring.alertmanager.replicas > 1 ? 2 : 1,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...labels, ...podLabels } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: NODE_USER, runAsGroup: NODE_USER, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'bridge',
                image: imageString(IMAGES.installGate),
                imagePullPolicy: 'IfNotPresent',
                command: ['node', '/bridge/bridge.js'],
                ports: [{ name: 'http', containerPort: ALERT_BRIDGE_PORT }],
                env: [
                  { name: 'BRIDGE_PORT', value: String(ALERT_BRIDGE_PORT) },
                  { name: 'BRIDGE_AIRFLOW_URL', value: airflowApiUrl },
                  { name: 'BRIDGE_USERNAME', value: ALERT_BRIDGE_USER },
                  { name: 'BRIDGE_PASSWORD', valueFrom: { secretKeyRef: secret.ref('password') } },
                  { name: 'BRIDGE_DAGS', value: JSON.stringify(retrainDags(config)) },
                ],
                resources: { requests: { cpu: q('10m'), memory: q('48Mi') }, limits: { cpu: q('200m'), memory: q('128Mi') } },
                readinessProbe: probe(3),
                livenessProbe: probe(6),
                securityContext: restricted(NODE_USER),
                volumeMounts: [{ name: 'program', mountPath: '/bridge', readOnly: true }],
              },
            ],
            volumes: [{ name: 'program', configMap: { name: program.name } }],
          },
        },
      },
    });
    new k8s.KubeService(this, 'service', {
      metadata: { name: 'alert-bridge', labels },
      spec: { selector: podLabels, ports: [{ name: 'http', port: ALERT_BRIDGE_PORT, targetPort: k8s.IntOrString.fromString('http') }] },
    });
    // Only Alertmanager (and Prometheus, scraping /metrics) in the monitoring namespace.
    denyAllIngress(this, labels);
    allowIngress(this, 'allow-alertmanager', { name: 'allow-alertmanager', podLabels, ports: [ALERT_BRIDGE_PORT], fromNamespaces: ['monitoring'], labels });
  }
}
