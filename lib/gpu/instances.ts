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

/** GPUs per instance by family and size; sizes not listed are not checked. */
const GPUS_BY_SIZE: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  g4dn: { xlarge: 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '16xlarge': 1, '12xlarge': 4, metal: 8 },
  g5: { xlarge: 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '16xlarge': 1, '12xlarge': 4, '24xlarge': 4, '48xlarge': 8 },
  g6: { xlarge: 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '16xlarge': 1, '12xlarge': 4, '24xlarge': 4, '48xlarge': 8 },
  p3: { '2xlarge': 1, '8xlarge': 4, '16xlarge': 8 },
  p4d: { '24xlarge': 8 },
  p5: { '48xlarge': 8 },
};

/** vCPUs and memory (GiB) by family and size, for the sizes above. */
const SHAPE: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> = {
  g4dn: { xlarge: [4, 16], '2xlarge': [8, 32], '4xlarge': [16, 64], '8xlarge': [32, 128], '12xlarge': [48, 192], '16xlarge': [64, 256], metal: [96, 384] },
  g5: { xlarge: [4, 16], '2xlarge': [8, 32], '4xlarge': [16, 64], '8xlarge': [32, 128], '12xlarge': [48, 192], '16xlarge': [64, 256], '24xlarge': [96, 384], '48xlarge': [192, 768] },
  g6: { xlarge: [4, 16], '2xlarge': [8, 32], '4xlarge': [16, 64], '8xlarge': [32, 128], '12xlarge': [48, 192], '16xlarge': [64, 256], '24xlarge': [96, 384], '48xlarge': [192, 768] },
  p3: { '2xlarge': [8, 61], '8xlarge': [32, 244], '16xlarge': [64, 488] },
  p4d: { '24xlarge': [96, 1152] },
  p5: { '48xlarge': [192, 2048] },
};

/**
 * What a pod can request on an otherwise idle node of the type, roughly:
 * the kubelet's reservations, eviction threshold and the node's daemons
 * (CNI, kube-proxy, the device plugin) take about half a CPU and 15% of the
 * memory plus half a GiB.
 */
export function allocatable(instanceType: string): { cpu: number; memoryGi: number } | undefined {
  const [family, size] = instanceType.split('.');
  const shape = SHAPE[family]?.[size];
  return shape ? { cpu: shape[0] - 0.5, memoryGi: Math.floor((shape[1] * 0.85 - 0.5) * 10) / 10 } : undefined;
}

export interface InstanceGpu {
  readonly gpuType?: string;
  readonly gpus?: number;
}

/** The GPU model and count of an instance type, where known. */
export function instanceGpu(instanceType: string): InstanceGpu {
  const [family, size] = instanceType.split('.');
  const gpuType = GPU_BY_FAMILY[family];
  const gpus = GPUS_BY_SIZE[family]?.[size];
  return { ...(gpuType ? { gpuType } : {}), ...(gpus !== undefined ? { gpus } : {}) };
}
