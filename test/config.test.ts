/** Environment files: defaults, and every error a user can make, with its message. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProblem } from '../lib/errors';
import { envYaml, loadConfig, userError } from './support';

test('a minimal file resolves with documented defaults', () => {
  const c = loadConfig(envYaml());
  assert.equal(c.name, 'test');
  assert.equal(c.cluster.helmController, 'builtin');
  assert.equal(c.gitops.path, 'dist');
  assert.equal(c.sealing.certificate, 'environments/certs/test.pem');
  assert.deepEqual(c.argocd, { install: true, namespace: 'argocd', ha: false });
  assert.equal(c.components.sealedSecrets.enabled, true);
  assert.equal(c.components.sealedSecrets.namespace, 'sealed-secrets');
  assert.ok(Object.isFrozen(c.cluster), 'the config is frozen');
});

test('a generic cluster defaults to installing the helm-controller', () => {
  const c = loadConfig(envYaml().replace('distribution: k3s', 'distribution: generic'));
  assert.equal(c.cluster.helmController, 'install');
});

test('YAML syntax error: file, line and column', () => {
  const err = userError(() => loadConfig('cluster:\n  name: "unclosed\n  server: x\n'));
  const [p] = err.problems;
  assert.equal(p.file, 'environments/test.yaml');
  assert.equal(typeof p.line, 'number');
  assert.equal(typeof p.column, 'number');
  assert.match(p.message, /YAML syntax error/);
  assert.match(err.message, /environments\/test\.yaml:\d+:\d+/);
});

test('every schema violation at once, with path and line', () => {
  const text = envYaml()
    .replace('name: test', 'name: Test_Cluster')
    .replace('distribution: k3s', 'distribution: k3d')
    .replace('targetRevision: main', 'targetRevison: main');
  const err = userError(() => loadConfig(text));
  const byPath = new Map(err.problems.map((p) => [p.path, p]));
  const name = byPath.get('/cluster/name');
  assert.ok(name, 'names the bad cluster name');
  assert.equal(name.line, 2);
  assert.match(name.message, /DNS-1123 label/);
  const dist = byPath.get('/cluster/distribution');
  assert.ok(dist);
  assert.equal(dist.line, 4);
  assert.match(dist.message, /"k3s", "rke2", "generic"/);
  assert.match(dist.fix ?? '', /did you mean "k3s"/);
  const typo = byPath.get('/gitops/targetRevison');
  assert.ok(typo, 'a misspelt key is reported at the key');
  assert.match(typo.message, /unknown key "targetRevison"/);
  assert.match(typo.fix ?? '', /did you mean "targetRevision"/);
  assert.ok(byPath.get('/gitops'), 'the missing targetRevision is reported too');
  assert.match(byPath.get('/gitops')!.message, /missing required key "targetRevision"/);
  assert.ok(err.problems.length >= 4);
});

test('a nested misspelt key names the key and its line', () => {
  const err = userError(() => loadConfig(envYaml().replace('components: {}', 'components:\n  sealedSecret:\n    enabled: true')));
  const p = err.problems.find((x) => x.path === '/components/sealedSecret');
  assert.ok(p);
  assert.equal(p.line, 12);
  assert.match(p.fix ?? '', /did you mean "sealedSecrets"/);
});

test('wrong types say what was expected', () => {
  const err = userError(() => loadConfig(envYaml('argocd:\n  install: "yes"\n')));
  const p = err.problems.find((x) => x.path === '/argocd/install');
  assert.ok(p);
  assert.match(p.message, /expected boolean, got string "yes"/);
});

test('a bad resource quantity explains the format', () => {
  const err = userError(() =>
    loadConfig(
      envYaml().replace(
        'components: {}',
        'components:\n  sealedSecrets:\n    resources:\n      requests: { cpu: 1 core, memory: 64Mi }\n      limits: { cpu: 1, memory: 1GB }',
      ),
    ),
  );
  const paths = err.problems.map((p) => p.path);
  assert.ok(paths.includes('/components/sealedSecrets/resources/requests/cpu'));
  assert.ok(paths.includes('/components/sealedSecrets/resources/limits/memory'));
  assert.match(err.message, /binary units such as 256Mi/);
});

test('a malformed git URL is rejected with the accepted forms', () => {
  const err = userError(() => loadConfig(envYaml().replace('https://git.example.com/org/platform.git', 'git.example.com/org/platform')));
  assert.equal(err.problems[0].path, '/gitops/repoURL');
  assert.match(err.problems[0].message, /git URL/);
});

test('an empty file or a list is not an environment', () => {
  assert.match(userError(() => loadConfig('')).message, /expected a mapping/);
  assert.match(userError(() => loadConfig('- a\n- b\n')).message, /expected a mapping/);
});

test('the environment name (file name) must be a DNS label', () => {
  const err = userError(() => loadConfig(envYaml(), 'environments/My_Env.yaml'));
  assert.match(err.message, /environment name "My_Env"/);
  assert.match(err.problems[0].fix ?? '', /environments\/my-env\.yaml/);
});

test('semantic: a generic cluster with the builtin helm-controller', () => {
  const err = userError(() =>
    loadConfig(envYaml().replace('distribution: k3s', 'distribution: generic\n  helmController: builtin')),
  );
  const p = err.problems[0];
  assert.equal(p.path, '/cluster/helmController');
  assert.equal(p.line, 5);
  assert.match(p.fix ?? '', /"install"/);
});

test('semantic: installing a second helm-controller on k3s', () => {
  const err = userError(() => loadConfig(envYaml().replace('distribution: k3s', 'distribution: k3s\n  helmController: install')));
  assert.match(err.problems[0].message, /already runs a helm-controller/);
});

test('semantic: a bootstrapped Argo CD reaches its cluster in-cluster only', () => {
  const err = userError(() => loadConfig(envYaml().replace('https://kubernetes.default.svc', 'https://k8s.example.com')));
  assert.equal(err.problems[0].path, '/cluster/server');
  assert.match(err.problems[0].fix ?? '', /argocd.install to false/);
  // With an existing Argo CD, an external server is fine.
  const ok = loadConfig(envYaml('argocd:\n  install: false\n').replace('https://kubernetes.default.svc', 'https://k8s.example.com'));
  assert.equal(ok.cluster.server, 'https://k8s.example.com');
});

test('semantic: two components may not share a namespace', () => {
  const err = userError(() => loadConfig(envYaml('argocd:\n  namespace: shared\n').replace('components: {}', 'components:\n  sealedSecrets:\n    namespace: shared')));
  const p = err.problems[0];
  assert.equal(p.path, '/components/sealedSecrets/namespace');
  assert.match(p.message, /namespace "shared" is already used by \/argocd\/namespace/);
});

test('problems format as file:line:col: path: message with the fix', () => {
  const text = formatProblem({ file: 'environments/x.yaml', line: 3, column: 5, path: '/a/b', message: 'bad', fix: 'do this' });
  assert.equal(text, 'environments/x.yaml:3:5: /a/b: bad\n    fix: do this');
});
