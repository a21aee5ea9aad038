/**
 * The components an environment can have, in the order they are composed.
 * Each is a pure function of the environment's config and of the handles the
 * data layer gives it.
 */
import { App } from 'cdk8s';
import { EnvironmentConfig } from '../config/environment';
import { ComponentChart } from '../constructs/component';
import { Consumer } from '../data/handles';
import { DataLayer, DataNeeds } from '../data/layer';
import { SecretCatalog } from '../secrets/catalog';
import { AIRFLOW, AirflowChart } from './airflow';
import { ArgoCdChart } from './argocd';
import { BucketsChart } from './buckets';
import { CertManagerChart } from './cert-manager';
import { CnpgOperatorChart } from './cnpg-operator';
import { GpuChart, NodePoolsChart } from './gpu';
import { HelmControllerChart } from './helm-controller';
import { MinioChart } from './minio';
import { MLFLOW, MlflowChart, mlflowHandle } from './mlflow';
import { PostgresChart } from './postgres';
import { PREFECT, PrefectChart } from './prefect';
import { KubeRayOperatorChart, RAY_NAMESPACE, RayTrainingChart } from './ray';
import { SealedSecretsChart } from './sealed-secrets';
import { TraefikChart } from './traefik';

/** What a component gets to build itself. */
export interface PlatformContext {
  readonly app: App;
  readonly config: EnvironmentConfig;
  /** Where components declare the credentials they need. */
  readonly catalog: SecretCatalog;
  /** Databases and buckets, with a handle per consumer. */
  readonly data: DataLayer;
}

export interface ComponentFactory {
  readonly name: string;
  enabled(config: EnvironmentConfig, data: DataLayer): boolean;
  /** A component that uses the data layer says so before any chart is built. */
  readonly consumer?: { readonly consumer: Consumer; needs(config: EnvironmentConfig): DataNeeds };
  create(context: PlatformContext): ComponentChart;
}

/** Namespaces whose pods get the MLflow handle and call its API directly. */
function mlflowClients(config: EnvironmentConfig): string[] {
  const { components } = config;
  return [
    ...(components.airflow.enabled ? [AIRFLOW.namespace] : []),
    ...(components.prefect.enabled ? [PREFECT.namespace] : []),
    ...(components.ray.enabled ? [RAY_NAMESPACE] : []),
  ];
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
    create: ({ app, config, catalog }) => new ArgoCdChart(app, config, catalog),
  },
  {
    name: 'traefik',
    enabled: (c) => c.cluster.ingressController === 'install',
    create: ({ app, config }) => new TraefikChart(app, config),
  },
  {
    name: 'cert-manager',
    // Every UI is served over TLS: cert-manager issues the certificates,
    // unless the environment names a ClusterIssuer of a cert-manager it runs.
    enabled: (c) => c.tls.issuer !== 'clusterIssuer',
    create: ({ app, config }) => new CertManagerChart(app, config),
  },
  {
    name: 'gpu',
    enabled: (c) => c.nodePools.some((p) => p.kind === 'gpu'),
    create: ({ app, config }) => new GpuChart(app, config),
  },
  {
    name: 'node-pools',
    enabled: (c) => c.cluster.autoscaler === 'karpenter' && c.nodePools.length > 0,
    create: ({ app, config }) => new NodePoolsChart(app, config),
  },
  {
    name: 'kuberay-operator',
    enabled: (c) => c.components.ray.enabled,
    create: ({ app }) => new KubeRayOperatorChart(app),
  },
  {
    name: 'cnpg-operator',
    enabled: (_c, data) => data.runsPostgres,
    create: ({ app }) => new CnpgOperatorChart(app),
  },
  {
    name: 'minio',
    enabled: (_c, data) => data.runsMinio,
    create: ({ app, config, data, catalog }) => new MinioChart(app, config, data, catalog),
  },
  {
    name: 'buckets',
    enabled: (c, data) => c.objectStore.kind === 'external' && data.bucketGrants.length > 0,
    create: ({ app, config, data, catalog }) => new BucketsChart(app, config, data, catalog),
  },
  {
    name: 'postgres',
    enabled: (_c, data) => data.runsPostgres,
    create: ({ app, config, data, catalog }) => new PostgresChart(app, config, data, catalog),
  },
  {
    name: 'mlflow',
    enabled: (c) => c.components.mlflow.enabled,
    consumer: { consumer: MLFLOW, needs: () => ({ database: true, bucket: true }) },
    create: ({ app, config, data, catalog }) => new MlflowChart(app, config, data, catalog, mlflowClients(config)),
  },
  {
    name: 'airflow',
    enabled: (c) => c.components.airflow.enabled,
    consumer: { consumer: AIRFLOW, needs: () => ({ database: true, bucket: true }) },
    create: ({ app, config, data, catalog }) =>
      new AirflowChart(app, { config, data, catalog, ...(config.components.mlflow.enabled ? { mlflow: mlflowHandle() } : {}) }),
  },
  {
    name: 'prefect',
    enabled: (c) => c.components.prefect.enabled,
    consumer: { consumer: PREFECT, needs: () => ({ database: true }) },
    create: ({ app, config, data, catalog }) => new PrefectChart(app, config, data, catalog, config.components.mlflow.enabled ? mlflowHandle() : undefined),
  },
  {
    name: 'ray',
    enabled: (c) => c.components.ray.enabled,
    create: ({ app, config }) => new RayTrainingChart(app, config, config.components.mlflow.enabled ? mlflowHandle() : undefined),
  },
];
