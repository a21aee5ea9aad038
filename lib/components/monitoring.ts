/**
 * Observability (`monitoring`): kube-prometheus-stack and its parts.
 *
 * - monitoring-crds (wave 0): the Prometheus Operator CRDs from the
 *   prometheus-operator-crds chart, as templates, so `helm upgrade` upgrades
 *   them (kube-prometheus-stack's own CRDs sit in `crds/`, which Helm never
 *   upgrades). In the first wave, so that every later chart may ship its
 *   ServiceMonitor. Kept on removal: deleting the CRDs deletes every rule.
 * - monitoring (wave 6, after cert-manager: the operator's admission webhook
 *   certificate is a Certificate): Prometheus, Alertmanager, Grafana,
 *   kube-state-metrics; Grafana's admin password and the SMTP password
 *   sealed; Grafana at `grafana.<domain>`, Prometheus and Alertmanager at
 *   `prometheus.<domain>` and `alertmanager.<domain>` behind basic auth; the
 *   platform's dashboards as ConfigMaps for Grafana's sidecar.
 * - node-exporter (its own namespace, Pod Security privileged: it reads the
 *   host's /proc and /sys on the host network).
 *
 * Prometheus reads ServiceMonitors, PodMonitors and PrometheusRules from the
 * platform's namespaces only (monitoringNamespaces).
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { alertBridgeOn, EnvironmentConfig } from '../config/environment';
import { ALERT_BRIDGE_URL } from './alert-bridge';
import { CHARTS, IMAGES, ImageRef } from '../config/versions';
import { AUTH_PROXY_PORT, htpasswdOf } from '../constructs/auth-proxy';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { allowIngress, denyAllIngress } from '../constructs/network-policy';
import { authProxySidecar, NGINX_USER, tlsIngress } from '../constructs/nginx-container';
import { SealedSecret } from '../constructs/sealed-secret';
import { Dashboard } from '../monitoring/dashboards';
import { alertmanagerConfig, SMTP_SECRET } from '../monitoring/alertmanager';
import { fixedValue, generatedPassword, SecretCatalog } from '../secrets/catalog';
import { allowAcmeSolver, ingressTlsAnnotations } from './cert-manager';
import { influxdbToken, influxdbUrl } from './influxdb';

export const MONITORING_NAMESPACE = 'monitoring';
export const MONITORING_CRDS_NAMESPACE = 'monitoring-crds';
export const NODE_EXPORTER_NAMESPACE = 'node-exporter';
/** The Helm release, and so the prefix of the chart's objects. */
const RELEASE = 'kube-prometheus-stack';
/** The chart's Services of Prometheus and Alertmanager (not the operator's headless ones, whose pod IPs nginx would keep). */
export const PROMETHEUS_URL = `http://${RELEASE}-prometheus.${MONITORING_NAMESPACE}.svc.cluster.local:9090`;
export const ALERTMANAGER_URL = `http://${RELEASE}-alertmanager.${MONITORING_NAMESPACE}.svc.cluster.local:9093`;

const image = (i: ImageRef) => {
  const [registry, ...rest] = i.repository.split('/');
  return { registry, repository: rest.join('/'), tag: i.tag, sha: '' };
};
const POD = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

export class MonitoringCrdsChart extends ComponentChart {
  constructor(scope: Construct) {
    super(scope, { name: 'monitoring-crds', namespace: MONITORING_CRDS_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 0 });
    new HelmChart(this, 'prometheus-operator-crds', {
      name: 'prometheus-operator-crds',
      chart: CHARTS.prometheusOperatorCrds,
      // Every ServiceMonitor, PodMonitor, rule, Prometheus and Alertmanager of the cluster goes with the CRDs.
      holdsData: true,
      failurePolicy: 'abort',
      labels: this.objectLabels(),
      values: { crds: { annotations: { 'helm.sh/resource-policy': 'keep' } } },
      waitForWorkloads: false,
    });
  }
}

export class NodeExporterChart extends ComponentChart {
  constructor(scope: Construct) {
    super(scope, {
      name: 'node-exporter',
      namespace: NODE_EXPORTER_NAMESPACE,
      tier: Tier.CONTROLLERS,
      waveOffset: 6,
      podSecurity: 'privileged',
      podSecurityReason: 'the node exporter reads the host\'s /proc, /sys and root filesystem on the host network and PID namespace; nothing else runs in this namespace',
    });
    new HelmChart(this, 'prometheus-node-exporter', {
      name: 'prometheus-node-exporter',
      chart: CHARTS.prometheusNodeExporter,
      holdsData: false,
      failurePolicy: 'abort',
      labels: this.objectLabels(),
      values: {
        fullnameOverride: 'node-exporter',
        image: { registry: 'quay.io', repository: 'prometheus/node-exporter', tag: IMAGES.nodeExporter.tag, distroless: true },
        resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
        // The job name the node exporter's rules and dashboards expect.
        podLabels: { jobLabel: 'node-exporter' },
        service: { labels: { jobLabel: 'node-exporter' } },
        prometheus: { monitor: { enabled: true, jobLabel: 'jobLabel' } },
        // Kubelet, container runtime and virtual filesystems are not the node's disks (kube-prometheus-stack's own arguments).
        extraArgs: [
          '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)',
          '--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$',
        ],
        // Read-only access to the host; no privilege escalation, no capabilities.
        containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      },
    });
  }
}

export interface MonitoringProps {
  readonly config: EnvironmentConfig;
  readonly catalog: SecretCatalog;
  /** Namespaces whose monitors and rules Prometheus reads. */
  readonly namespaces: readonly string[];
  readonly dashboards: readonly Dashboard[];
}

/** Values of kube-prometheus-stack. */
export function kubePrometheusStackValues(config: EnvironmentConfig, namespaces: readonly string[], grafanaEnv: Record<string, unknown>): Record<string, unknown> {
  const m = config.monitoring;
  const inNamespaces = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces].sort() }] };
  const claim = (size: string) => ({
    volumeClaimTemplate: { spec: { storageClassName: config.cluster.storageClass, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } },
  });
  const influx = m.influxdb.enabled;
  return {
    fullnameOverride: RELEASE,
    cleanPrometheusOperatorObjectNames: true,
    // The CRDs come from the monitoring-crds component (templates, upgraded with it).
    crds: { enabled: false },
    // Control-plane components k3s and managed clusters do not expose: their "down" alerts would fire forever.
    kubeEtcd: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    // Its own component, in a privileged namespace.
    nodeExporter: { enabled: false, forceDeployDashboards: true },
    defaultRules: { create: true, rules: { etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false, windows: false } },
    prometheusOperator: {
      image: image(IMAGES.prometheusOperator),
      prometheusConfigReloader: { image: image(IMAGES.prometheusConfigReloader) },
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      // The webhook's certificate from cert-manager: plain resources, no Helm hook Jobs. On the first
      // install the webhook is created before the operator runs (Helm does not wait): it ignores
      // failures then, and refuses invalid rules afterwards.
      admissionWebhooks: { certManager: { enabled: true }, failurePolicy: 'IgnoreOnInstallOnly' },
    },
    'kube-state-metrics': {
      image: image(IMAGES.kubeStateMetrics),
      resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
    },
    prometheus: {
      prometheusSpec: {
        image: image(IMAGES.prometheus),
        replicas: m.prometheus.replicas,
        retention: m.prometheus.retention,
        resources: m.prometheus.resources,
        ...(m.prometheus.storageSize ? { storageSpec: claim(m.prometheus.storageSize) } : {}),
        // Every monitor and rule of the platform's namespaces, and only those.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        serviceMonitorNamespaceSelector: inNamespaces,
        podMonitorNamespaceSelector: inNamespaces,
        ruleNamespaceSelector: inNamespaces,
        probeNamespaceSelector: inNamespaces,
        scrapeConfigNamespaceSelector: inNamespaces,
        securityContext: { ...POD, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 },
      },
    },
    alertmanager: {
      config: alertmanagerConfig(alertBridgeOn(config) ? { ...m.alertmanager, webhooks: [{ name: 'retrain', url: ALERT_BRIDGE_URL, matchers: ['retrain="true"'] }, ...m.alertmanager.webhooks] } : m.alertmanager),
      alertmanagerSpec: {
        image: image(IMAGES.alertmanager),
        replicas: m.alertmanager.replicas,
        resources: m.alertmanager.resources,
        ...(m.alertmanager.storageSize ? { storage: claim(m.alertmanager.storageSize) } : {}),
        ...(m.alertmanager.smtp?.user !== undefined ? { secrets: [SMTP_SECRET] } : {}),
        securityContext: { ...POD, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 },
      },
    },
    grafana: {
      image: image(IMAGES.grafana),
      testFramework: { enabled: false },
      admin: { existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
      resources: m.grafana.resources,
      ...(m.grafana.storageSize
        ? {
            persistence: { enabled: true, type: 'pvc', size: m.grafana.storageSize, storageClassName: config.cluster.storageClass, accessModes: ['ReadWriteOnce'] },
            initChownData: { enabled: false },
            // A ReadWriteOnce volume: the new pod of an update cannot attach it while the old one runs elsewhere.
            deploymentStrategy: { type: 'Recreate' },
          }
        : {}),
      ingress: {
        enabled: true,
        ingressClassName: config.cluster.ingressClass,
        annotations: ingressTlsAnnotations(config),
        hosts: [`grafana.${config.domain}`],
        path: '/',
        pathType: 'Prefix',
        tls: [{ secretName: 'grafana-tls', hosts: [`grafana.${config.domain}`] }],
      },
      'grafana.ini': { server: { root_url: `https://grafana.${config.domain}` }, analytics: { reporting_enabled: false, check_for_updates: false }, users: { allow_sign_up: false } },
      sidecar: {
        image: image(IMAGES.grafanaSidecar),
        // The platform's dashboards: ConfigMaps labelled grafana_dashboard in this namespace, one folder per component.
        dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: MONITORING_NAMESPACE, folderAnnotation: 'grafana_folder', provider: { foldersFromFilesStructure: true } },
        datasources: { enabled: true },
      },
      ...grafanaEnv,
      ...(influx
        ? {
            additionalDataSources: [
              {
                name: 'InfluxDB',
                uid: 'influxdb',
                type: 'influxdb',
                access: 'proxy',
                url: influxdbUrl(),
                jsonData: { version: 'Flux', organization: m.influxdb.organization, defaultBucket: m.influxdb.bucket },
                // Grafana expands the variable when it provisions the datasource; the token is never in a values file.
                secureJsonData: { token: '$__env{INFLUXDB_TOKEN}' },
              },
            ],
          }
        : {}),
    },
  };
}

export class MonitoringChart extends ComponentChart {
  constructor(scope: Construct, props: MonitoringProps) {
    // After cert-manager (Tier.CONTROLLERS + 5): the admission webhook's certificate is a Certificate.
    super(scope, { name: 'monitoring', namespace: MONITORING_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 6 });
    const { config, catalog } = props;
    const labels = this.objectLabels();
    const m = config.monitoring;

    new SealedSecret(this, 'grafana-admin', {
      catalog,
      component: 'monitoring',
      name: 'grafana-admin',
      labels,
      keys: [
        // Read it with: kubectl -n monitoring get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d
        { key: 'admin-user', description: 'Grafana admin user name', source: fixedValue('admin') },
        { key: 'admin-password', description: 'password of Grafana\'s admin', source: generatedPassword(32) },
      ],
    });
    if (m.alertmanager.smtp?.user !== undefined) {
      new SealedSecret(this, 'smtp', {
        catalog,
        component: 'monitoring',
        name: SMTP_SECRET,
        labels,
        keys: [{ key: 'password', description: `password of SMTP user ${m.alertmanager.smtp.user} on ${m.alertmanager.smtp.host}`, source: { kind: 'provided', hint: 'the SMTP password of the alert e-mails' } }],
      });
    }
    let grafanaEnv: Record<string, unknown> = {};
    if (m.influxdb.enabled) {
      const token = new SealedSecret(this, 'influxdb-token', {
        catalog,
        component: 'monitoring',
        name: 'grafana-influxdb',
        labels,
        keys: [{ key: 'token', description: 'the InfluxDB admin token (the same value as in namespace influxdb)', source: influxdbToken() }],
      });
      grafanaEnv = { envValueFrom: { INFLUXDB_TOKEN: { secretKeyRef: token.ref('token') } } };
    }
    new HelmChart(this, 'kube-prometheus-stack', {
      name: 'kube-prometheus-stack',
      chart: CHARTS.kubePrometheusStack,
      // Prometheus' and Alertmanager's volumes are claims of StatefulSets: an uninstall leaves them.
      holdsData: false,
      failurePolicy: 'abort',
      labels,
      values: kubePrometheusStackValues(config, props.namespaces, grafanaEnv),
    });

    for (const d of props.dashboards) {
      new k8s.KubeConfigMap(this, `dashboard-${d.uid}`, {
        metadata: { name: `dashboard-${d.uid}`, labels: { ...labels, grafana_dashboard: '1' }, annotations: { grafana_folder: d.folder } },
        data: { [`${d.uid}.json`]: `${JSON.stringify(d.json, null, 2)}\n` },
      });
    }

    // Prometheus and Alertmanager have no login of their own: people reach them through a proxy with basic auth.
    const auth = new SealedSecret(this, 'ui-basic-auth', {
      catalog,
      component: 'monitoring',
      name: 'monitoring-basic-auth',
      labels,
      keys: [
        { key: 'password', description: 'password of user "monitoring" of the Prometheus and Alertmanager UIs', source: generatedPassword(24) },
        { key: 'auth', description: 'htpasswd line for their proxies', source: htpasswdOf('monitoring') },
      ],
    });
    for (const [name, upstream, health] of [
      ['prometheus', PROMETHEUS_URL, '/-/ready'],
      ['alertmanager', ALERTMANAGER_URL, '/-/ready'],
    ] as const) {
      this.uiProxy(config, name, upstream, health, auth, labels);
    }
    denyAllIngress(this, labels);
    allowAcmeSolver(this, config, labels);
    // Grafana and the UI proxies behind the ingress controller.
    allowIngress(this, 'allow-grafana', { name: 'allow-grafana', podLabels: { 'app.kubernetes.io/name': 'grafana' }, ports: [3000], fromNamespaces: [], fromAllNamespaces: true, labels });
    allowIngress(this, 'allow-ui-proxies', { name: 'allow-ui-proxies', podLabels: { 'mlops-gitops.dev/ui-proxy': 'true' }, ports: [AUTH_PROXY_PORT], fromNamespaces: [], fromAllNamespaces: true, labels });
    // Inside the namespace everything talks (Prometheus scrapes its peers, Grafana queries Prometheus,
    // the proxies reach the UIs); the API server calls the operator's webhook (port 10250).
    new k8s.KubeNetworkPolicy(this, 'allow-same-namespace', {
      metadata: { name: 'allow-same-namespace', labels },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
    });
    // The API server calls the operator's admission webhook from the host network or the control
    // plane's own addresses, which no pod or namespace selector matches: the port, from anywhere.
    new k8s.KubeNetworkPolicy(this, 'allow-webhook', {
      metadata: { name: 'allow-webhook', labels },
      spec: {
        podSelector: { matchLabels: { app: `${RELEASE}-operator` } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(10250) }] }],
      },
    });
  }

  private uiProxy(config: EnvironmentConfig, name: string, upstream: string, health: string, auth: SealedSecret, labels: Record<string, string>): void {
    const podLabels = { 'app.kubernetes.io/name': `${name}-ui`, 'mlops-gitops.dev/ui-proxy': 'true' };
    const proxy = authProxySidecar(this, `${name}-ui-config`, {
      configName: `${name}-ui`,
      labels,
      proxy: { upstreamPort: 0, upstream, realm: name, healthPath: health, maxBodySize: '1m' },
      htpasswd: auth.ref('auth'),
      // The proxy's own liveness: a UI that is down is Prometheus' news, not a reason to restart the proxy.
      probe: { tcpSocket: { port: k8s.IntOrString.fromNumber(AUTH_PROXY_PORT) }, periodSeconds: 10 },
      volumePrefix: '',
    });
    new k8s.KubeDeployment(this, `${name}-ui`, {
      metadata: { name: `${name}-ui`, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...labels, ...podLabels } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { ...POD, runAsUser: NGINX_USER, runAsGroup: NGINX_USER },
            containers: [proxy.container],
            volumes: proxy.volumes,
          },
        },
      },
    });
    new k8s.KubeService(this, `${name}-ui-service`, {
      metadata: { name: `${name}-ui`, labels },
      spec: { selector: podLabels, ports: [{ name: 'proxy', port: AUTH_PROXY_PORT, targetPort: k8s.IntOrString.fromString('proxy') }] },
    });
    tlsIngress(this, `${name}-ingress`, {
      name,
      host: `${name}.${config.domain}`,
      service: `${name}-ui`,
      port: AUTH_PROXY_PORT,
      ingressClass: config.cluster.ingressClass,
      annotations: ingressTlsAnnotations(config),
      labels,
    });
  }
}
