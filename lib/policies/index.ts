/**
 * Cross-cutting policies over resolved objects. Each returns violations; an
 * exemption must name the policy, the object (and container) and a reason.
 *
 * They run at synth (as construct validations of every chart, see
 * lib/render.ts) and on a committed dist/ (`npm run validate`).
 */
import type { NodePoolConfig } from '../config/environment';
import { EXACT_VERSION } from '../config/versions';
import { HOLDS_DATA_LABEL, isKeptOnRemoval } from '../constructs/labels';
import { gpuPlacementProblems } from './gpu';
import { Container, containersOf, K8sObject, objectId, podSpecsOf } from './pod-specs';

export type PolicyName =
  | 'no-plaintext-secret'
  | 'pinned-images'
  | 'resources-set'
  | 'restricted-security-context'
  | 'helm-chart-pinned'
  | 'gpu-placement'
  | 'kept-on-removal';

export interface Violation {
  readonly policy: PolicyName;
  readonly object: string;
  readonly container?: string;
  readonly message: string;
}

/** A deliberate exception to one policy, with the reason a reviewer reads. */
export interface Exemption {
  readonly policy: PolicyName;
  /** `Kind/namespace/name` of the object. */
  readonly object: string;
  /** Limit the exemption to one container. */
  readonly container?: string;
  readonly reason: string;
}

/** Kinds whose deletion deletes data, whatever their labels say. */
const DATA_KINDS = new Set(['postgresql.cnpg.io/v1/Cluster', 'v1/PersistentVolumeClaim']);

const EXACT_TAG = /:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /@sha256:[a-f0-9]{64}$/;

function imageProblem(image: string | undefined): string | undefined {
  if (!image) return 'has no image';
  if (DIGEST.test(image)) return undefined;
  const afterSlash = image.slice(image.lastIndexOf('/') + 1);
  if (!EXACT_TAG.test(afterSlash)) return `image "${image}" has no tag: pin an exact version`;
  if (/:latest$/.test(afterSlash)) return `image "${image}" uses "latest": pin an exact version`;
  return undefined;
}

function resourcesProblem(c: Container): string | undefined {
  const missing: string[] = [];
  for (const kind of ['requests', 'limits'] as const) {
    for (const r of ['cpu', 'memory']) if (c.resources?.[kind]?.[r] === undefined) missing.push(`${kind}.${r}`);
  }
  return missing.length ? `has no resources ${missing.join(', ')}` : undefined;
}

function securityProblems(c: Container, pod: Record<string, unknown>): string[] {
  const sc = c.securityContext ?? {};
  const problems: string[] = [];
  if (sc.runAsNonRoot !== true && pod.runAsNonRoot !== true) problems.push('may run as root (set runAsNonRoot: true)');
  if (sc.runAsUser === 0 || (sc.runAsUser === undefined && pod.runAsUser === 0)) problems.push('runs as user 0');
  if (sc.privileged === true) problems.push('is privileged');
  if (sc.allowPrivilegeEscalation !== false) problems.push('allows privilege escalation (set allowPrivilegeEscalation: false)');
  const drop = (sc.capabilities as { drop?: string[] } | undefined)?.drop ?? [];
  if (!drop.includes('ALL')) problems.push('does not drop ALL capabilities');
  const seccomp = ((sc.seccompProfile ?? pod.seccompProfile) as { type?: string } | undefined)?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push('has no RuntimeDefault seccomp profile');
  return problems;
}


/** What some policies need to know about the environment. */
export interface PolicyContext {
  /** The environment's node pools, for GPU placement. */
  readonly nodePools?: readonly NodePoolConfig[];
}

/** Checks one object against every policy. */
export function checkObject(obj: K8sObject, context: PolicyContext = {}): Violation[] {
  const violations: Violation[] = [];
  const id = objectId(obj);
  const add = (policy: PolicyName, message: string, container?: string) =>
    violations.push({ policy, object: id, ...(container ? { container } : {}), message });

  if (obj.apiVersion === 'v1' && obj.kind === 'Secret') {
    const data = { ...((obj.data as object) ?? {}), ...((obj.stringData as object) ?? {}) };
    if (Object.keys(data).length > 0) {
      add('no-plaintext-secret', 'is a Secret with data in plain text: use a SealedSecret (npm run seal)');
    }
  }
  if (obj.apiVersion === 'helm.cattle.io/v1' && obj.kind === 'HelmChart') {
    const spec = (obj.spec ?? {}) as { version?: string; failurePolicy?: string };
    if (!spec.version || !EXACT_VERSION.test(spec.version)) add('helm-chart-pinned', `chart version "${spec.version ?? ''}" is not exact`);
    if (!spec.failurePolicy) add('helm-chart-pinned', 'has no explicit failurePolicy (the default reinstall deletes data on failure)');
  }
  const labels = (obj.metadata.labels ?? {}) as Record<string, string>;
  if ((labels[HOLDS_DATA_LABEL] === 'true' || DATA_KINDS.has(`${obj.apiVersion}/${obj.kind}`)) && !isKeptOnRemoval(obj.metadata.annotations as Record<string, string> | undefined)) {
    add('kept-on-removal', `holds data but Argo CD may delete it: annotate argocd.argoproj.io/sync-options: Delete=false,Prune=false`);
  }
  for (const pod of podSpecsOf(obj)) {
    for (const p of gpuPlacementProblems(pod, context.nodePools ?? [])) add('gpu-placement', p);
    for (const c of containersOf(pod)) {
      const image = pod.operatorImages && c.image === undefined ? undefined : imageProblem(c.image);
      if (image) add('pinned-images', image, c.name);
      const resources = resourcesProblem(c);
      if (resources) add('resources-set', resources, c.name);
      for (const p of securityProblems(c, pod.securityContext ?? {})) add('restricted-security-context', p, c.name);
    }
  }
  return violations;
}

/** Checks objects, dropping violations an exemption covers. */
export function checkObjects(objects: readonly K8sObject[], exemptions: readonly Exemption[] = [], context: PolicyContext = {}): Violation[] {
  return objects
    .flatMap((o) => checkObject(o, context))
    .filter(
      (v) =>
        !exemptions.some(
          (e) => e.policy === v.policy && e.object === v.object && (e.container === undefined || e.container === v.container),
        ),
    );
}

export function formatViolation(v: Violation): string {
  return `${v.object}${v.container ? ` container "${v.container}"` : ''} ${v.message} [${v.policy}]`;
}
