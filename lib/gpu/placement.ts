/**
 * One place decides where a workload runs. A workload that asks for GPUs
 * gets its pool's nodeSelector, a toleration for each of the pool's taints
 * and a GPU limit; a workload that asks for none gets neither, so it never
 * lands on a GPU node (whose taint it does not tolerate).
 *
 * Pools are selected by labels the autoscaler knows before a node exists,
 * never by labels GPU feature discovery sets later, so a pending pod makes
 * the autoscaler scale a pool up from zero.
 */
import { GpuRequest, NodePoolConfig, Taint } from '../config/environment';

export interface Toleration {
  readonly key: string;
  readonly operator: 'Equal' | 'Exists';
  readonly value?: string;
  readonly effect: Taint['effect'];
}

export interface Placement {
  /** The pool chosen, if any. */
  readonly pool?: NodePoolConfig;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  /** Extra container limits, e.g. `{ 'nvidia.com/gpu': '1' }`. */
  readonly limits: Readonly<Record<string, string>>;
}

export const NO_GPU: Placement = { nodeSelector: {}, tolerations: [], limits: {} };

/**
 * The PriorityClass of training pods (GPU workloads): below every platform
 * pod (which keep the default priority 0), so the scheduler preempts
 * training, never a database or a controller, when the cluster is full; and
 * with `preemptionPolicy: Never`, so training never preempts anything.
 * Emitted by the gpu component, which every environment with GPU pools has.
 */
export const TRAINING_PRIORITY_CLASS = 'mlops-training';
export const TRAINING_PRIORITY = -100;

/** A toleration that matches exactly one taint. */
export function tolerationFor(taint: Taint): Toleration {
  return taint.value !== undefined
    ? { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect }
    : { key: taint.key, operator: 'Exists', effect: taint.effect };
}

/** Why a request cannot be placed, or undefined. */
export function placementError(pools: readonly NodePoolConfig[], request: GpuRequest): string | undefined {
  const gpuPools = pools.filter((p) => p.kind === 'gpu');
  if (gpuPools.length === 0) return 'asks for a GPU, but the environment has no GPU node pool (add one to nodePools with kind: gpu)';
  if (request.pool !== undefined) {
    const pool = pools.find((p) => p.name === request.pool);
    if (!pool) return `names node pool "${request.pool}", which does not exist (pools: ${pools.map((p) => p.name).join(', ')})`;
    if (pool.kind !== 'gpu') return `names node pool "${request.pool}", which has no GPUs (kind: cpu)`;
    if (request.gpuType !== undefined && pool.gpuType !== request.gpuType) {
      return `asks for GPU type "${request.gpuType}", but pool "${pool.name}" offers ${pool.gpuType ? `"${pool.gpuType}"` : 'no declared type'}`;
    }
    if (request.gpus > pool.gpusPerNode) return `asks for ${request.gpus} GPUs, but nodes of pool "${pool.name}" have ${pool.gpusPerNode}`;
    return undefined;
  }
  const candidates = gpuPools.filter((p) => request.gpuType === undefined || p.gpuType === request.gpuType);
  if (candidates.length === 0) {
    const offered = [...new Set(gpuPools.flatMap((p) => (p.gpuType ? [p.gpuType] : [])))];
    return `asks for GPU type "${request.gpuType}", which no GPU pool offers (offered: ${offered.length ? offered.join(', ') : 'none declared'})`;
  }
  if (!candidates.some((p) => p.gpusPerNode >= request.gpus)) return `asks for ${request.gpus} GPUs, more than any matching pool's nodes have`;
  return undefined;
}

/**
 * Places a workload. Without a request: no selector, no toleration, no GPU.
 * Throws on a request that cannot be placed (the config loader reports the
 * same with file and line before any component runs).
 */
export function place(pools: readonly NodePoolConfig[], request?: GpuRequest): Placement {
  if (!request) return NO_GPU;
  const error = placementError(pools, request);
  if (error) throw new Error(`GPU request ${error}`);
  const pool =
    pools.find((p) => p.name === request.pool) ??
    pools.find((p) => p.kind === 'gpu' && (request.gpuType === undefined || p.gpuType === request.gpuType) && p.gpusPerNode >= request.gpus)!;
  return {
    pool,
    nodeSelector: { ...pool.labels },
    tolerations: pool.taints.map(tolerationFor),
    limits: { [pool.gpuResource]: String(request.gpus) },
  };
}
