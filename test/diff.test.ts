/**
 * npm run diff: the report on a recorded change (a component added, a chart
 * bumped, a secret rotated), and the command against a commit of a real git
 * repository (a copy of the project's environments and dist/).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CHANGED, main } from '../lib/cli/diff';
import { renderEnvironments } from '../lib/cli/synth';
import { CHARTS } from '../lib/config/versions';
import { diffEnvironment, diffMarkdown } from '../lib/diff';
import { ROOT } from './support';

const staging = new Map(renderEnvironments(ROOT, ['staging'])[0]!.files.map((f) => [f.path, f.content]));

test('a recorded change: component added, chart bumped, secret rotated, per Application', () => {
  const before = new Map(staging);
  // Before: no InfluxDB, the previous kube-prometheus-stack, another admin password.
  for (const p of [...before.keys()]) if (p.startsWith('influxdb/')) before.delete(p);
  const kps = 'monitoring/HelmChart.kube-prometheus-stack.k8s.yaml';
  before.set(kps, before.get(kps)!.replace(`version: ${CHARTS.kubePrometheusStack.version}`, 'version: 88.4.0').replace(/retention: \S+/, 'retention: 7d'));
  // An image bumped inside a custom resource: one object, two images of the same repository (head, workers).
  const ray = 'serving/RayService.sentiment.k8s.yaml';
  before.set(ray, before.get(ray)!.replace('rayproject/ray:2.46.0-py311', 'rayproject/ray:2.45.0-py311'));
  const admin = 'airflow/SealedSecret.airflow-admin.k8s.yaml';
  const oldCiphertext = 'AgOLDCIPHERTEXTnotShownAnywhere==';
  before.set(admin, before.get(admin)!.replace(/password: \S+/, `password: ${oldCiphertext}`));

  const d = diffEnvironment('staging', before, staging);
  assert.equal(d.change, 'changed');
  const influx = d.applications.find((a) => a.application === 'influxdb')!;
  assert.equal(influx.change, 'added');
  assert.ok(influx.objects.every((o) => o.change === 'added') && influx.objects.some((o) => o.kind === 'HelmChart'));
  assert.deepEqual(
    d.versions.filter((v) => v.what === 'chart' && v.name === 'kube-prometheus-stack'),
    [{ application: 'monitoring', what: 'chart', name: 'kube-prometheus-stack', before: '88.4.0', after: CHARTS.kubePrometheusStack.version }],
  );
  const chart = d.applications.find((a) => a.application === 'monitoring')!.objects.find((o) => o.kind === 'HelmChart')!;
  assert.ok(chart.fields.some((f) => f.path === 'spec.version'));
  assert.ok(chart.fields.some((f) => f.path.startsWith('values.') && f.path.endsWith('.retention') && f.before === '"7d"'), 'values compared as data, field by field');
  const secret = d.applications.find((a) => a.application === 'airflow')!.objects.find((o) => o.name === 'airflow-admin')!;
  assert.deepEqual(secret.sealed, [{ key: 'password', change: 'changed' }]);
  assert.deepEqual(secret.fields, [], 'nothing but the sealed value changed');

  assert.ok(
    d.versions.some((v) => v.application === 'serving' && v.what === 'image' && v.name === 'docker.io/rayproject/ray' && v.before!.includes('2.45.0-py311') && v.after!.includes('2.46.0-py311')),
    JSON.stringify(d.versions.filter((v) => v.application === 'serving')),
  );

  const md = diffMarkdown([d], 'main');
  assert.match(md, /## staging: \d+ added, 3 changed, 0 removed/);
  assert.match(md, /- monitoring: chart kube-prometheus-stack 88\.4\.0 → 88\.5\.3/);
  assert.match(md, /### influxdb \(added\)/);
  assert.match(md, /- sealed value password: changed \(ciphertext not shown\)/);
  assert.ok(!md.includes(oldCiphertext) && !md.includes(staging.get(admin)!.match(/password: (\S+)/)![1]!), 'no ciphertext in the report');
});

test('unchanged, removed and new environments', () => {
  assert.equal(diffEnvironment('staging', staging, staging).change, 'unchanged');
  assert.equal(diffMarkdown([diffEnvironment('staging', staging, staging)], 'HEAD'), 'No change to the rendered environments against HEAD.\n');
  const gone = diffEnvironment('old', staging, undefined);
  assert.equal(gone.change, 'removed');
  assert.ok(gone.applications.every((a) => a.change === 'removed'));
  assert.equal(diffEnvironment('new', undefined, staging).change, 'added');
});

test('npm run diff against a commit: exit 0 without a change, 3 with one, 1 for a bad ref; in a subfolder of a repository', async () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-diff-'));
  // The project in a subfolder of a larger repository (a monorepo).
  const dir = path.join(repo, 'platform');
  try {
    fs.cpSync(path.join(ROOT, 'environments'), path.join(dir, 'environments'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'dist', 'local'), path.join(dir, 'dist', 'local'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'recorded');
    let out = '';
    const print = (s: string) => {
      out += s;
    };
    assert.equal(await main(['--env', 'local'], dir, print), 0);
    assert.match(out, /No change to the rendered environments against HEAD/);

    const file = path.join(dir, 'environments', 'local.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('storageSize: 2Gi', 'storageSize: 3Gi'));
    out = '';
    assert.equal(await main(['--env', 'local', '--against', 'HEAD'], dir, print), CHANGED);
    assert.match(out, /### postgres\n- changed Cluster \S+\n  - spec\.storage\.size: "2Gi" → "3Gi"/);

    await assert.rejects(main(['--against', 'no-such-ref'], dir, print), /--against no-such-ref: not a commit/);

    // A committed file with a name git would quote: read, and reported as removed.
    fs.writeFileSync(path.join(dir, 'dist', 'local', 'airflow', 'ConfigMap.café.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: café\n');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'odd name');
    out = '';
    assert.equal(await main(['--env', 'local'], dir, print), CHANGED);
    assert.match(out, /- removed ConfigMap café/);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});
