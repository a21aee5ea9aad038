/** Labels and annotations shared by every object the platform emits. */

export const PART_OF = 'mlops-gitops';

/** Standard `app.kubernetes.io/*` labels for an object of a component. */
export function componentLabels(component: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': PART_OF,
    'app.kubernetes.io/component': component,
    ...extra,
  };
}

/** Argo CD sync wave annotation. */
export function syncWave(wave: number): Record<string, string> {
  return { 'argocd.argoproj.io/sync-wave': String(wave) };
}

/**
 * A Job that Argo CD runs on every sync, in `wave`, after the objects of
 * earlier waves are healthy; the previous run is deleted first. The
 * Application is healthy only once it has completed.
 */
export function syncHook(wave: number): Record<string, string> {
  return {
    'argocd.argoproj.io/hook': 'Sync',
    'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    ...syncWave(wave),
  };
}

/** Pod Security Standards levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/**
 * Namespace labels that enforce one Pod Security level, and always audit and
 * warn at `restricted`, so that every exception stays visible.
 */
export function podSecurityLabels(enforce: PodSecurityLevel): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
  };
}
