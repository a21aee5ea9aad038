/**
 * The resolved configuration of one environment: the environment file after
 * validation, with every default applied, deeply frozen. Components read only
 * this type.
 */
import type { EnvironmentFile } from './schema';

export type Distribution = 'k3s' | 'rke2' | 'generic';

/** CPU and memory for one container. */
export interface ResourceQuantities {
  readonly cpu: string;
  readonly memory: string;
}

/** Requests and limits for one container. */
export interface Resources {
  readonly requests: ResourceQuantities;
  readonly limits: ResourceQuantities;
}

export interface ClusterConfig {
  /** Name of the cluster, a DNS-1123 label. */
  readonly name: string;
  /** Argo CD destination server URL. */
  readonly server: string;
  readonly distribution: Distribution;
  /**
   * Who processes `helm.cattle.io/v1` HelmChart CRs.
   * @default 'builtin' on k3s and rke2, 'install' on generic clusters
   */
  readonly helmController: 'builtin' | 'install';
  readonly storageClass: string;
  readonly ingressClass: string;
}

export interface GitOpsConfig {
  /** The git repository Argo CD reads dist/ from (this repository). */
  readonly repoURL: string;
  /** Branch, tag or commit Argo CD follows. */
  readonly targetRevision: string;
  /**
   * Folder of dist/ inside the repository.
   * @default 'dist'
   */
  readonly path: string;
}

export interface SealingConfig {
  /**
   * The sealing certificate (public key of the sealed-secrets controller), relative to the project root.
   * @default 'environments/certs/<env>.pem'
   */
  readonly certificate: string;
}

export interface ArgoCdConfig {
  /**
   * Install Argo CD with the bootstrap (argo-cd chart as a HelmChart CR) and let it manage itself.
   * `false` for clusters that already run Argo CD.
   * @default true
   */
  readonly install: boolean;
  /**
   * Namespace Argo CD runs in; Applications and the AppProject are created there.
   * @default 'argocd'
   */
  readonly namespace: string;
  /**
   * Highly available Argo CD: replicated server and repo-server, redis-ha.
   * @default false
   */
  readonly ha: boolean;
}

export interface SealedSecretsConfig {
  /**
   * Deploy the sealed-secrets controller. Every credential of the platform is a SealedSecret, so
   * disabling it is only valid when no component needs a credential.
   * @default true
   */
  readonly enabled: boolean;
  /** @default 'sealed-secrets' */
  readonly namespace: string;
  /** @default requests 50m/64Mi, limits 200m/128Mi */
  readonly resources: Resources;
}

export interface ComponentsConfig {
  readonly sealedSecrets: SealedSecretsConfig;
}

export interface EnvironmentConfig {
  /** Environment name: the file name without `.yaml`. */
  readonly name: string;
  /** The environment file, relative to the project root. */
  readonly file: string;
  readonly description?: string;
  readonly cluster: ClusterConfig;
  /** Base domain; applications are exposed at `<app>.<domain>`. */
  readonly domain: string;
  readonly gitops: GitOpsConfig;
  readonly sealing: SealingConfig;
  readonly argocd: ArgoCdConfig;
  readonly components: ComponentsConfig;
}

/** Default resources of the sealed-secrets controller: it is idle most of the time. */
const SEALED_SECRETS_RESOURCES: Resources = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '200m', memory: '128Mi' },
};

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Applies every documented default to a validated environment file. */
export function resolveEnvironment(name: string, file: string, raw: EnvironmentFile): EnvironmentConfig {
  const distribution = raw.cluster.distribution;
  const config: EnvironmentConfig = {
    name,
    file,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    cluster: {
      name: raw.cluster.name,
      server: raw.cluster.server,
      distribution,
      helmController: raw.cluster.helmController ?? (distribution === 'generic' ? 'install' : 'builtin'),
      storageClass: raw.cluster.storageClass,
      ingressClass: raw.cluster.ingressClass,
    },
    domain: raw.domain,
    gitops: {
      repoURL: raw.gitops.repoURL,
      targetRevision: raw.gitops.targetRevision,
      path: (raw.gitops.path ?? 'dist').replace(/\/+$/, ''),
    },
    sealing: { certificate: raw.sealing?.certificate ?? `environments/certs/${name}.pem` },
    argocd: {
      install: raw.argocd?.install ?? true,
      namespace: raw.argocd?.namespace ?? 'argocd',
      ha: raw.argocd?.ha ?? false,
    },
    components: {
      sealedSecrets: {
        enabled: raw.components.sealedSecrets?.enabled ?? true,
        namespace: raw.components.sealedSecrets?.namespace ?? 'sealed-secrets',
        resources: raw.components.sealedSecrets?.resources ?? SEALED_SECRETS_RESOURCES,
      },
    },
  };
  return deepFreeze(config);
}
