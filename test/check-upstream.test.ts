import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { checkUpstream, formatReport, main } from '../lib/cli/check-upstream';

// ../shared is not part of a fresh clone: these tests only run where it exists.
const shared = path.resolve(__dirname, '..', '..', '..', 'shared');
const skip = !fs.existsSync(shared);

/** A project folder with dist/<file> for each entry; removed after `body`. */
async function withDist(files: Record<string, unknown>, body: (root: string) => void | Promise<void>): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'check-upstream-'));
  try {
    for (const [file, object] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, 'dist', file)), { recursive: true });
      fs.writeFileSync(path.join(root, 'dist', file), yaml.dump(object));
    }
    await body(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function deployment(extraSpec: Record<string, unknown> = {}, container: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { limits: { cpu: 1, memory: '64Mi' } }, ...container }] },
      },
      ...extraSpec,
    },
  };
}

function helmChart(name: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', metadata: { name, namespace: 'kube-system' }, spec: { chart: name, ...spec } };
}

/** The problems of a report as `file: schema: message` lines, without the summary. */
function problemLines(root: string): string[] {
  return formatReport(checkUpstream({ root, shared })).slice(0, -1);
}

test('valid objects pass against every Kubernetes release, CRD and chart schema', { skip }, async () => {
  await withDist(
    {
      'dev/apps/Deployment.web.k8s.yaml': deployment(),
      'dev/apps/Service.web.k8s.yaml': { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80, targetPort: 'http' }] } },
      'dev/system/HelmChart.traefik.k8s.yaml': helmChart('traefik', { version: '41.3.0', valuesContent: 'deployment:\n  replicas: 2\n' }),
      'dev/bootstrap/01-argocd/Namespace.argocd.k8s.yaml': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } },
    },
    (root) => {
      const report = checkUpstream({ root, shared });
      assert.deepEqual(report.problems, []);
      assert.equal(report.objects, 4);
      assert.deepEqual(report.releases, ['1.27', '1.36']);
      assert.equal(report.crds, 1);
      assert.equal(report.chartSchemas, 1);
      assert.deepEqual(formatReport(report), ['check:upstream: 4 objects, 0 errors (k8s 1.27, 1.36; 1 CRDs; 1 chart schemas)']);
    },
  );
});

test('unknown fields, removed APIs and bad chart values are reported per file and schema', { skip }, async () => {
  await withDist(
    {
      'dev/apps/Deployment.typo.k8s.yaml': deployment({ replica: 2 }),
      // restartPolicy on a container (sidecars) arrived in Kubernetes 1.28.
      'dev/apps/Deployment.sidecar.k8s.yaml': deployment({}, { restartPolicy: 'Always' }),
      'dev/apps/PodSecurityPolicy.old.k8s.yaml': { apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', metadata: { name: 'old' }, spec: {} },
      'dev/system/HelmChart.traefik.k8s.yaml': helmChart('traefik', { valuesContnet: 'a: 1' }),
      'dev/system/HelmChart.mlflow.k8s.yaml': helmChart('mlflow', { valuesContent: 'replicaCount: two\nnotAValue: 1\n' }),
      'dev/data/Widget.w.k8s.yaml': { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
    },
    (root) => {
      assert.deepEqual(problemLines(root), [
        'dist/dev/apps/Deployment.sidecar.k8s.yaml: k8s 1.27: /spec/template/spec/containers/0/restartPolicy: unknown field',
        'dist/dev/apps/Deployment.typo.k8s.yaml: k8s 1.27, k8s 1.36: /spec/replica: unknown field',
        'dist/dev/apps/PodSecurityPolicy.old.k8s.yaml: k8s 1.27: /: policy/v1beta1 PodSecurityPolicy does not exist in Kubernetes 1.27',
        'dist/dev/apps/PodSecurityPolicy.old.k8s.yaml: k8s 1.36: /: policy/v1beta1 PodSecurityPolicy does not exist in Kubernetes 1.36',
        'dist/dev/data/Widget.w.k8s.yaml: crd: /: no CRD for example.com/v1 Widget in crds/ or in dist',
        'dist/dev/system/HelmChart.mlflow.k8s.yaml: charts/mlflow/values.schema.json: /notAValue: unknown field',
        'dist/dev/system/HelmChart.mlflow.k8s.yaml: charts/mlflow/values.schema.json: /replicaCount: must be integer (got string)',
        'dist/dev/system/HelmChart.traefik.k8s.yaml: crds/helmchart.yaml: /spec/valuesContnet: unknown field',
      ]);
    },
  );
});

test('a custom resource is checked against a CRD that dist installs', { skip }, async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
        },
      ],
    },
  };
  await withDist(
    {
      'dev/crds/CustomResourceDefinition.widgets.example.com.k8s.yaml': crd,
      'dev/data/Widget.ok.k8s.yaml': { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'ok' }, spec: { size: 1 } },
      'dev/data/Widget.bad.k8s.yaml': { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'bad' }, spec: { sise: 1 } },
    },
    (root) => {
      assert.deepEqual(problemLines(root), [
        'dist/dev/data/Widget.bad.k8s.yaml: dist/dev/crds/CustomResourceDefinition.widgets.example.com.k8s.yaml: /spec/sise: unknown field',
      ]);
    },
  );
});

test('main prints the report and returns the exit code', { skip }, async () => {
  await withDist({ 'dev/Namespace.a.k8s.yaml': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } } }, async (root) => {
    const printed: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = console.error = (line: string) => printed.push(line);
    try {
      assert.equal(await main(['--root', root, '--shared', shared]), 0);
      assert.equal(await main(['--root', root, '--shared', path.join(root, 'missing')]), 1);
      assert.equal(await main(['--bogus']), 1);
    } finally {
      console.log = log;
      console.error = error;
    }
    assert.equal(printed[0], 'check:upstream: 1 objects, 0 errors (k8s 1.27, 1.36; 0 CRDs; 0 chart schemas)');
    assert.match(printed[1], /missing: the shared folder not found/);
    assert.match(printed[printed.length - 1], /unknown argument --bogus/);
  });
});
