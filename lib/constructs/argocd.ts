/**
 * Argo CD objects of the app-of-apps: one Application per component folder,
 * the root Application, and the environment's AppProject.
 */
import { Construct } from 'constructs';
import { Application } from '../../imports/argocd-application-argoproj.io';
import { AppProject } from '../../imports/argocd-appproject-argoproj.io';
import { IgnoredFields } from './component';
import { KEEP_ON_REMOVAL, syncWave } from './labels';

/** Where Argo CD reads manifests from. */
export interface GitSource {
  readonly repoURL: string;
  readonly targetRevision: string;
  /** Folder in the repository, e.g. `dist/prod/mlflow`. */
  readonly path: string;
}

export interface Destination {
  readonly server: string;
  readonly namespace: string;
}

/** A Kubernetes kind, for AppProject allow-lists. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** Retry with exponential backoff: 10s, 20s, 40s, ... up to 5m, ten times. */
const RETRY = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

export interface ArgoApplicationProps {
  readonly name: string;
  readonly project: string;
  readonly source: GitSource;
  readonly destination: Destination;
  readonly wave: number;
  readonly labels?: Record<string, string>;
  /**
   * Labels Argo CD sets on the destination namespace, which it creates.
   * Without it the namespace must already exist.
   */
  readonly managedNamespaceLabels?: Record<string, string>;
  /**
   * Server-side apply, for objects too large for the last-applied annotation.
   * @default false
   */
  readonly serverSideApply?: boolean;
  /**
   * Delete the Application's resources when the Application is deleted (the
   * component was removed from the environment).
   * @default true
   */
  readonly cascadeDelete?: boolean;
  /**
   * Never pruned or deleted by a sync of the Application that manages this
   * one (the root Application, which manages itself).
   * @default false
   */
  readonly keep?: boolean;
  /**
   * Fields left to a controller: their changes do not make the Application
   * OutOfSync, so self-heal never reverts them. Not `RespectIgnoreDifferences`:
   * for a custom resource Argo CD v3.4 merges the live object into the
   * desired one by JSON merge patch, which takes whole arrays (a RayCluster's
   * workerGroupSpecs), so changes from git to the rest of the array would
   * never be applied.
   * @default none
   */
  readonly ignoreDifferences?: readonly IgnoredFields[];
}

export class ArgoApplication extends Construct {
  public readonly resource: Application;

  constructor(scope: Construct, id: string, props: ArgoApplicationProps) {
    super(scope, id);
    const syncOptions = ['PruneLast=true'];
    if (props.managedNamespaceLabels) syncOptions.push('CreateNamespace=true');
    if (props.serverSideApply) syncOptions.push('ServerSideApply=true');
    const ignored = props.ignoreDifferences ?? [];
    this.resource = new Application(this, 'resource', {
      metadata: {
        name: props.name,
        labels: props.labels ?? {},
        annotations: { ...syncWave(props.wave), ...(props.keep ? KEEP_ON_REMOVAL : {}) },
        ...((props.cascadeDelete ?? true) ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {}),
      },
      spec: {
        project: props.project,
        source: {
          repoUrl: props.source.repoURL,
          targetRevision: props.source.targetRevision,
          path: props.source.path,
          directory: { recurse: false },
        },
        destination: { server: props.destination.server, namespace: props.destination.namespace },
        ...(ignored.length > 0
          ? { ignoreDifferences: ignored.map((i) => ({ group: i.group, kind: i.kind, ...(i.name !== undefined ? { name: i.name } : {}), jqPathExpressions: [...i.jqPathExpressions] })) }
          : {}),
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions,
          retry: RETRY,
          ...(props.managedNamespaceLabels ? { managedNamespaceMetadata: { labels: props.managedNamespaceLabels } } : {}),
        },
      },
    });
  }
}

export interface ArgoProjectProps {
  readonly name: string;
  readonly description: string;
  /** The only repositories Applications of the project may read. */
  readonly sourceRepos: readonly string[];
  /** The only server and namespace pairs Applications may deploy to. */
  readonly destinations: readonly Destination[];
  /** Cluster-scoped kinds Applications may manage; nothing else. */
  readonly clusterResources: readonly GroupKind[];
  /** Namespaced kinds Applications may manage; nothing else. */
  readonly namespacedResources: readonly GroupKind[];
  /** Sync wave in apps/. */
  readonly wave: number;
  readonly labels?: Record<string, string>;
}

const byGroupKind = (a: GroupKind, b: GroupKind) => a.group.localeCompare(b.group) || a.kind.localeCompare(b.kind);

export class ArgoProject extends Construct {
  constructor(scope: Construct, id: string, props: ArgoProjectProps) {
    super(scope, id);
    new AppProject(this, 'resource', {
      // Before the Applications that belong to it, and never removed from under them.
      metadata: { name: props.name, labels: props.labels ?? {}, annotations: { ...syncWave(props.wave), ...KEEP_ON_REMOVAL } },
      spec: {
        description: props.description,
        sourceRepos: [...props.sourceRepos],
        destinations: [...props.destinations]
          .sort((a, b) => a.server.localeCompare(b.server) || a.namespace.localeCompare(b.namespace))
          .map((d) => ({ server: d.server, namespace: d.namespace })),
        clusterResourceWhitelist: [...props.clusterResources].sort(byGroupKind).map((r) => ({ group: r.group, kind: r.kind })),
        namespaceResourceWhitelist: [...props.namespacedResources].sort(byGroupKind).map((r) => ({ group: r.group, kind: r.kind })),
        // No orphaned-resources monitoring: the helm-controller creates every
        // chart's objects outside Argo CD, and each would be reported.
      },
    });
  }
}
