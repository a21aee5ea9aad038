/**
 * The components an environment can have, in the order they are composed.
 * Each is a pure function of the environment's config and the handles of the
 * components before it.
 */
import { App } from 'cdk8s';
import { EnvironmentConfig } from '../config/environment';
import { ComponentChart } from '../constructs/component';
import { SecretCatalog } from '../secrets/catalog';
import { ArgoCdChart } from './argocd';
import { HelmControllerChart } from './helm-controller';
import { SealedSecretsChart } from './sealed-secrets';

/** What a component gets to build itself. */
export interface PlatformContext {
  readonly app: App;
  readonly config: EnvironmentConfig;
  /** Where components declare the credentials they need. */
  readonly catalog: SecretCatalog;
}

export interface ComponentFactory {
  readonly name: string;
  enabled(config: EnvironmentConfig): boolean;
  create(context: PlatformContext): ComponentChart;
}

export const COMPONENTS: readonly ComponentFactory[] = [
  {
    name: 'helm-controller',
    enabled: (c) => c.cluster.helmController === 'install',
    create: ({ app }) => new HelmControllerChart(app),
  },
  {
    name: 'sealed-secrets',
    enabled: (c) => c.components.sealedSecrets.enabled,
    create: ({ app, config }) => new SealedSecretsChart(app, config),
  },
  {
    name: 'argocd',
    enabled: (c) => c.argocd.install,
    create: ({ app, config }) => new ArgoCdChart(app, config),
  },
];
