import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { coalesceValues, createValuesValidator } from '../lib/validation/chart-values';
import { readCrdSchemaFiles, readDistObjects } from '../lib/validation/files';
import { createBuiltinValidator } from '../lib/validation/k8s-openapi';
import { createValidator, crdToSchemaFile } from '../lib/validation/schemas';
import { toJsonSchema } from '../lib/validation/structural';
import { UserError } from '../lib/errors';

const root = path.resolve(__dirname, '..', '..');
const validator = createValidator(readCrdSchemaFiles(path.join(root, 'imports')));

function deployment(spec: Record<string, unknown> = {}, container: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps', labels: { app: 'web' }, annotations: { note: 'x' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80, name: 'http' }],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1 } },
              livenessProbe: { httpGet: { path: '/', port: 'http' } },
              ...container,
            },
          ],
        },
      },
      ...spec,
    },
  };
}

function helmChart(spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'helm.cattle.io/v1',
    kind: 'HelmChart',
    metadata: { name: 'traefik', namespace: 'kube-system' },
    spec: { chart: 'traefik', repo: 'https://traefik.github.io/charts', version: '39.0.0', valuesContent: 'ports: {}\n', ...spec },
  };
}

test('a valid Deployment passes', () => {
  assert.deepEqual(validator.validateObject(deployment()), []);
});

test('a misspelt Deployment field is reported at its path', () => {
  assert.deepEqual(validator.validateObject(deployment({ replica: 2 })), ['/spec/replica: unknown field']);
  assert.deepEqual(validator.validateObject(deployment({}, { imagePullPolcy: 'Always' })), [
    '/spec/template/spec/containers/0/imagePullPolcy: unknown field',
  ]);
});

test('a Deployment field of the wrong type is reported at its path', () => {
  // kubernetes-models' validators do not keep the value, so no "(got ...)" here.
  assert.deepEqual(validator.validateObject(deployment({ replicas: '2' })), ['/spec/replicas: must be integer']);
  assert.deepEqual(validator.validateObject(deployment({ strategy: { rollingUpdate: { maxSurge: true } } })), [
    '/spec/strategy/rollingUpdate/maxSurge: must be string or integer',
  ]);
});

test('a missing required field and a missing name are reported', () => {
  const obj = deployment();
  delete (obj.spec as Record<string, unknown>).selector;
  delete (obj.metadata as Record<string, unknown>).name;
  assert.deepEqual(validator.validateObject(obj), ['/metadata/name: must be a non-empty string', '/spec/selector: required field is missing']);
});

test('free-form maps and other core kinds validate', () => {
  const objects = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'any.key': 'value' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { a: 'b' } } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'j', image: 'busybox' }] } } } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { minAvailable: 1, selector: { matchLabels: { a: 'b' } } } },
  ];
  for (const obj of objects) assert.deepEqual(validator.validateObject(obj), [], `${obj.kind}`);
});

test('a valid HelmChart passes', () => {
  assert.deepEqual(validator.validateObject(helmChart()), []);
});

test('a HelmChart with an unknown or mistyped spec field fails', () => {
  assert.deepEqual(validator.validateObject(helmChart({ valuesContnet: 'a: 1' })), ['/spec/valuesContnet: unknown field']);
  assert.deepEqual(validator.validateObject(helmChart({ createNamespace: 'yes' })), ['/spec/createNamespace: must be boolean (got string)']);
});

test('a SealedSecret, an Argo CD Application and an AppProject validate', () => {
  const sealed = {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    metadata: { name: 's', namespace: 'apps' },
    spec: { encryptedData: { password: 'AgBy3i4OJSWK+PiTySYZZA==' }, template: { metadata: { name: 's', namespace: 'apps' }, type: 'Opaque' } },
  };
  const application = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'platform', namespace: 'argocd' },
    spec: {
      project: 'platform',
      source: { repoURL: 'https://example.com/repo.git', targetRevision: 'main', path: 'dist/dev/apps', directory: { recurse: true } },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'apps' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    },
  };
  const project = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'platform', namespace: 'argocd' },
    spec: {
      description: 'Platform',
      sourceRepos: ['https://example.com/repo.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  };
  for (const obj of [sealed, application, project]) assert.deepEqual(validator.validateObject(obj), [], obj.kind);
  assert.deepEqual(validator.validateObject({ ...application, spec: { ...application.spec, destination: { server: 1 } } }), [
    '/spec/destination/server: must be string (got number)',
  ]);
});

test('unknown kinds and malformed objects fail', () => {
  assert.deepEqual(validator.validateObject({ apiVersion: 'v1', kind: 'Nonsense', metadata: { name: 'x' } }), ['/: no schema for v1 Nonsense']);
  assert.deepEqual(validator.validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } }), [
    '/: no schema for example.com/v1 Widget',
  ]);
  assert.deepEqual(validator.validateObject({ apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: { name: 'x' } }), [
    '/: no schema for apps/v1 DeploymentSpec',
  ]);
  assert.deepEqual(validator.validateObject('text'), ['/: must be an object (a Kubernetes resource)']);
  assert.deepEqual(validator.validateObject({ metadata: { name: 'x' } }), ['/apiVersion: must be a non-empty string', '/kind: must be a non-empty string']);
});

test('structural schemas: unknown fields, preserved fields, int-or-string, nullable, embedded resources', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Namespaced',
      versions: [
        { name: 'v1alpha1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  'x-kubernetes-validations': [{ rule: 'self.size != "0"' }],
                  properties: {
                    size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                    note: { type: 'string', nullable: true, format: 'duration', pattern: '^(?i)x' },
                    extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
                    template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
                    anyOfOnly: { type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ required: ['a'] }, { properties: { a: { pattern: '^x' } } }] },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
  const file = crdToSchemaFile(crd, 'test');
  assert.ok(file);
  assert.deepEqual(Object.keys(file.versions), ['v1']);
  const widgets = createValidator([file]);
  const widget = (spec: Record<string, unknown>): unknown => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
  assert.deepEqual(widgets.validateObject(widget({ size: 3, note: null, extra: { anything: [1] }, template: { apiVersion: 'v1', kind: 'X', metadata: {}, spec: {} } })), []);
  assert.deepEqual(widgets.validateObject(widget({ size: '50%', note: '1h', anyOfOnly: { a: 'x' } })), []);
  assert.deepEqual(widgets.validateObject(widget({ size: true, colour: 'red' })), ['/spec/colour: unknown field', '/spec/size: must be integer or string (got boolean)']);
  assert.deepEqual(widgets.validateObject(widget({})), ['/spec/size: required field is missing']);
  assert.deepEqual(widgets.validateObject({ apiVersion: 'example.com/v1alpha1', kind: 'Widget', metadata: { name: 'w' } }), [
    '/: no schema for example.com/v1alpha1 Widget',
  ]);
  // Junctor branches are never closed, and documentation keywords are gone.
  const converted = toJsonSchema({ type: 'object', description: 'd', properties: { a: { type: 'string' } }, anyOf: [{ properties: { a: {} } }] });
  assert.deepEqual(converted, { type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ properties: { a: {} } }], additionalProperties: false });
});

test('built-in definitions: unknown fields, missing APIs, IntOrString, nulls', () => {
  const definitions = {
    'io.k8s.api.core.v1.ConfigMap': {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
        data: { type: 'object', additionalProperties: { type: 'string' } },
        port: { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' },
        raw: { $ref: '#/definitions/io.k8s.apimachinery.pkg.runtime.RawExtension' },
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'ConfigMap', version: 'v1' }],
    },
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { type: 'object', properties: { name: { type: 'string' }, creationTimestamp: { type: 'string' } } },
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object', properties: { x: { type: 'string' } } },
  };
  const k8s = createBuiltinValidator('1.99', { definitions });
  assert.equal(k8s.label, 'k8s 1.99');
  assert.ok(k8s.servesGroup('') && !k8s.servesGroup('apps'));
  const ok = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', creationTimestamp: null }, data: { a: 'b' }, port: 'http', raw: { y: 1 } };
  assert.deepEqual(k8s.validate(ok).errors, []);
  assert.deepEqual(k8s.validate({ ...ok, port: 1.5, dta: {} }).errors, ['/dta: unknown field', '/port: must be string or integer (got number)']);
  assert.deepEqual(k8s.validate({ apiVersion: 'apps/v1', kind: 'Deployment' }).errors, [
    '/: apps/v1 Deployment does not exist in Kubernetes 1.99 (no API group "apps")',
  ]);
});

test('chart values: defaults are coalesced, then validated', () => {
  assert.deepEqual(coalesceValues({ a: { b: 1, c: 2 }, d: [1], e: 'x' }, { a: { b: 3 }, d: [2], e: null }), { a: { b: 3, c: 2 }, d: [2] });
  const check = createValuesValidator({
    $schema: 'http://json-schema.org/schema#',
    type: 'object',
    required: ['image'],
    properties: { image: { type: 'string' }, replicas: { type: 'integer' } },
    additionalProperties: false,
  });
  assert.deepEqual(check(coalesceValues({ image: 'x' }, { replicas: 2 })), []);
  assert.deepEqual(check({ replicas: 'two', other: 1 }), ['/image: required field is missing', '/other: unknown field', '/replicas: must be integer (got string)']);
  const check2020 = createValuesValidator({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $defs: { port: { type: 'integer' } },
    properties: { port: { $ref: '#/$defs/port' } },
    unevaluatedProperties: false,
  });
  assert.deepEqual(check2020({ port: 80, other: 1 }), ['/: must NOT have unevaluated properties']);
});

test('readDistObjects reads every *.k8s.yaml in sorted order, one document each', () => {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-'));
  try {
    fs.mkdirSync(path.join(dist, 'dev', 'bootstrap', '01-argocd'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'dev', 'bootstrap', '01-argocd', 'Namespace.argocd.k8s.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: argocd\n');
    fs.writeFileSync(path.join(dist, 'dev', 'ConfigMap.a.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    fs.writeFileSync(path.join(dist, 'dev', 'notes.yaml'), 'ignored: true\n');
    const objects = readDistObjects(dist);
    assert.deepEqual(
      objects.map((o) => path.relative(dist, o.file)),
      [path.join('dev', 'ConfigMap.a.k8s.yaml'), path.join('dev', 'bootstrap', '01-argocd', 'Namespace.argocd.k8s.yaml')],
    );
    assert.deepEqual(objects[1].object, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } });
    fs.writeFileSync(path.join(dist, 'dev', 'Two.k8s.yaml'), 'a: 1\n---\nb: 2\n');
    assert.throws(() => readDistObjects(dist), UserError);
  } finally {
    fs.rmSync(dist, { recursive: true, force: true });
  }
});
