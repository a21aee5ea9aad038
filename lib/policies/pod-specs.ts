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

/**
 * Every pod spec of an object: a workload's template, or the head and worker
 * templates of a RayCluster.
 */
export function podSpecsOf(obj: K8sObject): PodSpec[] {
  if (obj.kind === 'RayCluster') {
    const spec = (obj.spec ?? {}) as { headGroupSpec?: { template?: { spec?: PodSpec } }; workerGroupSpecs?: { template?: { spec?: PodSpec } }[] };
    return [spec.headGroupSpec?.template?.spec, ...(spec.workerGroupSpecs ?? []).map((w) => w.template?.spec)].filter(
      (x): x is PodSpec => x !== undefined,
    );
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
