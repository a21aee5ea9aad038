/**
 * Helpers that make cdk8s-plus workloads meet the Pod Security "restricted"
 * level on purpose, instead of relying on cdk8s-plus defaults.
 */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Resources } from '../config/environment';

/** cdk8s-plus container resources from the config's plain quantities. */
export function containerResources(resources: Resources): kplus.ContainerResources {
  return {
    cpu: {
      request: kplus.Cpu.units(cpuUnits(resources.requests.cpu)),
      limit: kplus.Cpu.units(cpuUnits(resources.limits.cpu)),
    },
    memory: {
      request: memorySize(resources.requests.memory),
      limit: memorySize(resources.limits.memory),
    },
  };
}

/** CPUs of a quantity such as `500m` or `2`. */
export function cpuUnits(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

/** GiB of a binary quantity such as `512Mi`. */
export function memoryGi(memory: string): number {
  return memorySize(memory).toMebibytes() / 1024;
}

function memorySize(memory: string): Size {
  const m = /^([0-9]+)(Ki|Mi|Gi|Ti)$/.exec(memory);
  if (!m) throw new Error(`memory "${memory}" is not a binary quantity such as 256Mi`);
  const n = Number(m[1]);
  switch (m[2]) {
    case 'Ki':
      return Size.kibibytes(n);
    case 'Mi':
      return Size.mebibytes(n);
    case 'Gi':
      return Size.gibibytes(n);
    default:
      return Size.tebibytes(n);
  }
}

/**
 * A cdk8s-plus container's security context at the Pod Security restricted
 * level, as the image's own numeric user: no escalation, no capabilities
 * (cdk8s-plus 27 has no ALL member; the level requires exactly "ALL"), a
 * read-only root filesystem.
 */
export function restrictedContainerSecurity(user: number): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group: user,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL' as kplus.Capability] },
  };
}

/**
 * Finishes a cdk8s-plus pod template:
 * - cdk8s-plus 27 has no seccompProfile setting; the restricted level
 *   requires RuntimeDefault (or Localhost), so it is patched in;
 * - cdk8s-plus labels every pod with `cdk8s.io/metadata.addr`, a value
 *   derived from the construct path with a hash. Nothing here selects on it,
 *   and it would differ between the bootstrap copy and the component copy of
 *   the same Deployment, so it is removed.
 */
export function finishPodTemplate(workload: kplus.Deployment | kplus.StatefulSet | kplus.Job): void {
  ApiObject.of(workload).addJsonPatch(
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
  );
}
