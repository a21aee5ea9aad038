/**
 * Optional Ray cluster for batch training (`components.ray.training`): the
 * KubeRay operator (HelmChart CR) and one RayCluster whose head runs on CPU
 * nodes and whose GPU worker group is placed on a GPU pool by the placement
 * construct, from zero workers up to `maxWorkers` (Ray's autoscaler).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentConfig, Resources } from '../config/environment';
import { CHARTS, IMAGES, ImageRef, imageString } from '../config/versions';
import { ComponentChart, Tier } from '../constructs/component';
import { HelmChart } from '../constructs/helm-chart';
import { MlflowHandle } from '../data/handles';
import { NO_GPU, place, Placement, TRAINING_PRIORITY_CLASS } from '../gpu/placement';

export const KUBERAY_NAMESPACE = 'kuberay';
export const RAY_NAMESPACE = 'ray';
/** The rayproject/ray images' user. */
const RAY_UID = 1000;

export class KubeRayOperatorChart extends ComponentChart {
  constructor(scope: Construct) {
    super(scope, { name: 'kuberay-operator', namespace: KUBERAY_NAMESPACE, tier: Tier.CONTROLLERS, waveOffset: 4 });
    new HelmChart(this, 'kuberay-operator', {
      name: 'kuberay-operator',
      chart: CHARTS.kuberayOperator,
      // Uninstalling removes the CRDs and every Ray cluster with them.
      holdsData: true,
      failurePolicy: 'abort',
      labels: this.objectLabels(),
      values: {
        image: { repository: IMAGES.kuberayOperator.repository, tag: IMAGES.kuberayOperator.tag },
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      },
    });
  }
}

/** An environment variable of a Ray container: a value, or a key of a Secret. */
export type RayEnv = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

/** A Ray head or worker container: requests equal to limits, the GPU limit of its placement, Ray's scratch volumes. */
export function rayContainer(name: string, image: ImageRef, resources: Resources, placement: Placement, env: readonly RayEnv[]) {
  return {
    name,
    image: imageString(image),
    imagePullPolicy: 'IfNotPresent',
    env: [...env],
    // Requests equal to limits: the scheduler reserves what Ray plans with, and the pod is never
    // the first evicted under memory pressure (Guaranteed QoS).
    resources: {
      requests: { cpu: resources.limits.cpu, memory: resources.limits.memory, ...placement.limits },
      limits: { cpu: resources.limits.cpu, memory: resources.limits.memory, ...placement.limits },
    },
    // Ray writes sessions, spill files and caches under its home and /tmp/ray: the root filesystem stays writable.
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      // Named ray-logs: the autoscaler sidecar KubeRay injects mounts the volume of that name, to read the head's logs.
      { name: 'ray-logs', mountPath: '/tmp/ray' },
      { name: 'shm', mountPath: '/dev/shm' },
    ],
  };
}

export interface RayPodOptions {
  /** @default none (the namespace's default ServiceAccount) */
  readonly serviceAccountName?: string;
  /** Pod labels. @default none */
  readonly labels?: Record<string, string>;
  /** GPU pods below every platform pod (training). @default false */
  readonly trainingPriority?: boolean;
}

/** A Ray pod template: the placement's selector and tolerations, Ray's user, shared memory for the object store. */
export function rayPodTemplate(container: ReturnType<typeof rayContainer>, placement: Placement, shm: string, options: RayPodOptions = {}) {
  const annotations = placement.pool ? { 'karpenter.sh/do-not-disrupt': 'true' } : undefined;
  return {
    // Karpenter never moves a GPU worker off its node (consolidation, drift): that would kill the work.
    // The head is not pinned: it would keep a CPU node from ever being consolidated or drained.
    ...(annotations || options.labels ? { metadata: { ...(options.labels ? { labels: { ...options.labels } } : {}), ...(annotations ? { annotations } : {}) } } : {}),
    spec: {
      // GPU workers that train: below every platform pod. The head coordinates and keeps the default priority.
      ...(placement.pool && options.trainingPriority ? { priorityClassName: TRAINING_PRIORITY_CLASS } : {}),
      ...(options.serviceAccountName ? { serviceAccountName: options.serviceAccountName } : {}),
      securityContext: { runAsNonRoot: true, runAsUser: RAY_UID, runAsGroup: 100, fsGroup: 100, seccompProfile: { type: 'RuntimeDefault' } },
      ...(Object.keys(placement.nodeSelector).length ? { nodeSelector: { ...placement.nodeSelector } } : {}),
      ...(placement.tolerations.length ? { tolerations: placement.tolerations.map((t) => ({ ...t })) } : {}),
      containers: [container],
      volumes: [
        { name: 'ray-logs', emptyDir: {} },
        // Ray's object store lives in shared memory.
        { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: shm } },
      ],
    },
  };
}

/**
 * A RayCluster spec with Ray's autoscaler: a head that takes no work itself
 * (`num-cpus: 0`, no GPU) and worker groups the autoscaler sizes from
 * `minReplicas` (no `replicas`: the autoscaler owns them).
 */
export function autoscaledRayCluster(head: ReturnType<typeof rayPodTemplate>, workerGroups: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    rayVersion: IMAGES.rayHead.tag.split('-')[0],
    enableInTreeAutoscaling: true,
    autoscalerOptions: {
      idleTimeoutSeconds: 300,
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
    headGroupSpec: { rayStartParams: { 'num-cpus': '0', 'dashboard-host': '0.0.0.0' }, template: head },
    workerGroupSpecs: [...workerGroups],
  };
}

export class RayTrainingChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, mlflow: MlflowHandle | undefined) {
    super(scope, {
      name: 'ray',
      namespace: RAY_NAMESPACE,
      tier: Tier.WORKLOADS,
      podSecurity: 'baseline',
      podSecurityReason: 'KubeRay injects the autoscaler sidecar without the security context the restricted level requires; warn and audit stay at restricted',
      // Ray's autoscaler sets the worker groups' replicas (and the workers to delete): Argo CD's
      // self-heal must not reset them (kuberay#1120; Ray's "Deploying Ray Clusters via ArgoCD").
      // A change of the RayCluster in git still resets them (the array is applied whole): KubeRay
      // then lets the autoscaler scale up again rather than deleting busy workers.
      ignoreDifferences: [
        { group: 'ray.io', kind: 'RayCluster', jqPathExpressions: ['.spec.workerGroupSpecs[].replicas', '.spec.workerGroupSpecs[].scaleStrategy'] },
      ],
    });
    const training = config.components.ray.training;
    const gpu = place(config.nodePools, training.gpu);
    const env = mlflow ? [{ name: 'MLFLOW_TRACKING_URI', value: mlflow.trackingUri }] : [];
    new ApiObject(this, 'cluster', {
      // The imported RayCluster class is 1.5 MB of generated code; only its kind is needed here.
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      metadata: { name: 'training', labels: this.objectLabels() },
      // The head schedules work; it takes none itself and needs no GPU.
      spec: autoscaledRayCluster(rayPodTemplate(rayContainer('ray-head', IMAGES.rayHead, training.headResources, NO_GPU, env), NO_GPU, '1Gi'), [
        {
          groupName: `gpu-${gpu.pool!.name}`,
          minReplicas: 0,
          maxReplicas: training.maxWorkers,
          rayStartParams: {},
          template: rayPodTemplate(rayContainer('ray-worker', IMAGES.rayGpu, training.workerResources, gpu, env), gpu, '4Gi', { trainingPriority: true }),
        },
      ]),
    });
  }
}
