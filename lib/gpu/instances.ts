/**
 * What AWS GPU instance types carry, for checking a node pool's `gpuType`
 * and `gpusPerNode` against its `instanceTypes` (the values Karpenter's
 * `karpenter.k8s.aws/instance-gpu-name` and `-gpu-count` labels take).
 * Families not listed here are not checked.
 */

/** GPU model by instance family, as Karpenter names it. */
const GPU_BY_FAMILY: Readonly<Record<string, string>> = {
  g4dn: 't4',
  g5: 'a10g',
  g5g: 't4g',
  g6: 'l4',
  g6e: 'l40s',
  p3: 'v100',
  p3dn: 'v100',
  p4d: 'a100',
  p4de: 'a100',
  p5: 'h100',
};

/** vCPUs, memory (GiB) and GPUs by family and size; sizes not listed are not checked. */
const SHAPE: Readonly<Record<string, Readonly<Record<string, readonly [vcpu: number, memoryGi: number, gpus: number]>>>> = {
  g4dn: { xlarge: [4, 16, 1], '2xlarge': [8, 32, 1], '4xlarge': [16, 64, 1], '8xlarge': [32, 128, 1], '12xlarge': [48, 192, 4], '16xlarge': [64, 256, 1], metal: [96, 384, 8] },
  g5: { xlarge: [4, 16, 1], '2xlarge': [8, 32, 1], '4xlarge': [16, 64, 1], '8xlarge': [32, 128, 1], '12xlarge': [48, 192, 4], '16xlarge': [64, 256, 1], '24xlarge': [96, 384, 4], '48xlarge': [192, 768, 8] },
  g6: { xlarge: [4, 16, 1], '2xlarge': [8, 32, 1], '4xlarge': [16, 64, 1], '8xlarge': [32, 128, 1], '12xlarge': [48, 192, 4], '16xlarge': [64, 256, 1], '24xlarge': [96, 384, 4], '48xlarge': [192, 768, 8] },
  p3: { '2xlarge': [8, 61, 1], '8xlarge': [32, 244, 4], '16xlarge': [64, 488, 8] },
  p4d: { '24xlarge': [96, 1152, 8] },
  p5: { '48xlarge': [192, 2048, 8] },
};

const shapeOf = (instanceType: string) => {
  const [family, size] = instanceType.split('.');
  return SHAPE[family]?.[size];
};

/**
 * What a pod can request on an otherwise idle node of the type, roughly:
 * the kubelet's reservations, eviction threshold and the node's daemons
 * (CNI, kube-proxy, the device plugin) take about half a CPU and 15% of the
 * memory plus half a GiB.
 */
export function allocatable(instanceType: string): { cpu: number; memoryGi: number } | undefined {
  const shape = shapeOf(instanceType);
  return shape ? { cpu: shape[0] - 0.5, memoryGi: Math.floor((shape[1] * 0.85 - 0.5) * 10) / 10 } : undefined;
}

export interface InstanceGpu {
  readonly gpuType?: string;
  readonly gpus?: number;
}

/** The GPU model and count of an instance type, where known. */
export function instanceGpu(instanceType: string): InstanceGpu {
  const gpuType = GPU_BY_FAMILY[instanceType.split('.')[0]];
  const gpus = shapeOf(instanceType)?.[2];
  return { ...(gpuType ? { gpuType } : {}), ...(gpus !== undefined ? { gpus } : {}) };
}
