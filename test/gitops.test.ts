/** The Argo CD app-of-apps, the HelmChart construct and the helm-controller. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import { HEALTH_CUSTOMIZATIONS } from '../lib/argocd/health';
import { CHARTS, IMAGES, imageString } from '../lib/config/versions';
import { HelmChart } from '../lib/constructs/helm-chart';
import { renderPlatform } from '../lib/render';
import { updateReadme } from '../scripts/readme-argocd-cm';
import { envYaml, platformOf, ROOT } from './support';

type Obj = Record<string, any>;

function objects(text: string): Map<string, Obj> {
  return new Map(renderPlatform(platformOf(text)).map((f) => [f.path, f.object as Obj]));
}

const GENERIC = envYaml().replace('distribution: k3s', 'distribution: generic');

test('one Application per component, synced from its dist folder with prune, selfHeal and retry', () => {
  const objs = objects(GENERIC);
  const apps = [...objs.entries()].filter(([p]) => p.startsWith('apps/'));
  assert.deepEqual(apps.map(([p]) => p), [
    'apps/Application.test-argocd.k8s.yaml',
    'apps/Application.test-helm-controller.k8s.yaml',
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

test('the root Application syncs apps/ and never cascades', () => {
  const root = objects(GENERIC).get('bootstrap/02-root/Application.test-root.k8s.yaml')!;
  assert.equal(root.spec.source.path, 'dist/test/apps');
  assert.deepEqual(root.spec.destination, { server: 'https://kubernetes.default.svc', namespace: 'argocd' });
  assert.equal(root.metadata.finalizers, undefined);
  assert.ok(!root.spec.syncPolicy.syncOptions.includes('CreateNamespace=true'));
});

test('the AppProject allows only this repo, these destinations and the kinds emitted', () => {
  const project = objects(GENERIC).get('bootstrap/02-root/AppProject.mlops-test.k8s.yaml')!;
  assert.deepEqual(project.spec.sourceRepos, ['https://git.example.com/org/platform.git']);
  assert.deepEqual(
    project.spec.destinations.map((d: Obj) => d.namespace),
    ['argocd', 'helm-controller', 'sealed-secrets'],
  );
  assert.deepEqual(
    project.spec.clusterResourceWhitelist.map((k: Obj) => `${k.group}/${k.kind}`),
    ['/Namespace', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding'],
  );
  const namespaced = project.spec.namespaceResourceWhitelist.map((k: Obj) => `${k.group}/${k.kind}`);
  assert.ok(namespaced.includes('helm.cattle.io/HelmChart'));
  assert.ok(namespaced.includes('argoproj.io/Application'));
  assert.ok(!namespaced.includes('*/*'));
  // Without the installed helm-controller, no cluster role is needed.
  const k3s = objects(envYaml()).get('bootstrap/02-root/AppProject.mlops-test.k8s.yaml')!;
  assert.deepEqual(k3s.spec.clusterResourceWhitelist, [{ group: '', kind: 'Namespace' }]);
});

test('bootstrap: numbered folders, Argo CD installed by a HelmChart carrying the health checks', () => {
  const objs = objects(GENERIC);
  const bootstrap = [...objs.keys()].filter((p) => p.startsWith('bootstrap/'));
  assert.deepEqual(
    [...new Set(bootstrap.map((p) => p.split('/')[1]))],
    ['00-helm-controller', '01-argocd', '02-root'],
  );
  const chart = objs.get('bootstrap/01-argocd/HelmChart.argo-cd.k8s.yaml')!;
  assert.equal(chart.spec.repo, CHARTS.argoCd.repo);
  assert.equal(chart.spec.version, CHARTS.argoCd.version);
  const values = yaml.load(chart.spec.valuesContent) as Obj;
  for (const [key, lua] of Object.entries(HEALTH_CUSTOMIZATIONS)) assert.equal(values.configs.cm[key], lua);
  // The bootstrap copy has no hooks (kubectl ignores them); the managed copy waits for the install.
  assert.ok(!bootstrap.some((p) => p.includes('install-gate')));
  assert.ok(objs.has('argocd/Job.argo-cd-install-gate.k8s.yaml'));
  // The same HelmChart: Argo CD adopts what the bootstrap applied.
  assert.deepEqual(objs.get('argocd/HelmChart.argo-cd.k8s.yaml'), chart);
  const ns = objs.get('bootstrap/01-argocd/Namespace.argocd.k8s.yaml')!;
  assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
});

test('argocd.install: false emits only the project and root Application for an existing Argo CD', () => {
  const objs = objects(envYaml('argocd:\n  install: false\n'));
  const bootstrap = [...objs.keys()].filter((p) => p.startsWith('bootstrap/'));
  assert.deepEqual(bootstrap, ['bootstrap/02-root/AppProject.mlops-test.k8s.yaml', 'bootstrap/02-root/Application.test-root.k8s.yaml']);
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

test('HelmChart: exact version, sorted values, failure policy, backoff, timeout, pinned job image', () => {
  const [cr] = chartWith().filter((o) => o.kind === 'HelmChart');
  assert.equal(cr.apiVersion, 'helm.cattle.io/v1');
  assert.equal(cr.metadata.namespace, 'ns');
  assert.equal(cr.spec.version, '1.2.3');
  assert.equal(cr.spec.valuesContent, 'alpha:\n  a: 1\n  b: 2\nzeta: 1\n');
  assert.equal(cr.spec.failurePolicy, 'retry');
  assert.equal(cr.spec.backOffLimit, 3);
  assert.equal(cr.spec.timeout, '10m');
  assert.equal(cr.spec.targetNamespace, 'ns');
  assert.equal(cr.spec.jobImage, imageString(IMAGES.klipperHelm));
});

test('HelmChart: the install gate waits for the helm-controller job with least privilege', () => {
  const objs = chartWith({ timeout: '5m' });
  const job = objs.find((o) => o.kind === 'Job')!;
  assert.equal(job.metadata.annotations['argocd.argoproj.io/hook'], 'Sync');
  assert.equal(job.metadata.annotations['argocd.argoproj.io/sync-wave'], '1');
  assert.deepEqual(job.spec.template.spec.containers[0].args, [
    'wait',
    '--for=condition=complete',
    'job/helm-install-demo',
    '--namespace=ns',
    '--timeout=300s',
  ]);
  const role = objs.find((o) => o.kind === 'Role')!;
  assert.deepEqual(role.rules, [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }]);
  assert.equal(chartWith({ waitForInstall: false }).length, 1);
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
  for (const p of ['helm-controller/ClusterRole.helm-controller.k8s.yaml', 'helm-controller/ClusterRoleBinding.helm-controller.k8s.yaml', 'bootstrap/01-argocd/Namespace.argocd.k8s.yaml']) {
    assert.equal(objs.get(p)!.metadata.namespace, undefined, p);
  }
  assert.equal(objs.get('helm-controller/Deployment.helm-controller.k8s.yaml')!.metadata.namespace, 'helm-controller');
});
