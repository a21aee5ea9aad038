/** Each policy catches a hand-made violation; exemptions need a reason and match exactly. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkObject, checkObjects, Exemption } from '../lib/policies';
import { EXEMPTIONS } from '../lib/policies/exemptions';
import { K8sObject } from '../lib/policies/pod-specs';
import { renderPlatform } from '../lib/render';
import { envYaml, platformOf } from './support';

const goodContainer = {
  name: 'app',
  image: 'registry.example.com/app:1.2.3',
  resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
};

function deployment(container: Record<string, unknown>, pod: Record<string, unknown> = { seccompProfile: { type: 'RuntimeDefault' } }): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'ns' },
    spec: { template: { spec: { securityContext: pod, containers: [container] } } },
  };
}

const policies = (o: K8sObject) => checkObject(o).map((v) => v.policy);

test('a compliant workload passes', () => {
  assert.deepEqual(checkObject(deployment(goodContainer)), []);
});

test('no-plaintext-secret: a Secret with data or stringData', () => {
  const secret = (extra: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, ...extra });
  assert.deepEqual(policies(secret({ data: { a: 'eA==' } })), ['no-plaintext-secret']);
  assert.deepEqual(policies(secret({ stringData: { a: 'x' } })), ['no-plaintext-secret']);
  assert.deepEqual(policies(secret({})), []);
});

test('pinned-images: no tag, latest', () => {
  assert.deepEqual(policies(deployment({ ...goodContainer, image: 'nginx' })), ['pinned-images']);
  assert.deepEqual(policies(deployment({ ...goodContainer, image: 'registry:5000/nginx' })), ['pinned-images']);
  assert.deepEqual(policies(deployment({ ...goodContainer, image: 'nginx:latest' })), ['pinned-images']);
  assert.deepEqual(policies(deployment({ ...goodContainer, image: `nginx@sha256:${'a'.repeat(64)}` })), []);
});

test('resources-set: every request and limit', () => {
  const v = checkObject(deployment({ ...goodContainer, resources: { requests: { cpu: '1' } } }));
  assert.equal(v.length, 1);
  assert.match(v[0].message, /requests.memory, limits.cpu, limits.memory/);
});

test('restricted-security-context: root, escalation, capabilities, seccomp', () => {
  const v = checkObject(deployment({ ...goodContainer, securityContext: {} }, {}));
  const messages = v.map((x) => x.message).join('\n');
  assert.match(messages, /may run as root/);
  assert.match(messages, /privilege escalation/);
  assert.match(messages, /ALL capabilities/);
  assert.match(messages, /seccomp/);
  assert.ok(v.every((x) => x.policy === 'restricted-security-context' && x.container === 'app'));
});

test('the policies look into init containers, Jobs and CronJobs', () => {
  const cron: K8sObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c', namespace: 'ns' },
    spec: { jobTemplate: { spec: { template: { spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, initContainers: [{ ...goodContainer, image: 'x' }], containers: [goodContainer] } } } } },
  };
  assert.deepEqual(checkObject(cron).map((v) => [v.policy, v.container]), [['pinned-images', 'app']]);
});

test('helm-chart-pinned: a range or a missing failure policy', () => {
  const chart = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', metadata: { name: 'h', namespace: 'n' }, spec });
  assert.deepEqual(policies(chart({ version: '^1.0.0', failurePolicy: 'abort' })), ['helm-chart-pinned']);
  assert.deepEqual(policies(chart({ version: '1.0.0' })), ['helm-chart-pinned']);
  assert.deepEqual(policies(chart({ version: '1.0.0', failurePolicy: 'abort' })), []);
});

test('an exemption covers exactly its policy, object and container', () => {
  const bad = deployment({ ...goodContainer, image: 'nginx' });
  const exemption: Exemption = { policy: 'pinned-images', object: 'Deployment/ns/d', container: 'app', reason: 'test' };
  assert.deepEqual(checkObjects([bad], [exemption]), []);
  assert.equal(checkObjects([bad], [{ ...exemption, container: 'other' }]).length, 1);
  assert.equal(checkObjects([bad], [{ ...exemption, object: 'Deployment/ns/e' }]).length, 1);
  assert.equal(checkObjects([bad], [{ ...exemption, policy: 'resources-set' }]).length, 1);
});

test('every shipped exemption carries a reason', () => {
  for (const e of EXEMPTIONS) assert.ok(e.reason.trim().length > 10, `${e.policy} ${e.object}`);
});

test('a violation fails synth, naming the object and the policy', () => {
  const platform = platformOf(envYaml().replace('distribution: k3s', 'distribution: generic'));
  // Tamper with the helm-controller Deployment after composition.
  const deploymentObject = platform.app.node.findAll().find((c) => c.node.path === 'helm-controller/deployment/Resource');
  assert.ok(deploymentObject);
  (deploymentObject as unknown as { addJsonPatch(p: unknown): void }).addJsonPatch(
    (require('cdk8s') as typeof import('cdk8s')).JsonPatch.replace('/spec/template/spec/containers/0/image', 'rancher/helm-controller:latest'),
  );
  assert.throws(() => renderPlatform(platform), /Deployment\/helm-controller\/helm-controller container "helm-controller" image .* uses "latest".*\[pinned-images\]/);
});
