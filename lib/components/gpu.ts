/**
 * GPUs for the cluster: the NVIDIA device plugin (or the GPU operator, by
 * config) as a HelmChart CR that runs only on GPU pools (their labels, their
 * taints tolerated), and, with Karpenter, one NodePool per node pool that
 * scales GPU nodes to zero when they are empty.
 */
import { Construct } from 'constructs';
import {
  NodePool,
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecLimits,
  NodePoolSpecTemplateSpecRequirementsOperator,
  NodePoolSpecTemplateSpecTaintsEffect,
} from '../../imports/karpenter-nodepool-karpenter.sh';
import { EnvironmentConfig, NodePoolConfig, monitorsOn } from '../config/environment';
import { CHARTS, IMAGES } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { stableYaml } from '../yaml';
import { tolerationFor, TRAINING_PRIORITY, TRAINING_PRIORITY_CLASS } from '../gpu/placement';
import { k8s } from 'cdk8s-plus-27';

export const GPU_NAMESPACE = 'gpu';
export const NODE_POOLS_NAMESPACE = 'node-pools';

/** Node affinity that matches any GPU pool (all labels of one pool). */
/**
 * The device plugin's time-slicing config: each GPU advertised as `replicas`
 * GPUs of the same resource name, and a request for more than one refused
 * (slices of one GPU are no faster than one).
 */
export function timeSlicingConfig(pools: readonly NodePoolConfig[], replicas: number): string {
  const resources = [...new Set(pools.map((p) => p.gpuResource))].sort();
  return stableYaml({
    version: 'v1',
    sharing: { timeSlicing: { renameByDefault: false, failRequestsGreaterThanOne: true, resources: resources.map((name) => ({ name, replicas })) } },
  });
}

function gpuPoolAffinity(pools: readonly NodePoolConfig[]) {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: pools.map((p) => ({
          matchExpressions: Object.entries(p.labels)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, value]) => ({ key, operator: 'In', values: [value] })),
        })),
      },
    },
  };
}

export class GpuChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, {
      name: 'gpu',
      namespace: GPU_NAMESPACE,
      tier: Tier.CONTROLLERS,
      waveOffset: 3,
      podSecurity: 'privileged',
      podSecurityReason: 'the device plugin mounts the kubelet device-plugin socket (hostPath); the GPU operator also installs drivers on the host',
    });
    new k8s.KubePriorityClass(this, 'training-priority', {
      metadata: { name: TRAINING_PRIORITY_CLASS, labels: this.objectLabels() },
      value: TRAINING_PRIORITY,
      preemptionPolicy: 'Never',
      globalDefault: false,
      description: 'mlops-gitops training pods (Ray GPU workers, Airflow GPU tasks): preempted before any platform pod, never preempting one',
    });
    const pools = config.nodePools.filter((p) => p.kind === 'gpu');
    const gpu = config.gpu;
    const sharing = gpu.timeSlicingReplicas > 1 ? timeSlicingConfig(pools, gpu.timeSlicingReplicas) : undefined;
    const tolerations = [...new Map(pools.flatMap((p) => p.taints.map(tolerationFor)).map((t) => [JSON.stringify(t), t])).values()];
    const labels = this.objectLabels();
    if (config.gpuPlugin === 'device-plugin') {
      new HelmChart(this, 'device-plugin', {
        name: 'nvidia-device-plugin',
        chart: CHARTS.nvidiaDevicePlugin,
        holdsData: false,
        failurePolicy: 'retry',
        labels,
        values: {
          image: { repository: IMAGES.nvidiaDevicePlugin.repository, tag: IMAGES.nvidiaDevicePlugin.tag },
          // Only GPU pools, selected by the labels the autoscaler sets, not by feature discovery.
          affinity: gpuPoolAffinity(pools),
          tolerations,
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
          ...(sharing ? { config: { map: { default: sharing }, default: 'default' } } : {}),
          // GPU feature discovery labels GPU nodes (nvidia.com/gpu.product, .memory, .replicas, ...) through
          // node-feature-discovery, whose workers must tolerate the pools' taints to run there.
          gfd: { enabled: gpu.featureDiscovery },
          nfd: gpu.featureDiscovery
            ? {
                enabled: true,
                // The NFD chart's own limits (memory grows with the number of nodes), with small requests.
                worker: { tolerations, resources: { requests: { cpu: '5m', memory: '64Mi' }, limits: { cpu: '200m', memory: '512Mi' } } },
                master: { resources: { requests: { cpu: '10m', memory: '128Mi' }, limits: { cpu: '500m', memory: '4Gi' } } },
                gc: { resources: { requests: { cpu: '10m', memory: '128Mi' }, limits: { cpu: '200m', memory: '1Gi' } } },
              }
            : { enabled: false },
        },
      });
      if (gpu.metrics) {
        new HelmChart(this, 'dcgm-exporter', {
          name: 'dcgm-exporter',
          chart: CHARTS.dcgmExporter,
          holdsData: false,
          failurePolicy: 'retry',
          labels,
          values: {
            image: { repository: IMAGES.dcgmExporter.repository, tag: IMAGES.dcgmExporter.tag },
            // Metrics are not critical to a node: no system priority (the chart's default is system-node-critical).
            priorityClassName: '',
            affinity: gpuPoolAffinity(pools),
            tolerations,
            // The chart's defaults: root with SYS_ADMIN, which the profiling metrics (DCGM_FI_PROF_*, GPU
            // utilisation per engine) need; nothing else. The namespace is privileged for the device plugin.
            securityContext: { runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { add: ['SYS_ADMIN'], drop: ['ALL'] } },
            podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '512Mi' } },
            // Its ServiceMonitor needs the Prometheus Operator's CRDs (monitoring, or cluster.prometheusOperator).
            serviceMonitor: { enabled: monitorsOn(config), interval: '15s' },
          },
        });
      }
    } else {
      new HelmChart(this, 'gpu-operator', {
        name: 'gpu-operator',
        chart: CHARTS.gpuOperator,
        // Drivers on the nodes; an uninstall during a failed upgrade would take them away.
        holdsData: true,
        failurePolicy: 'abort',
        timeout: '20m',
        labels,
        values: {
          // The chart's own version is a placeholder at the tag; pin the operator explicitly.
          operator: { version: CHARTS.gpuOperator.appVersion },
          daemonsets: { tolerations },
          // The operator finds GPU nodes by node-feature-discovery's labels: it stays on.
          'node-feature-discovery': { worker: { tolerations } },
          gfd: { enabled: gpu.featureDiscovery },
          dcgmExporter: { enabled: gpu.metrics, serviceMonitor: { enabled: monitorsOn(config), interval: '15s' } },
          ...(sharing ? { devicePlugin: { config: { create: true, name: 'time-slicing', default: 'default', data: { default: sharing } } } } : {}),
        },
      });
    }
  }
}

/**
 * Karpenter NodePools: labels and taints known before a node exists, the
 * GPU model, node and GPU limits, and disruption that never interrupts
 * training on a GPU pool: only empty GPU nodes are consolidated, and they do
 * not expire (Karpenter v1 expires nodes forcefully, whatever the pods say).
 */
export class NodePoolsChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, { name: 'node-pools', namespace: NODE_POOLS_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 3 });
    for (const pool of config.nodePools) {
      new NodePool(this, pool.name, {
        metadata: { name: pool.name, labels: this.objectLabels() },
        spec: {
          template: {
            metadata: { labels: { ...pool.labels } },
            spec: {
              nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: config.cluster.karpenterNodeClass },
              requirements: [
                { key: 'kubernetes.io/os', operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: ['linux'] },
                { key: 'karpenter.sh/capacity-type', operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: ['on-demand'] },
                ...(pool.instanceTypes
                  ? [{ key: 'node.kubernetes.io/instance-type', operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: [...pool.instanceTypes] }]
                  : []),
                // The GPU model, whatever instance types Karpenter may pick.
                ...(pool.kind === 'gpu' && pool.gpuType
                  ? [{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: [pool.gpuType] }]
                  : []),
              ],
              ...(pool.kind === 'gpu' ? { expireAfter: 'Never' } : {}),
              taints: pool.taints.map((t) => ({
                key: t.key,
                ...(t.value !== undefined ? { value: t.value } : {}),
                effect: t.effect as NodePoolSpecTemplateSpecTaintsEffect,
              })),
            },
          },
          // maxNodes for every pool; a GPU pool also at maxNodes nodes of gpusPerNode GPUs.
          limits: {
            nodes: NodePoolSpecLimits.fromString(String(pool.maxNodes)),
            ...(pool.kind === 'gpu' ? { [pool.gpuResource]: NodePoolSpecLimits.fromString(String(pool.maxNodes * pool.gpusPerNode)) } : {}),
          },
          disruption:
            pool.kind === 'gpu'
              ? // Only empty GPU nodes go, quickly: the pool scales to zero, and no running training is moved.
                { consolidationPolicy: NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY, consolidateAfter: '5m' }
              : { consolidationPolicy: NodePoolSpecDisruptionConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED, consolidateAfter: '15m' },
        },
      });
    }
  }
}

/** The node label by which cluster-autoscaler (AWS) knows a node has GPUs. */
export const ACCELERATOR_LABEL = 'k8s.amazonaws.com/accelerator';

/** The accelerator label's value for a GPU pool. */
export function acceleratorOf(pool: NodePoolConfig): string {
  return `nvidia-${pool.gpuType ?? 'gpu'}`;
}

/**
 * For cluster-autoscaler: the node-group tags that let it scale each pool
 * from zero (it must know labels, taints and GPUs before a node exists).
 */
export function nodeGroupTagsMarkdown(config: EnvironmentConfig): string {
  const lines = [
    `# Node groups of environment ${config.name}`,
    '',
    'Generated by mlops-gitops. cluster-autoscaler scales a node group from zero only if the group tells it,',
    'before any node exists, which labels, taints and GPUs its nodes will have. Set these tags on each',
    'node group (for example the AWS Auto Scaling group of an EKS managed node group), and its size limits.',
    '',
    'The tags only describe the nodes: the node group itself must apply the same labels and taints to the',
    'nodes it starts (EKS managed node group `labels` and `taints`, or the kubelet\'s `--node-labels` and',
    '`--register-with-taints`). GPU groups also label their nodes `k8s.amazonaws.com/accelerator`: with it,',
    'cluster-autoscaler waits for a new node\'s GPUs to become allocatable instead of adding more nodes.',
    '',
    '| node pool | min | max | tag | value |',
    '|---|---|---|---|---|',
  ];
  for (const pool of config.nodePools) {
    const labels: Record<string, string> = { ...pool.labels, ...(pool.kind === 'gpu' ? { [ACCELERATOR_LABEL]: acceleratorOf(pool) } : {}) };
    const tags: [string, string][] = [
      ['k8s.io/cluster-autoscaler/enabled', 'true'],
      [`k8s.io/cluster-autoscaler/${config.cluster.name}`, 'owned'],
      ...Object.entries(labels).map(([k, v]): [string, string] => [`k8s.io/cluster-autoscaler/node-template/label/${k}`, v]),
      ...pool.taints.map((t): [string, string] => [`k8s.io/cluster-autoscaler/node-template/taint/${t.key}`, `${t.value ?? ''}:${t.effect}`]),
      // With time-slicing a node advertises each GPU as that many.
      ...(pool.kind === 'gpu'
        ? [[`k8s.io/cluster-autoscaler/node-template/resources/${pool.gpuResource}`, String(pool.gpusPerNode * config.gpu.timeSlicingReplicas)] as [string, string]]
        : []),
    ];
    for (const [tag, value] of tags) lines.push(`| ${pool.name} | ${pool.minNodes} | ${pool.maxNodes} | \`${tag}\` | \`${value}\` |`);
  }
  return `${lines.join('\n')}\n`;
}
