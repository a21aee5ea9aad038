/** Finds the pod specs inside resolved Kubernetes objects. */

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly resources?: { readonly requests?: Record<string, unknown>; readonly limits?: Record<string, unknown> };
  readonly securityContext?: Record<string, unknown>;
}

export interface PodSpec {
  /**
   * The pod is built by an operator from this template (an InferenceService
   * predictor, a SeldonDeployment component): a container without an image
   * gets the image of the runtime the operator pins.
   */
  readonly operatorImages?: boolean;
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly securityContext?: Record<string, unknown>;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: readonly Record<string, unknown>[];
}

type Json = Record<string, unknown>;

function at(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Json)[p] : undefined;
  return cur;
}

type RayClusterSpec = { headGroupSpec?: { template?: { spec?: PodSpec } }; workerGroupSpecs?: { template?: { spec?: PodSpec } }[] };

function rayPodSpecs(spec: RayClusterSpec | undefined): PodSpec[] {
  return [spec?.headGroupSpec?.template?.spec, ...(spec?.workerGroupSpecs ?? []).map((w) => w.template?.spec)].filter((x): x is PodSpec => x !== undefined);
}

/**
 * Every pod spec of an object: a workload's template, the head and worker
 * templates of a RayCluster or a RayService, the predictor of a KServe
 * InferenceService (its pod fields, with the model container), or the
 * component specs of a SeldonDeployment.
 */
export function podSpecsOf(obj: K8sObject): PodSpec[] {
  if (obj.kind === 'RayCluster') return rayPodSpecs(obj.spec as RayClusterSpec);
  if (obj.kind === 'RayService') return rayPodSpecs((obj.spec as { rayClusterConfig?: RayClusterSpec } | undefined)?.rayClusterConfig);
  if (obj.kind === 'InferenceService') {
    const predictor = (obj.spec as { predictor?: PodSpec & { model?: Container } } | undefined)?.predictor;
    if (!predictor) return [];
    const { model, ...pod } = predictor;
    return [{ ...pod, operatorImages: true, containers: [...(model ? [{ ...model, name: model.name ?? 'kserve-container' }] : []), ...(pod.containers ?? [])] }];
  }
  // ECK: the pod templates of Elasticsearch node sets, Kibana, Logstash and Beats; the operator supplies images.
  if (obj.kind === 'Elasticsearch') {
    const sets = ((obj.spec as { nodeSets?: { podTemplate?: { spec?: PodSpec } }[] } | undefined)?.nodeSets ?? []);
    return sets.flatMap((s) => (s.podTemplate?.spec ? [{ ...s.podTemplate.spec, operatorImages: true }] : []));
  }
  if (obj.kind === 'Kibana' || obj.kind === 'Logstash') {
    const spec = (obj.spec as { podTemplate?: { spec?: PodSpec } } | undefined)?.podTemplate?.spec;
    return spec ? [{ ...spec, operatorImages: true }] : [];
  }
  if (obj.kind === 'Beat') {
    const b = obj.spec as { daemonSet?: { podTemplate?: { spec?: PodSpec } }; deployment?: { podTemplate?: { spec?: PodSpec } } } | undefined;
    const spec = b?.daemonSet?.podTemplate?.spec ?? b?.deployment?.podTemplate?.spec;
    return spec ? [{ ...spec, operatorImages: true }] : [];
  }
  if (obj.kind === 'SeldonDeployment') {
    const predictors = ((obj.spec as { predictors?: { componentSpecs?: { spec?: PodSpec }[] }[] } | undefined)?.predictors ?? []);
    return predictors.flatMap((p) => (p.componentSpecs ?? []).flatMap((c) => (c.spec ? [{ ...c.spec, operatorImages: true }] : [])));
  }
  const one = podSpecOf(obj);
  return one ? [one] : [];
}

/** The pod spec of a workload object, or undefined for other kinds. */
export function podSpecOf(obj: K8sObject): PodSpec | undefined {
  switch (obj.kind) {
    case 'Pod':
      return at(obj, 'spec') as PodSpec | undefined;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return at(obj, 'spec', 'template', 'spec') as PodSpec | undefined;
    case 'CronJob':
      return at(obj, 'spec', 'jobTemplate', 'spec', 'template', 'spec') as PodSpec | undefined;
    default:
      return undefined;
  }
}

/** Every container of a pod spec, init containers included. */
export function containersOf(spec: PodSpec): readonly Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** `Kind/namespace/name` for messages. */
export function objectId(obj: K8sObject): string {
  return `${obj.kind}/${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
}
