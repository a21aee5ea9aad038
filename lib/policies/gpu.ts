/**
 * GPU placement policy, over every pod template in dist/: a pod that limits
 * a GPU resource selects a GPU pool (all of that pool's labels) and tolerates
 * each of its taints; a pod without a GPU limit tolerates no GPU pool taint,
 * so nothing else lands on GPU nodes.
 */
import type { NodePoolConfig, Taint } from '../config/environment';
import { containersOf, PodSpec } from './pod-specs';

interface TolerationLike {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

function tolerates(tolerations: readonly TolerationLike[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
    if (t.key === undefined || t.key === '') return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

/** Taints that keep pods off a pool. */
const blocking = (pool: NodePoolConfig) => pool.taints.filter((t) => t.effect !== 'PreferNoSchedule');

export function gpuPlacementProblems(pod: PodSpec, pools: readonly NodePoolConfig[]): string[] {
  const gpuPools = pools.filter((p) => p.kind === 'gpu');
  const gpuResources = new Set(['nvidia.com/gpu', ...gpuPools.map((p) => p.gpuResource)]);
  const tolerations = (pod.tolerations ?? []) as readonly TolerationLike[];
  const selector = pod.nodeSelector ?? {};
  const usesGpu = containersOf(pod).some((c) => Object.keys(c.resources?.limits ?? {}).some((r) => gpuResources.has(r)));
  if (usesGpu) {
    const fits = gpuPools.some(
      (p) => Object.entries(p.labels).every(([k, v]) => selector[k] === v) && blocking(p).every((t) => tolerates(tolerations, t)),
    );
    return fits
      ? []
      : [
          gpuPools.length === 0
            ? 'limits a GPU, but the environment has no GPU node pool'
            : 'limits a GPU but does not select a GPU pool (all its labels) and tolerate its taints: use the placement of lib/gpu/placement.ts',
        ];
  }
  const squatting = gpuPools.filter((p) => blocking(p).some((t) => tolerates(tolerations, t)));
  return squatting.map((p) => `has no GPU limit but tolerates the taints of GPU pool "${p.name}"`);
}
