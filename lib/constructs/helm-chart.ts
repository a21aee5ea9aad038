/**
 * A Helm chart installed by the helm-controller (`helm.cattle.io/v1`
 * HelmChart), plus an optional Argo CD Sync hook that waits for the Helm
 * install job, so the component's Application is healthy only once the chart
 * is really installed.
 */
import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HelmChart as HelmChartCr, HelmChartSpecFailurePolicy } from '../../imports/helmchart-helm.cattle.io';
import { ChartRef, EXACT_VERSION, IMAGES, imageString } from '../config/versions';
import { stableYaml } from '../yaml';
import { HOLDS_DATA_LABEL, KEEP_ON_REMOVAL, syncHook, syncWave } from './labels';
import { installGateProgram } from '../../cluster/install-gate/gate';
import { resourceRequirements, restrictedContainer, restrictedPod } from './pod';

/** How the helm-controller reacts to a failed install or upgrade. */
export type FailurePolicy = 'abort' | 'retry' | 'reinstall';

export interface HelmChartProps {
  /** Release name and HelmChart name. A DNS-1123 label. */
  readonly name: string;
  /** The chart, pinned (see lib/config/versions.ts). */
  readonly chart: ChartRef;
  /** Chart values; written to `valuesContent` as YAML with sorted keys. */
  readonly values: Record<string, unknown>;
  /**
   * Whether uninstalling the release destroys data: its volumes or
   * databases, or CRDs whose objects hold data (an operator's chart, Argo CD,
   * sealed-secrets). Such a release is kept when its Application prunes or
   * deletes it (KEEP_ON_REMOVAL: the helm-controller would otherwise run
   * `helm uninstall`), and may never use `reinstall`, which uninstalls it on
   * a failed upgrade.
   */
  readonly holdsData: boolean;
  /**
   * Chosen on purpose for every chart: `abort` leaves a failed release for a
   * person, `retry` retries on the next change, `reinstall` (the
   * controller's default) uninstalls and installs again.
   */
  readonly failurePolicy: FailurePolicy;
  /**
   * Namespace the release is installed into.
   * @default the chart's namespace
   */
  readonly targetNamespace?: string;
  /**
   * Attempts of the Helm job before it is marked failed.
   * @default 3
   */
  readonly backOffLimit?: number;
  /**
   * Helm `--timeout` for install and upgrade.
   * @default '10m'
   */
  readonly timeout?: string;
  /**
   * Emit an Argo CD Sync hook that waits for the Helm install job to complete.
   * Off in bootstrap folders applied with kubectl, where hooks mean nothing.
   * @default true
   */
  readonly waitForInstall?: boolean;
  /**
   * With the gate: also wait until every Deployment, StatefulSet and
   * DaemonSet of the release is rolled out (an operator's webhook serves
   * before later waves create its custom resources).
   * @default true
   */
  readonly waitForWorkloads?: boolean;
  /** Labels for every object. */
  readonly labels?: Record<string, string>;
  /**
   * Sync wave of the HelmChart CR; its install gate runs in the next wave.
   * Charts of one component that depend on each other take waves 0, 2, 4...
   * @default 0
   */
  readonly wave?: number;
}

/** The gate program's ConfigMap, one per namespace. */
const GATE_PROGRAM = 'install-gate';
const GATE_PROGRAM_ID = 'install-gate-program';
/** Seconds the gate waits beyond Helm's timeout: the controller creating the Job, workloads rolling out. */
const GATE_SLACK_SECONDS = 300;
/** The `node` user of the official node images. */
const NODE_USER = 1000;

const DURATION = /^([0-9]+)(s|m|h)$/;

function seconds(duration: string): number {
  const m = DURATION.exec(duration);
  if (!m) throw new Error(`timeout "${duration}" is not a duration such as 300s, 10m or 1h`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}


/**
 * The helm-controller runs its install Jobs with the `system-cluster-critical`
 * priority class (hard-coded since v0.16.19), and node agents such as the
 * NVIDIA device plugin run `system-node-critical`. GKE, and any cluster whose
 * ResourceQuota admission limits critical priority classes, admits such pods
 * outside kube-system only where a ResourceQuota covering that class exists:
 * one per namespace with HelmCharts, generous, and harmless elsewhere.
 */
function addHelmJobQuota(chart: Chart, labels: Record<string, string>): void {
  oncePerChart(chart, HELM_JOB_QUOTA, () => new k8s.KubeResourceQuota(chart, HELM_JOB_QUOTA, {
    metadata: { name: HELM_JOB_QUOTA, labels, annotations: syncWave(-1) },
    spec: {
      hard: { pods: k8s.Quantity.fromString('1000') },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-cluster-critical', 'system-node-critical'] }] },
    },
  }));
}

/** An object shared by every HelmChart of a chart (namespace), made by the first. */
function oncePerChart(chart: Chart, id: string, make: () => void): void {
  if (!chart.node.tryFindChild(id)) make();
}
const HELM_JOB_QUOTA = 'helm-install-jobs';

export class HelmChart extends Construct {
  /** The HelmChart CR. */
  public readonly resource: ApiObject;
  /** Name of the Job the helm-controller runs to install the chart. */
  public readonly installJobName: string;
  /** Namespace the release is installed into. */
  public readonly targetNamespace: string;

  constructor(scope: Construct, id: string, props: HelmChartProps) {
    super(scope, id);
    const namespace = Chart.of(this).namespace;
    if (!namespace) throw new Error(`HelmChart ${props.name} must be in a chart with a namespace`);
    if (!EXACT_VERSION.test(props.chart.version)) {
      throw new Error(`chart ${props.chart.chart} version "${props.chart.version}" is not an exact version (no ranges, no latest)`);
    }
    if (props.holdsData && props.failurePolicy === 'reinstall') {
      throw new Error(`HelmChart ${props.name} holds data: failurePolicy "reinstall" would delete it on a failed upgrade; use "abort"`);
    }
    const timeout = props.timeout ?? '10m';
    const labels = props.labels ?? {};
    this.targetNamespace = props.targetNamespace ?? namespace;
    this.installJobName = `helm-install-${props.name}`;

    this.resource = new HelmChartCr(this, 'chart', {
      metadata: {
        name: props.name,
        labels: props.holdsData ? { ...labels, [HOLDS_DATA_LABEL]: 'true' } : labels,
        annotations: { ...syncWave(props.wave ?? 0), ...(props.holdsData ? KEEP_ON_REMOVAL : {}) },
      },
      spec: {
        // An OCI registry is named in the chart reference itself (helm install NAME oci://...).
        ...(props.chart.repo.startsWith('oci://') ? { chart: `${props.chart.repo}/${props.chart.chart}` } : { repo: props.chart.repo, chart: props.chart.chart }),
        version: props.chart.version,
        targetNamespace: this.targetNamespace,
        createNamespace: false,
        valuesContent: stableYaml(props.values),
        failurePolicy: props.failurePolicy as HelmChartSpecFailurePolicy,
        backOffLimit: props.backOffLimit ?? 3,
        timeout,
        // No jobImage: the controller that runs this chart (ours, with
        // DEFAULT_JOB_IMAGE, or the one k3s and RKE2 ship) uses the job
        // image it is paired with (lib/config/versions.ts).
      },
    });

    addHelmJobQuota(Chart.of(this), labels);

    if (props.waitForInstall ?? true) {
      if (this.targetNamespace !== namespace) throw new Error(`HelmChart ${props.name}: the install gate needs targetNamespace to be the chart's namespace`);
      this.addInstallGate(props, namespace, seconds(timeout), labels);
    }
  }

  /**
   * A Sync hook Job (wave 1, after the HelmChart in wave 0) that runs the
   * install gate (cluster/install-gate/gate.ts): it passes once Helm's
   * newest release of this chart is deployed with this chart version and
   * these values and carries the install Job's config hash, and, with
   * `waitForWorkloads`, once the release's workloads are rolled out. It fails
   * fast on a failed install. Its ServiceAccount may read this HelmChart,
   * its install Job, the namespace's Helm release Secrets and workloads.
   */
  private addInstallGate(props: HelmChartProps, namespace: string, timeoutSeconds: number, labels: Record<string, string>): void {
    const name = props.name;
    const gate = `${name}-install-gate`;
    // Waiting for the controller to create the Job, then for the workloads to roll out.
    const gateSeconds = timeoutSeconds + GATE_SLACK_SECONDS;
    const chart = Chart.of(this);
    oncePerChart(chart, GATE_PROGRAM_ID, () => new k8s.KubeConfigMap(chart, GATE_PROGRAM_ID, {
      metadata: { name: GATE_PROGRAM, labels, annotations: syncWave(-1) },
      data: { 'gate.js': installGateProgram() },
    }));
    const sa = new k8s.KubeServiceAccount(this, 'gate-sa', {
      metadata: { name: gate, labels },
      automountServiceAccountToken: true,
    });
    const role = new k8s.KubeRole(this, 'gate-role', {
      metadata: { name: gate, labels },
      rules: [
        { apiGroups: ['helm.cattle.io'], resources: ['helmcharts', 'helmchartconfigs'], resourceNames: [name], verbs: ['get'] },
        { apiGroups: ['batch'], resources: ['jobs'], resourceNames: [this.installJobName], verbs: ['get'] },
        // Helm's release records have a name per revision: list, filtered by label.
        { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
        { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['get'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'gate-binding', {
      metadata: { name: gate, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace }],
    });
    new k8s.KubeJob(this, 'gate-job', {
      metadata: { name: gate, labels, annotations: syncHook((props.wave ?? 0) + 1) },
      spec: {
        // The gate retries inside; a failure is the answer, not a flake.
        backoffLimit: 0,
        activeDeadlineSeconds: gateSeconds + 60,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.name,
            restartPolicy: 'Never',
            // The node image's own user.
            securityContext: restrictedPod(NODE_USER),
            containers: [
              {
                name: 'gate',
                image: imageString(IMAGES.installGate),
                command: ['node', `/gate/gate.js`],
                env: [
                  { name: 'GATE_NAMESPACE', value: namespace },
                  { name: 'GATE_CHART', value: name },
                  { name: 'GATE_TARGET_NAMESPACE', value: this.targetNamespace },
                  { name: 'GATE_VERSION', value: props.chart.version },
                  { name: 'GATE_VALUES', value: JSON.stringify(props.values) },
                  { name: 'GATE_TIMEOUT_SECONDS', value: String(gateSeconds) },
                  { name: 'GATE_WAIT_WORKLOADS', value: String(props.waitForWorkloads ?? true) },
                ],
                volumeMounts: [{ name: 'gate', mountPath: '/gate', readOnly: true }],
                resources: resourceRequirements({
                  requests: { cpu: '10m', memory: '48Mi' },
                  limits: { cpu: '200m', memory: '128Mi' },
                }),
                securityContext: restrictedContainer(),
              },
            ],
            volumes: [{ name: 'gate', configMap: { name: GATE_PROGRAM } }],
          },
        },
      },
    });
  }
}
