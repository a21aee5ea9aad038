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
import { syncHook, syncWave } from './labels';
import { resourceRequirements, restrictedContainer, restrictedPod, scratchVolume } from './pod';

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
   * Whether the release holds data (volumes, databases). Such a release may
   * never use `reinstall`, which uninstalls it, and its volumes, on failure.
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
  /** Labels for every object. */
  readonly labels?: Record<string, string>;
}

const DURATION = /^([0-9]+)(s|m|h)$/;

function seconds(duration: string): number {
  const m = DURATION.exec(duration);
  if (!m) throw new Error(`timeout "${duration}" is not a duration such as 300s, 10m or 1h`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}


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
      metadata: { name: props.name, labels, annotations: syncWave(0) },
      spec: {
        repo: props.chart.repo,
        chart: props.chart.chart,
        version: props.chart.version,
        targetNamespace: this.targetNamespace,
        createNamespace: false,
        valuesContent: stableYaml(props.values),
        failurePolicy: props.failurePolicy as HelmChartSpecFailurePolicy,
        backOffLimit: props.backOffLimit ?? 3,
        timeout,
        jobImage: imageString(IMAGES.klipperHelm),
      },
    });

    if (props.waitForInstall ?? true) {
      this.addInstallGate(props.name, namespace, seconds(timeout), labels);
    }
  }

  /**
   * A Sync hook Job (wave 1, after the HelmChart in wave 0) that waits for the
   * helm-controller's install Job. Its ServiceAccount may only read Jobs in
   * this namespace.
   */
  private addInstallGate(name: string, namespace: string, timeoutSeconds: number, labels: Record<string, string>): void {
    const gate = `${name}-install-gate`;
    const sa = new k8s.KubeServiceAccount(this, 'gate-sa', {
      metadata: { name: gate, labels },
      automountServiceAccountToken: true,
    });
    const role = new k8s.KubeRole(this, 'gate-role', {
      metadata: { name: gate, labels },
      rules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }],
    });
    new k8s.KubeRoleBinding(this, 'gate-binding', {
      metadata: { name: gate, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace }],
    });
    new k8s.KubeJob(this, 'gate-job', {
      metadata: {
        name: gate,
        labels,
        annotations: syncHook(1),
      },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: timeoutSeconds + 300,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: sa.name,
            restartPolicy: 'Never',
            // The kubectl image is distroless; 65532 is its conventional nonroot user.
            securityContext: restrictedPod(65532),
            containers: [
              {
                name: 'wait',
                image: imageString(IMAGES.kubectl),
                args: [
                  'wait',
                  '--for=condition=complete',
                  `job/${this.installJobName}`,
                  `--namespace=${namespace}`,
                  `--timeout=${timeoutSeconds}s`,
                ],
                // kubectl writes its discovery cache under $HOME.
                env: [{ name: 'HOME', value: '/tmp' }],
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                resources: resourceRequirements({
                  requests: { cpu: '10m', memory: '32Mi' },
                  limits: { cpu: '100m', memory: '64Mi' },
                }),
                securityContext: restrictedContainer(),
              },
            ],
            volumes: [scratchVolume('tmp', '16Mi')],
          },
        },
      },
    });
  }
}
