/** The Argo CD app-of-apps, the HelmChart construct and the helm-controller. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import { HEALTH_CUSTOMIZATIONS } from '../lib/argocd/health';
import { CHARTS, compareVersions, helmControllerPairProblem, IMAGES, imageString } from '../lib/config/versions';
import { HelmChart } from '../lib/constructs/helm-chart';
import { installGateProgram } from '../cluster/install-gate/gate';
import { renderPlatform } from '../lib/render';
import { updateReadme } from '../scripts/readme-argocd-cm';
import { envYaml, loadConfig, platformOf, ROOT, userError, WITH_DEMO } from './support';
import { ComponentFactory, COMPONENTS } from '../lib/components/index';

type Obj = Record<string, any>;

function objects(text: string): Map<string, Obj> {
  return new Map(renderPlatform(platformOf(text)).map((f) => [f.path, f.object as Obj]));
}

const GENERIC = envYaml().replace('distribution: k3s', 'distribution: generic');

test('one Application per component, synced from its dist folder with prune, selfHeal and retry', () => {
  const objs = objects(GENERIC);
  const apps = [...objs.entries()].filter(([p]) => p.startsWith('apps/'));
  assert.deepEqual(apps.map(([p]) => p), [
    'apps/AppProject.mlops-test.k8s.yaml',
    'apps/Application.test-argocd.k8s.yaml',
    'apps/Application.test-cert-issuers.k8s.yaml',
    'apps/Application.test-cert-manager.k8s.yaml',
    'apps/Application.test-helm-controller.k8s.yaml',
    'apps/Application.test-root.k8s.yaml',
    'apps/Application.test-sealed-secrets.k8s.yaml',
  ]);
  const app = objs.get('apps/Application.test-sealed-secrets.k8s.yaml')!;
  assert.equal(app.metadata.namespace, 'argocd');
  assert.deepEqual(app.metadata.finalizers, ['resources-finalizer.argocd.argoproj.io']);
  assert.equal(app.spec.project, 'mlops-test');
  assert.deepEqual(app.spec.source, {
    repoURL: 'https://git.example.com/org/platform.git',
    targetRevision: 'main',
    path: 'dist/test/sealed-secrets',
    directory: { recurse: false },
  });
  assert.deepEqual(app.spec.destination, { server: 'https://kubernetes.default.svc', namespace: 'sealed-secrets' });
  assert.deepEqual(app.spec.syncPolicy.automated, { prune: true, selfHeal: true });
  assert.ok(app.spec.syncPolicy.syncOptions.includes('CreateNamespace=true'));
  assert.equal(app.spec.syncPolicy.retry.limit, 10);
  assert.equal(app.spec.syncPolicy.retry.backoff.factor, 2);
  const ns = app.spec.syncPolicy.managedNamespaceMetadata.labels;
  assert.equal(ns['pod-security.kubernetes.io/enforce'], 'restricted');
  assert.equal(ns['pod-security.kubernetes.io/warn'], 'restricted');
});

test('sync waves by tier: helm-controller, then sealed-secrets and Argo CD', () => {
  const objs = objects(GENERIC);
  const wave = (c: string) => Number(objs.get(`apps/Application.test-${c}.k8s.yaml`)!.metadata.annotations['argocd.argoproj.io/sync-wave']);
  assert.ok(wave('helm-controller') < wave('sealed-secrets'));
  assert.ok(wave('sealed-secrets') <= wave('argocd'));
  assert.ok(wave('argocd') < 10, 'controllers come before the data tier (10)');
});

test('the root Application syncs apps/, never cascades, and manages itself and the AppProject', () => {
  const objs = objects(GENERIC);
  const root = objs.get('bootstrap/03-root/Application.test-root.k8s.yaml')!;
  assert.equal(root.spec.source.path, 'dist/test/apps');
  assert.deepEqual(root.spec.destination, { server: 'https://kubernetes.default.svc', namespace: 'argocd' });
  assert.equal(root.metadata.finalizers, undefined);
  assert.ok(!root.spec.syncPolicy.syncOptions.includes('CreateNamespace=true'));
  // The same objects in apps/: the root keeps them current, before every component (wave -10).
  assert.deepEqual(objs.get('apps/Application.test-root.k8s.yaml'), root);
  const project = objs.get('bootstrap/03-root/AppProject.mlops-test.k8s.yaml')!;
  assert.deepEqual(objs.get('apps/AppProject.mlops-test.k8s.yaml'), project);
  for (const o of [root, project]) {
    assert.equal(o.metadata.annotations['argocd.argoproj.io/sync-wave'], '-10');
    // A sync never prunes or deletes them (the root pruning itself would orphan everything).
    assert.equal(o.metadata.annotations['argocd.argoproj.io/sync-options'], 'Delete=false,Prune=false');
  }
  const components = [...objs.entries()].filter(([p, o]) => p.startsWith('apps/') && o.kind === 'Application' && o.metadata.name !== 'test-root');
  for (const [p, app] of components) assert.ok(Number(app.metadata.annotations['argocd.argoproj.io/sync-wave']) > -10, p);
});

test('the AppProject allows only this repo, and the namespaces and kinds of the platform\'s components', () => {
  const project = objects(GENERIC).get('bootstrap/03-root/AppProject.mlops-test.k8s.yaml')!;
  assert.deepEqual(project.spec.sourceRepos, ['https://git.example.com/org/platform.git']);
  // Every component's namespace, enabled here or not: removing a component must not narrow the project
  // before Argo CD deletes what the component made.
  assert.deepEqual(
    project.spec.destinations.map((d: Obj) => d.namespace),
    COMPONENTS.map((f) => f.namespace(loadConfig(GENERIC))).concat('argocd').filter((n, i, a) => a.indexOf(n) === i).sort(),
  );
  assert.ok(project.spec.destinations.every((d: Obj) => d.server === 'https://kubernetes.default.svc'));
  assert.deepEqual(
    project.spec.clusterResourceWhitelist.map((k: Obj) => `${k.group}/${k.kind}`),
    ['/Namespace', 'cert-manager.io/ClusterIssuer', 'karpenter.sh/NodePool', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding', 'scheduling.k8s.io/PriorityClass'],
  );
  const namespaced = project.spec.namespaceResourceWhitelist.map((k: Obj) => `${k.group}/${k.kind}`);
  assert.ok(namespaced.includes('helm.cattle.io/HelmChart'));
  assert.ok(namespaced.includes('argoproj.io/Application'));
  assert.ok(namespaced.includes('argoproj.io/AppProject'), 'the root Application manages the project');
  assert.ok(namespaced.includes('ray.io/RayCluster'), 'a component this environment does not enable');
  assert.ok(!namespaced.includes('*/*'));
  // Helm-created objects are not Argo CD's: no orphaned-resources warnings about them.
  assert.equal(project.spec.orphanedResources, undefined);
});

test('removing a component leaves the project as it was, so Argo CD may still delete what it made', () => {
  const project = (text: string) => renderPlatform(platformOf(text, { lenient: true })).find((f) => f.path === 'apps/AppProject.mlops-test.k8s.yaml')!.object;
  const withMlflow = project(envYaml().replace('components: {}', 'components:\n  mlflow: {}'));
  const without = project(envYaml());
  assert.deepEqual(without, withMlflow);
});

test('a component that emits a kind it does not declare is a bug caught at synth', () => {
  const demo = WITH_DEMO()[WITH_DEMO().length - 1];
  const undeclared: ComponentFactory = { ...demo, kinds: [] };
  assert.throws(() => platformOf(envYaml(), { components: [...COMPONENTS, undeclared], lenient: true }), /component demo emits bitnami.com\/SealedSecret: add them to its kinds/);
  const moved: ComponentFactory = { ...demo, namespace: () => 'elsewhere' };
  assert.throws(() => platformOf(envYaml(), { components: [...COMPONENTS, moved], lenient: true }), /namespace demo is not the one its factory declares \(elsewhere\)/);
});

test('bootstrap: numbered folders, Argo CD installed by a HelmChart carrying the health checks', () => {
  const objs = objects(GENERIC);
  const bootstrap = [...objs.keys()].filter((p) => p.startsWith('bootstrap/'));
  assert.deepEqual(
    [...new Set(bootstrap.map((p) => p.split('/')[1]))],
    ['00-namespaces', '01-helm-controller', '02-argocd', '03-root'],
  );
  const chart = objs.get('bootstrap/02-argocd/HelmChart.argo-cd.k8s.yaml')!;
  assert.equal(chart.spec.repo, CHARTS.argoCd.repo);
  assert.equal(chart.spec.version, CHARTS.argoCd.version);
  const values = yaml.load(chart.spec.valuesContent) as Obj;
  for (const [key, lua] of Object.entries(HEALTH_CUSTOMIZATIONS)) assert.equal(values.configs.cm[key], lua);
  // The bootstrap copy has no hooks (kubectl ignores them); the managed copy waits for the install.
  assert.ok(!bootstrap.some((p) => p.includes('install-gate') && !p.endsWith('ResourceQuota.helm-install-jobs.k8s.yaml')));
  assert.ok(objs.has('argocd/Job.argo-cd-install-gate.k8s.yaml'));
  // The same HelmChart: Argo CD adopts what the bootstrap applied.
  assert.deepEqual(objs.get('argocd/HelmChart.argo-cd.k8s.yaml'), chart);
  const ns = objs.get('bootstrap/00-namespaces/Namespace.argocd.k8s.yaml')!;
  assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
  // The labels the Application's managedNamespaceMetadata sets later: adopting the namespace changes nothing.
  assert.deepEqual(ns.metadata.labels, objs.get('apps/Application.test-argocd.k8s.yaml')!.spec.syncPolicy.managedNamespaceMetadata.labels);
});

test('argocd.install: false emits only the project and root Application for an existing Argo CD', () => {
  const objs = objects(envYaml('argocd:\n  install: false\n'));
  const bootstrap = [...objs.keys()].filter((p) => p.startsWith('bootstrap/'));
  assert.deepEqual(bootstrap, [
    'bootstrap/00-namespaces/Namespace.sealed-secrets.k8s.yaml',
    'bootstrap/03-root/AppProject.mlops-test.k8s.yaml',
    'bootstrap/03-root/Application.test-root.k8s.yaml',
  ]);
  assert.ok(![...objs.keys()].some((p) => p.startsWith('argocd/')));
});

test('README shows the exact argocd-cm health checks for an existing Argo CD', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  assert.equal(updateReadme(readme), readme, 'README.md is out of date with lib/argocd/health.ts: run npm run readme');
  for (const key of Object.keys(HEALTH_CUSTOMIZATIONS)) assert.ok(readme.includes(`  ${key}: |`), key);
});

test('HA Argo CD: replicated server and repo-server, redis-ha, baseline namespace with a reason', () => {
  const objs = objects(envYaml('argocd:\n  ha: true\n'));
  const values = yaml.load(objs.get('argocd/HelmChart.argo-cd.k8s.yaml')!.spec.valuesContent) as Obj;
  assert.equal(values.server.replicas, 2);
  assert.equal(values.repoServer.replicas, 2);
  assert.equal(values['redis-ha'].enabled, true);
  assert.equal(values.redis.enabled, false);
  const app = objs.get('apps/Application.test-argocd.k8s.yaml')!;
  assert.equal(app.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce'], 'baseline');
});

test('helm-controller: emitted only when installed, image pinned, restricted', () => {
  assert.ok(![...objects(envYaml()).keys()].some((p) => p.includes('helm-controller')));
  const deployment = objects(GENERIC).get('helm-controller/Deployment.helm-controller.k8s.yaml')!;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  assert.equal(container.image, imageString(IMAGES.helmController));
  assert.deepEqual(container.env.find((e: Obj) => e.name === 'DEFAULT_JOB_IMAGE').value, imageString(IMAGES.klipperHelm));
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.equal(container.securityContext.runAsNonRoot, true);
  assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
  assert.equal(deployment.spec.template.metadata.labels['cdk8s.io/metadata.addr'], undefined);
});

function chartWith(props: Partial<ConstructorParameters<typeof HelmChart>[2]> = {}): Obj[] {
  const app = new App();
  const chart = new Chart(app, 'c', { namespace: 'ns' });
  new HelmChart(chart, 'h', {
    name: 'demo',
    chart: { repo: 'https://charts.example.com', chart: 'demo', version: '1.2.3', appVersion: '1.0' },
    values: { zeta: 1, alpha: { b: 2, a: 1 } },
    holdsData: false,
    failurePolicy: 'retry',
    ...props,
  });
  return chart.toJson();
}

test('HelmChart: exact version, sorted values, failure policy, backoff, timeout, the controller\'s own job image', () => {
  const [cr] = chartWith().filter((o) => o.kind === 'HelmChart');
  assert.equal(cr.apiVersion, 'helm.cattle.io/v1');
  assert.equal(cr.metadata.namespace, 'ns');
  assert.equal(cr.spec.version, '1.2.3');
  assert.equal(cr.spec.valuesContent, 'alpha:\n  a: 1\n  b: 2\nzeta: 1\n');
  assert.equal(cr.spec.failurePolicy, 'retry');
  assert.equal(cr.spec.backOffLimit, 3);
  assert.equal(cr.spec.timeout, '10m');
  assert.equal(cr.spec.targetNamespace, 'ns');
  // The controller running the chart (ours or k3s's) picks the job image it is paired with.
  assert.equal(cr.spec.jobImage, undefined);
});

test('HelmChart: the install gate runs the gate program with this spec, least privilege, and a deadline past Helm\'s', () => {
  const objs = chartWith({ timeout: '5m' });
  const job = objs.find((o) => o.kind === 'Job')!;
  assert.equal(job.metadata.annotations['argocd.argoproj.io/hook'], 'Sync');
  assert.equal(job.metadata.annotations['argocd.argoproj.io/sync-wave'], '1');
  assert.equal(job.spec.backoffLimit, 0);
  const container = job.spec.template.spec.containers[0];
  assert.equal(container.image, imageString(IMAGES.installGate));
  assert.deepEqual(container.command, ['node', '/gate/gate.js']);
  const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value]));
  assert.deepEqual(env, {
    GATE_NAMESPACE: 'ns',
    GATE_CHART: 'demo',
    GATE_TARGET_NAMESPACE: 'ns',
    GATE_VERSION: '1.2.3',
    GATE_VALUES: JSON.stringify({ zeta: 1, alpha: { b: 2, a: 1 } }),
    GATE_TIMEOUT_SECONDS: String(300 + 300),
    GATE_WAIT_WORKLOADS: 'true',
  });
  assert.equal(job.spec.activeDeadlineSeconds, 660);
  const program = objs.find((o) => o.kind === 'ConfigMap')!;
  assert.equal(program.metadata.name, 'install-gate');
  assert.equal(program.data['gate.js'], installGateProgram(), 'the tested program (cluster/install-gate)');
  assert.deepEqual(job.spec.template.spec.volumes, [{ name: 'gate', configMap: { name: 'install-gate' } }]);
  const role = objs.find((o) => o.kind === 'Role')!;
  assert.deepEqual(role.rules, [
    { apiGroups: ['helm.cattle.io'], resources: ['helmcharts', 'helmchartconfigs'], resourceNames: ['demo'], verbs: ['get'] },
    { apiGroups: ['batch'], resources: ['jobs'], resourceNames: ['helm-install-demo'], verbs: ['get'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['get'] },
  ]);
  assert.equal(chartWith({ waitForWorkloads: false }).find((o) => o.kind === 'Job')!.spec.template.spec.containers[0].env.find((e: Obj) => e.name === 'GATE_WAIT_WORKLOADS').value, 'false');
  // Without the gate: the HelmChart and the quota for the helm-controller's critical-priority jobs.
  assert.deepEqual(chartWith({ waitForInstall: false }).map((o) => o.kind).sort(), ['HelmChart', 'ResourceQuota']);
});

test('HelmChart: the install jobs\' and node agents\' critical priorities are admitted by a quota in the namespace (GKE)', () => {
  const quota = chartWith().find((o) => o.kind === 'ResourceQuota')!;
  assert.deepEqual(quota.spec.scopeSelector, {
    matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['system-cluster-critical', 'system-node-critical'] }],
  });
  assert.equal(quota.spec.hard.pods, '1000', 'admits, does not limit');
});

test('HelmChart: a release that holds data is kept when Argo CD prunes or deletes it; others are not', () => {
  const kept = chartWith({ holdsData: true, failurePolicy: 'abort' }).find((o) => o.kind === 'HelmChart')!;
  assert.equal(kept.metadata.annotations['argocd.argoproj.io/sync-options'], 'Delete=false,Prune=false');
  assert.equal(kept.metadata.labels['mlops-gitops.dev/holds-data'], 'true');
  const plain = chartWith().find((o) => o.kind === 'HelmChart')!;
  assert.equal(plain.metadata.annotations['argocd.argoproj.io/sync-options'], undefined);
});

test('HelmChart: ranges, latest and reinstall of data are refused', () => {
  for (const version of ['^1.2.0', '~1.2', '>=1.0.0', 'latest', '1.x']) {
    assert.throws(
      () => chartWith({ chart: { repo: 'https://c', chart: 'demo', version, appVersion: '1' } }),
      /not an exact version/,
      version,
    );
  }
  assert.throws(() => chartWith({ holdsData: true, failurePolicy: 'reinstall' }), /holds data/);
  assert.throws(() => chartWith({ timeout: '10 minutes' }), /not a duration/);
});

test('every pinned version is exact', () => {
  for (const c of Object.values(CHARTS)) assert.match(c.version, /^v?\d+\.\d+\.\d+$/);
  for (const i of Object.values(IMAGES)) assert.doesNotMatch(i.tag, /latest|\*|\^|~/);
});

test('cluster-scoped objects carry no namespace', () => {
  const objs = objects(GENERIC);
  for (const p of ['helm-controller/ClusterRole.helm-controller.k8s.yaml', 'helm-controller/ClusterRoleBinding.helm-controller.k8s.yaml', 'bootstrap/00-namespaces/Namespace.argocd.k8s.yaml']) {
    assert.equal(objs.get(p)!.metadata.namespace, undefined, p);
  }
  assert.equal(objs.get('helm-controller/Deployment.helm-controller.k8s.yaml')!.metadata.namespace, 'helm-controller');
});

test('a private GitOps repository: a sealed repository Secret for Argo CD, the deploy key named by the error', () => {
  const ssh = envYaml().replace('repoURL: https://git.example.com/org/platform.git', 'repoURL: git@git.example.com:org/platform.git\n  knownHosts: "git.example.com ssh-ed25519 AAAAC3Nza"');
  const err = userError(() => platformOf(ssh));
  assert.ok(
    err.problems.some((p) => p.fix === 'npm run seal -- --env test --namespace argocd --name gitops-repo --key sshPrivateKey --from-file <file>'),
    err.message,
  );
  const objs = new Map(renderPlatform(platformOf(ssh, { lenient: true })).map((f) => [f.path, f.object as Obj]));
  const secret = objs.get('argocd/SealedSecret.gitops-repo.k8s.yaml')!;
  assert.equal(secret.spec.template.metadata.labels['argocd.argoproj.io/secret-type'], 'repository');
  assert.deepEqual(secret.spec.template.data, { type: 'git', url: 'git@git.example.com:org/platform.git' });
  const values = yaml.load(objs.get('argocd/HelmChart.argo-cd.k8s.yaml')!.spec.valuesContent) as Obj;
  assert.equal(values.configs.ssh.extraHosts, 'git.example.com ssh-ed25519 AAAAC3Nza');

  const token = envYaml().replace('targetRevision: main', 'targetRevision: main\n  auth: token\n  username: bot');
  const tokenObjs = new Map(renderPlatform(platformOf(token, { lenient: true })).map((f) => [f.path, f.object as Obj]));
  assert.deepEqual(tokenObjs.get('argocd/SealedSecret.gitops-repo.k8s.yaml')!.spec.template.data, { type: 'git', url: 'https://git.example.com/org/platform.git', username: 'bot' });
  // A public repository needs nothing.
  assert.ok(![...objects(envYaml()).keys()].some((p) => p.includes('gitops-repo')));
});

test('repository credential settings that cannot apply are errors', () => {
  const cases: [string, RegExp][] = [
    [envYaml().replace('repoURL: https://git.example.com/org/platform.git', 'repoURL: git@git.example.com:org/platform.git\n  auth: token'), /\/gitops\/auth: auth selects HTTPS credentials/],
    [envYaml().replace('targetRevision: main', 'targetRevision: main\n  knownHosts: "x ssh-ed25519 AAAA"'), /\/gitops\/knownHosts: knownHosts pins SSH host keys/],
    [envYaml().replace('targetRevision: main', 'targetRevision: main\n  username: bot'), /\/gitops\/username: username goes with a token/],
    [envYaml('argocd:\n  install: false\n').replace('targetRevision: main', 'targetRevision: main\n  auth: token'), /\/gitops\/auth: an existing Argo CD/],
  ];
  for (const [text, message] of cases) assert.match(userError(() => platformOf(text)).message, message);
});

test('a component in a namespace Kubernetes owns (kube-system) is neither created nor relabelled', () => {
  const objs = objects(envYaml('').replace('components: {}', 'components:\n  sealedSecrets:\n    namespace: kube-system'));
  assert.ok(!objs.has('bootstrap/00-namespaces/Namespace.kube-system.k8s.yaml'));
  const app = objs.get('apps/Application.test-sealed-secrets.k8s.yaml')!;
  assert.equal(app.spec.syncPolicy.managedNamespaceMetadata, undefined);
  assert.ok(!app.spec.syncPolicy.syncOptions.includes('CreateNamespace=true'));
});

test('the helm-controller and its job image are pinned as a working pair', () => {
  assert.equal(helmControllerPairProblem(IMAGES.helmController.tag, IMAGES.klipperHelm.tag), undefined);
  // The pair the review found: v0.17.7 with klipper-helm v0.9.10 upgrades every chart forever.
  assert.match(helmControllerPairProblem('v0.17.7', 'v0.9.10-build20251111')!, /needs klipper-helm v0\.13\.3 or later/);
  assert.match(helmControllerPairProblem('v0.17.4', 'v0.13.0-build20260715')!, /needs klipper-helm v0\.13\.1 or later/);
  assert.equal(helmControllerPairProblem('v0.17.3', 'v0.9.10-build20251111'), undefined, 'before v0.17.4 the label is not read');
  assert.equal(compareVersions('v0.13.3-build20260727', 'v0.13.3'), 0);
});

test('only the root Application carries the root label its health check recognises', () => {
  const objs = objects(GENERIC);
  const labelled = [...objs.entries()].filter(([, o]) => o.kind === 'Application' && o.metadata.labels?.['mlops-gitops.dev/root'] === 'true').map(([p]) => p);
  assert.deepEqual(labelled.sort(), ['apps/Application.test-root.k8s.yaml', 'bootstrap/03-root/Application.test-root.k8s.yaml']);
});
