/**
 * npm run versions: every pin of lib/config/versions.ts in one table, with
 * the components that deploy it in the shipped environments.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { README_ENVIRONMENTS } from '../scripts/readme-argocd-cm';
import { renderEnvironments } from '../lib/cli/synth';
import { CHARTS, IMAGES } from '../lib/config/versions';
import { imageUpstream, versionRows, versionsMarkdown } from '../lib/versions-table';
import { ROOT } from './support';

const rows = versionRows(renderEnvironments(ROOT, ['local', 'staging', 'prod']).flatMap((r) => r.files));

test('every chart and image pinned in versions.ts is a row, with its version and where upstream publishes it', () => {
  for (const [key, c] of Object.entries(CHARTS)) {
    const row = rows.find((r) => r.key === `CHARTS.${key}`)!;
    assert.deepEqual([row.kind, row.name, row.version], ['chart', c.chart, c.version]);
    assert.ok(row.upstream.startsWith(c.repo.replace(/\/$/, '')), row.upstream);
  }
  for (const [key, i] of Object.entries(IMAGES)) {
    const row = rows.find((r) => r.key === `IMAGES.${key}`)!;
    assert.deepEqual([row.kind, row.name, row.version], ['image', i.repository, i.tag]);
  }
  assert.ok(rows.some((r) => r.key === 'KAFKA_VERSION') && rows.some((r) => r.key === 'ELASTIC_STACK_VERSION') && rows.some((r) => r.key === 'DRIFT_PACKAGES'));
});

test('the components that deploy each pin, found in the rendered output', () => {
  const at = (key: string) => rows.find((r) => r.key === key)!.components;
  assert.deepEqual(at('CHARTS.kubePrometheusStack'), ['monitoring']);
  assert.deepEqual(at('IMAGES.airflow'), ['airflow']);
  assert.deepEqual(at('IMAGES.strimziOperator'), ['kafka'], 'split registry, repository and tag in chart values');
  assert.deepEqual(at('IMAGES.prefect'), ['prefect'], 'a chart\'s own tag key (prefectTag)');
  assert.deepEqual(at('CHARTS.gpuOperator'), [], 'only with gpu.plugin: gpu-operator, in no shipped environment');
  assert.ok(at('ELASTIC_STACK_VERSION').includes('logging'));
  // A tag that is the prefix of another (ray:2.46.0-py311 and ray:2.46.0-py311-gpu) is not mistaken for it.
  const gpuOnly = versionRows([{ path: 'training/Deployment.x.k8s.yaml', content: 'image: docker.io/rayproject/ray:2.46.0-py311-gpu\n' }]);
  assert.deepEqual(gpuOnly.filter((r) => r.components.length).map((r) => r.key), ['IMAGES.rayGpu']);
  // Everything else a shipped environment deploys is attributed.
  const unused = rows.filter((r) => r.components.length === 0).map((r) => r.key);
  assert.deepEqual(unused, ['CHARTS.gpuOperator']);
});

test('Markdown for a pull request, and registry pages', () => {
  const md = versionsMarkdown(rows);
  assert.match(md, /^\| component \| chart \/ image \| pinned \| in versions\.ts \| upstream \|\n\|---/);
  assert.match(md, /\| monitoring \| chart kube-prometheus-stack \| 88\.5\.3 \| `CHARTS\.kubePrometheusStack` \| https:\/\/prometheus-community\.github\.io\/helm-charts\/index\.yaml \(kube-prometheus-stack\) \|/);
  assert.equal(imageUpstream('docker.io/library/redis'), 'https://hub.docker.com/_/redis/tags');
  assert.equal(imageUpstream('quay.io/strimzi/operator'), 'https://quay.io/repository/strimzi/operator?tab=tags');
});

test('the README\'s versions table is the generated one (npm run readme)', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = readme.slice(readme.indexOf('<!-- versions:start (npm run readme) -->\n') + '<!-- versions:start (npm run readme) -->\n'.length, readme.indexOf('<!-- versions:end -->'));
  assert.equal(block, versionsMarkdown(versionRows(renderEnvironments(ROOT, README_ENVIRONMENTS).flatMap((r) => r.files))), 'README.md is out of date: run npm run readme');
});
