/**
 * The base of every component: one top-level cdk8s Chart whose objects land
 * in `dist/<env>/<folder>/`, synced by one Argo CD Application.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { componentLabels, PodSecurityLevel } from './labels';

/**
 * Sync-wave tiers of the app-of-apps, in the order Argo CD brings them up.
 * A component's Application wave is its tier plus a small offset.
 */
export enum Tier {
  /** Controllers and CRDs: helm-controller, sealed-secrets, Argo CD itself, operators. */
  CONTROLLERS = 0,
  /** Data services: databases, object storage. */
  DATA = 10,
  /** Platform services built on the data layer: MLflow, Airflow, monitoring. */
  PLATFORM = 20,
  /** Workloads: model services, apps, load tests. */
  WORKLOADS = 30,
}

export interface ComponentProps {
  /** Folder under dist/<env>/ and suffix of the Argo CD Application name. A DNS-1123 label. */
  readonly name: string;
  /** Namespace the component's objects live in; its Application creates it. */
  readonly namespace: string;
  readonly tier: Tier;
  /**
   * Order within the tier.
   * @default 0
   */
  readonly waveOffset?: number;
  /**
   * Pod Security level enforced on the namespace.
   * @default 'restricted'
   */
  readonly podSecurity?: PodSecurityLevel;
  /** Why the namespace needs a level below restricted. Required when podSecurity is not 'restricted'. */
  readonly podSecurityReason?: string;
  /**
   * Use server-side apply (objects too large for the last-applied annotation, e.g. CRDs).
   * @default false
   */
  readonly serverSideApply?: boolean;
  /**
   * Fields a controller owns after Argo CD applied them (an autoscaler's
   * replica counts): Argo CD neither reports nor reverts their changes.
   * @default none
   */
  readonly ignoreDifferences?: readonly IgnoredFields[];
}

/** Fields of one kind that Argo CD leaves to a controller. */
export interface IgnoredFields {
  readonly group: string;
  readonly kind: string;
  /** One object of the kind (in the component's namespace); every object of the kind when absent. */
  readonly name?: string;
  /** jq paths, e.g. `.spec.workerGroupSpecs[].replicas`. */
  readonly jqPathExpressions: readonly string[];
}

/** Everything the app-of-apps needs to know about a component. */
export interface ComponentInfo {
  readonly name: string;
  readonly namespace: string;
  readonly wave: number;
  readonly podSecurity: PodSecurityLevel;
  readonly serverSideApply: boolean;
  readonly ignoreDifferences: readonly IgnoredFields[];
}

/** A chart that renders to a folder of dist/<env>/. */
export abstract class FolderChart extends Chart {
  /** Folder under dist/<env>/, e.g. `mlflow` or `bootstrap/01-argocd`. */
  public readonly folder: string;

  constructor(scope: Construct, id: string, folder: string, namespace?: string) {
    super(scope, id, namespace !== undefined ? { namespace, disableResourceNameHashes: true } : { disableResourceNameHashes: true });
    this.folder = folder;
  }
}

export abstract class ComponentChart extends FolderChart {
  public readonly info: ComponentInfo;

  constructor(scope: Construct, props: ComponentProps) {
    super(scope, props.name, props.name, props.namespace);
    const podSecurity = props.podSecurity ?? 'restricted';
    if (podSecurity !== 'restricted' && !props.podSecurityReason) {
      throw new Error(`component ${props.name}: podSecurity "${podSecurity}" needs a podSecurityReason`);
    }
    this.info = {
      name: props.name,
      namespace: props.namespace,
      wave: props.tier + (props.waveOffset ?? 0),
      podSecurity,
      serverSideApply: props.serverSideApply ?? false,
      ignoreDifferences: props.ignoreDifferences ?? [],
    };
  }

  /** Labels for objects of this component. */
  protected objectLabels(extra: Record<string, string> = {}): Record<string, string> {
    return componentLabels(this.info.name, extra);
  }
}
