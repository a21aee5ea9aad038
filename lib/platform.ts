/**
 * Composes an environment: which components it gets, in which sync wave,
 * the Argo CD app-of-apps over them, and the bootstrap folder.
 *
 * dist/<env>/
 *   bootstrap/00-namespaces/       the namespaces the later steps write into  kubectl apply, step by step
 *   bootstrap/01-helm-controller/  the helm-controller (when installed)
 *   bootstrap/02-argocd/           Argo CD's HelmChart                        (when installed)
 *   bootstrap/03-root/             the AppProject and the root Application
 *   apps/                          the AppProject, the root Application itself and one
 *                                  Application per component (the root Application syncs this)
 *   <component>/                   the component's objects
 *
 * `kubectl apply -f <dir>/` applies files in lexical order and does not put
 * Namespaces first, so every namespace a step writes into is created by an
 * earlier step (test/bootstrap.test.ts replays that order).
 */
import { ApiObject, App, Chart, JsonPatch, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { countProblems, Problem, UserError } from './errors';
import { ArgoCdBootstrapChart } from './components/argocd';
import { nodeGroupTagsMarkdown } from './components/gpu';
import { HelmControllerBootstrapChart } from './components/helm-controller';
import { ComponentFactory, COMPONENTS, MONITORING_KINDS } from './components/index';
import { EnvironmentConfig, monitorsOn } from './config/environment';
import { componentLabels } from './constructs/labels';
import { monitoringCatalog } from './monitoring/catalog';
import { kafkaClientSecret, kafkaHandle, kafkaUsers } from './components/kafka';
import { addMonitoring, addRules, monitoringNamespaces, platformAlertGroups } from './monitoring/platform';
import { ArgoApplication, ArgoProject, Destination, GroupKind } from './constructs/argocd';
import { ComponentChart, FolderChart } from './constructs/component';
import { PART_OF, podSecurityLabels } from './constructs/labels';
import { checkObjects, formatViolation } from './policies';
import { EXEMPTIONS } from './policies/exemptions';
import { ROOT_APPLICATION_LABEL } from './argocd/health';
import { K8sObject } from './policies/pod-specs';
import type { SealedValues } from './sealing/sealed-values';
import { SecretCatalog } from './secrets/catalog';
import { DataLayer } from './data/layer';

/** Where Argo CD itself runs, as seen from Argo CD. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** Sync wave of the AppProject and the root Application in apps/: before every component. */
export const ROOT_WAVE = -10;

/**
 * Components whose namespace the bootstrap writes into: the sealing key
 * (sealed-secrets), the helm-controller and Argo CD. bootstrap/00-namespaces
 * creates them before any step that needs them.
 */
const BOOTSTRAP_COMPONENTS = new Set(['sealed-secrets', 'helm-controller', 'argocd']);

/** Namespaces every cluster has, which the platform never creates or labels. */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** Kinds without a namespace that components may emit. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'PersistentVolume',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'NodePool',
  'EC2NodeClass',
  'ClusterPolicy',
  'ClusterIssuer',
  'GatewayClass',
  'ClusterServingRuntime',
]);

export interface PlatformInputs {
  readonly config: EnvironmentConfig;
  readonly sealedValues: SealedValues;
  /** The sealed values file, relative to the project root, for messages. */
  readonly sealedFile: string;
}

export interface Platform {
  readonly config: EnvironmentConfig;
  readonly app: App;
  /** Component charts, in the order they were added. */
  readonly components: readonly ComponentChart[];
  /** Every chart with its dist folder. */
  readonly charts: readonly FolderChart[];
  /** Credentials the environment needs, and which are missing. */
  readonly catalog: SecretCatalog;
  /** Files for people next to the manifests, path relative to dist/<env>/. */
  readonly documents: readonly { readonly path: string; readonly content: string }[];
}

function apiObjectsOf(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

const resolved = new WeakMap<Chart, readonly K8sObject[]>();

/**
 * The resolved objects of a chart, without running validations (which
 * `Chart.toJson()` does, and which would recurse from inside a validation).
 * Resolved once: the policies and the renderer read the same objects, so
 * call it only once the platform is built (buildPlatform's result).
 */
export function objectsOf(chart: Chart): readonly K8sObject[] {
  let objects = resolved.get(chart);
  if (!objects) {
    objects = apiObjectsOf(chart).map((o) => o.toJson() as K8sObject);
    resolved.set(chart, objects);
  }
  return objects;
}

function groupKind(obj: { readonly apiVersion: string; readonly kind: string }): GroupKind {
  const slash = obj.apiVersion.indexOf('/');
  return { group: slash < 0 ? '' : obj.apiVersion.slice(0, slash), kind: obj.kind };
}

/** `group/Kind`, `/Kind` for the core group. */
function parseGroupKind(text: string): GroupKind {
  const slash = text.lastIndexOf('/');
  return { group: text.slice(0, slash), kind: text.slice(slash + 1) };
}

function uniqueKinds(kinds: GroupKind[]): GroupKind[] {
  return [...new Map(kinds.map((k) => [`${k.group}/${k.kind}`, k])).values()];
}

/**
 * Builds the platform of one environment. Throws a UserError for problems
 * only visible once components are composed (a missing sealed value); with
 * `lenient`, returns anyway so that `npm run secrets` can fill the gaps.
 */
export interface BuildOptions {
  /**
   * Return despite missing sealed values (for `npm run secrets`).
   * @default false
   */
  readonly lenient?: boolean;
  /**
   * The component registry.
   * @default COMPONENTS
   */
  readonly components?: readonly ComponentFactory[];
}

export function buildPlatform(inputs: PlatformInputs, options: BuildOptions = {}): Platform {
  const { config } = inputs;
  const app = new App({ yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, outdir: 'dist' });
  const catalog = new SecretCatalog(config.name, inputs.sealedValues, inputs.sealedFile);

  // Components, tier by tier.
  // The data layer first learns every consumer, then every chart is built.
  const factories = options.components ?? COMPONENTS;
  // Whether a consumer is enabled depends on its config alone, not on the data layer.
  const noData = new DataLayer(config, []);
  const consumers = factories.flatMap((f) =>
    f.consumer && f.enabled(config, noData) ? [{ consumer: f.consumer.consumer, needs: f.consumer.needs(config) }] : [],
  );
  const data = new DataLayer(config, consumers);
  const running = factories.filter((f) => f.enabled(config, data));
  const context = { app, config, catalog, data, components: running.map((f) => ({ name: f.name, namespace: f.namespace(config) })) };
  const enabled = running.map((f) => ({ factory: f, chart: f.create(context) }));
  const components: ComponentChart[] = enabled.map((e) => e.chart);

  const problems: Problem[] = [];
  // Kafka consumers (other than serving, which makes its own): their copy of the credentials, in their chart.
  if (config.streaming.enabled) {
    const byName = new Map(enabled.map((e) => [e.factory.name, e.chart]));
    for (const user of kafkaUsers(config, (name) => byName.get(name)?.info.namespace ?? name)) {
      if (user.component === 'serving') continue;
      const chart = byName.get(user.component.replace(/-reader$/, ''));
      if (chart) kafkaClientSecret(chart, catalog, chart.info.name, kafkaHandle(user), componentLabels(chart.info.name));
    }
  }
  // Observability: each component's monitors, rules and scrape permission in its own chart.
  if (monitorsOn(config)) {
    const watched = new Set(monitoringNamespaces(config, context.components));
    const byName = new Map(enabled.map((e) => [e.factory.name, e.chart]));
    for (const monitoring of monitoringCatalog(config, context.components.map((c) => c.name))) {
      const chart = byName.get(monitoring.component)!;
      if (config.monitoring.enabled && !watched.has(chart.info.namespace) && (monitoring.monitors.length > 0 || monitoring.alerts.length > 0)) {
        problems.push({
          file: config.file,
          path: '/monitoring/prometheus/namespaces',
          message: `component ${monitoring.component} is monitored in namespace ${chart.info.namespace}, which Prometheus does not watch`,
          fix: `add ${chart.info.namespace} to monitoring.prometheus.namespaces (or remove the list: every component's namespace is the default)`,
        });
      }
      addMonitoring(chart, config, monitoring, componentLabels(chart.info.name));
    }
    const monitoringChart = byName.get('monitoring');
    if (monitoringChart) {
      const platform = platformAlertGroups(config, context.components).find((g) => g.component === 'platform')!;
      addRules(monitoringChart, config, platform, componentLabels('monitoring'));
    }
  }
  if (catalog.requirements.length > 0 && !config.components.sealedSecrets.enabled) {
    problems.push({
      file: config.file,
      path: '/components/sealedSecrets/enabled',
      message: `${catalog.requirements.map((r) => r.component).join(', ')} need credentials, which only sealed-secrets can deliver`,
      fix: 'set components.sealedSecrets.enabled to true (or remove it: true is the default)',
    });
  }
  problems.push(...catalog.problems());
  if (problems.length > 0 && !options.lenient) throw new UserError(problems, `environment ${config.name}: ${countProblems(problems.length)}`);

  const envLabels = { 'app.kubernetes.io/part-of': PART_OF, 'mlops-gitops.dev/environment': config.name };
  const project = `mlops-${config.name}`;
  const repoPath = (folder: string) => `${config.gitops.path}/${config.name}/${folder}`;
  const source = (folder: string) => ({ repoURL: config.gitops.repoURL, targetRevision: config.gitops.targetRevision, path: repoPath(folder) });

  // The app-of-apps: one Application per component folder.
  const apps = new (class extends FolderChart {})(app, 'apps', 'apps', config.argocd.namespace);
  for (const c of components) {
    new ArgoApplication(apps, c.info.name, {
      name: `${config.name}-${c.info.name}`,
      project,
      source: source(c.info.name),
      destination: { server: config.cluster.server, namespace: c.info.namespace },
      wave: c.info.wave,
      labels: { ...envLabels, 'app.kubernetes.io/component': c.info.name },
      // Kubernetes' own namespaces exist and keep their labels (restricted would evict system pods).
      ...(SYSTEM_NAMESPACES.has(c.info.namespace) ? {} : { managedNamespaceLabels: { ...envLabels, ...podSecurityLabels(c.info.podSecurity) } }),
      serverSideApply: c.info.serverSideApply,
      ignoreDifferences: c.info.ignoreDifferences,
    });
  }

  // What the project allows: the namespaces and kinds of every component of
  // the platform, enabled here or not. Argo CD deletes only what the project
  // permits, so a project narrowed in the same sync that removes a component
  // would leave everything that component made behind.
  for (const { factory, chart } of enabled) {
    if (chart.info.namespace !== factory.namespace(config)) {
      throw new Error(`component ${factory.name}: its chart's namespace ${chart.info.namespace} is not the one its factory declares (${factory.namespace(config)})`);
    }
    const declared = [...factory.kinds, ...(monitorsOn(config) ? MONITORING_KINDS : [])];
    const undeclared = uniqueKinds(apiObjectsOf(chart).map(groupKind)).filter((k) => !declared.includes(`${k.group}/${k.kind}`));
    if (undeclared.length > 0) {
      throw new Error(`component ${factory.name} emits ${undeclared.map((k) => `${k.group}/${k.kind}`).join(', ')}: add them to its kinds in lib/components/index.ts`);
    }
  }
  const kinds = uniqueKinds([...factories.flatMap((f) => f.kinds), ...MONITORING_KINDS].map(parseGroupKind));
  const clusterResources = uniqueKinds([{ group: '', kind: 'Namespace' }, ...kinds.filter((k) => CLUSTER_SCOPED.has(k.kind))]);
  const namespacedResources = uniqueKinds([
    { group: 'argoproj.io', kind: 'Application' },
    { group: 'argoproj.io', kind: 'AppProject' },
    ...kinds.filter((k) => !CLUSTER_SCOPED.has(k.kind)),
  ]);
  const destinations: Destination[] = [
    { server: IN_CLUSTER, namespace: config.argocd.namespace },
    ...factories.map((f) => ({ server: config.cluster.server, namespace: f.namespace(config) })),
  ];
  const uniqueDestinations = [...new Map(destinations.map((d) => [`${d.server} ${d.namespace}`, d])).values()];

  // The AppProject and the root Application live in apps/, so the root
  // Application keeps them current (a new namespace, kind or repository
  // reaches the project on the next sync); bootstrap/03-root holds the same
  // two objects for the first apply by hand.
  const projectProps = {
    name: project,
    description: `mlops-gitops environment ${config.name} (cluster ${config.cluster.name})`,
    sourceRepos: [config.gitops.repoURL],
    destinations: uniqueDestinations,
    clusterResources,
    namespacedResources,
    wave: ROOT_WAVE,
    labels: envLabels,
  };
  const rootProps = {
    name: `${config.name}-root`,
    project,
    source: source('apps'),
    destination: { server: IN_CLUSTER, namespace: config.argocd.namespace },
    // Before every component Application.
    wave: ROOT_WAVE,
    // Healthy as a resource of its own sync (lib/argocd/health.ts), which would otherwise never end.
    labels: { ...envLabels, [ROOT_APPLICATION_LABEL]: 'true' },
    // Deleting the root must not cascade to every component.
    cascadeDelete: false,
    // The root Application manages itself: never pruned, never deleted by a sync.
    keep: true,
  };
  new ArgoProject(apps, 'project', projectProps);
  new ArgoApplication(apps, 'root', rootProps);

  // Bootstrap: applied once by hand, step by step (README, "Bootstrapping a cluster").
  const bootstrapNamespaces = components.filter((c) => BOOTSTRAP_COMPONENTS.has(c.info.name) && !SYSTEM_NAMESPACES.has(c.info.namespace));
  if (bootstrapNamespaces.length > 0) {
    const namespaces = new (class extends FolderChart {})(app, 'bootstrap-namespaces', 'bootstrap/00-namespaces');
    for (const c of bootstrapNamespaces) {
      // The labels Argo CD's managedNamespaceMetadata sets later: adopting the namespace changes nothing.
      new k8s.KubeNamespace(namespaces, c.info.name, {
        metadata: { name: c.info.namespace, labels: { ...envLabels, ...podSecurityLabels(c.info.podSecurity) } },
      });
    }
  }
  if (config.cluster.helmController === 'install') {
    new HelmControllerBootstrapChart(app, 'bootstrap-helm-controller', 'bootstrap/01-helm-controller');
  }
  if (config.argocd.install) new ArgoCdBootstrapChart(app, 'bootstrap-argocd', 'bootstrap/02-argocd', config);
  const root = new (class extends FolderChart {})(app, 'bootstrap-root', 'bootstrap/03-root', config.argocd.namespace);
  new ArgoProject(root, 'project', projectProps);
  new ArgoApplication(root, 'root', rootProps);

  const charts = app.node.children.filter((c): c is FolderChart => c instanceof FolderChart);
  // cdk8s gives every object its chart's namespace; cluster-scoped kinds have none.
  for (const obj of app.node.findAll()) {
    if (obj instanceof ApiObject && CLUSTER_SCOPED.has(obj.kind) && obj.metadata.namespace !== undefined) {
      obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
  }
  // Policies run over the resolved objects of every chart at render time.
  for (const chart of charts) {
    chart.node.addValidation({
      validate: () => checkObjects(objectsOf(chart), EXEMPTIONS, { nodePools: config.nodePools }).map(formatViolation),
    });
  }
  const documents = config.cluster.autoscaler === 'cluster-autoscaler' && config.nodePools.length > 0
    ? [{ path: 'node-groups.md', content: nodeGroupTagsMarkdown(config) }]
    : [];
  return { config, app, components, charts, catalog, documents };
}
