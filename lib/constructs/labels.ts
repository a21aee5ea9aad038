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
 * Marks an object whose deletion destroys data: a database, a volume, or a
 * Helm release that owns CRDs whose objects hold data. The `kept-on-removal`
 * policy requires KEEP_ON_REMOVAL on every such object.
 */
export const HOLDS_DATA_LABEL = 'mlops-gitops.dev/holds-data';

/**
 * Argo CD never deletes the object: not when it leaves git (`Prune=false`),
 * and not when its Application is deleted with the resources finalizer
 * (`Delete=false`). For what holds data or owns CRDs that do (an operator's
 * chart, Argo CD itself): removing such a component from the environment
 * leaves it running, and deleting it is a deliberate step (README,
 * "Removing a protected component").
 */
export const KEEP_ON_REMOVAL: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false',
};

/** Whether an object's annotations protect it from prune and cascade deletion. */
export function isKeptOnRemoval(annotations: Record<string, string> | undefined): boolean {
  const options = (annotations?.['argocd.argoproj.io/sync-options'] ?? '').split(',').map((o) => o.trim());
  return options.includes('Delete=false') && options.includes('Prune=false');
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
