/**
 * Pod and container settings for workloads written with the plain
 * Kubernetes types (k8s.Kube*): the Pod Security "restricted" level, set
 * explicitly, and resources from the config.
 */
import { k8s } from 'cdk8s-plus-27';
import { Resources } from '../config/environment';

/** Container resources from the config's plain quantities. */
export function resourceRequirements(resources: Resources): k8s.ResourceRequirements {
  const q = (v: string) => k8s.Quantity.fromString(v);
  return {
    requests: { cpu: q(resources.requests.cpu), memory: q(resources.requests.memory) },
    limits: { cpu: q(resources.limits.cpu), memory: q(resources.limits.memory) },
  };
}

/**
 * Pod-level security: a fixed non-root user and group (the image's own, named
 * at each call), RuntimeDefault seccomp, and `fsGroup` so mounted volumes are
 * writable by that group.
 */
export function restrictedPod(user: number, options: { fsGroup?: boolean } = {}): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    ...(options.fsGroup ? { fsGroup: user, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security: no escalation, no capabilities, read-only root. */
export function restrictedContainer(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
}

/** A small in-memory-backed scratch volume for /tmp under a read-only root. */
export function scratchVolume(name = 'tmp', size = '64Mi'): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString(size) } };
}
