/** Synthesis: snapshots of the shipped environments, schemas, determinism, atomicity. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main as synthMain, renderEnvironments, synthesize } from '../lib/cli/synth';
import { validateDist } from '../lib/cli/validate';
import { listEnvironments } from '../lib/cli/environments';
import { UserError } from '../lib/errors';
import { readCrdSchemaFiles } from '../lib/validation/files';
import { createValidator } from '../lib/validation/schemas';
import { envYaml, matchSnapshot, readTree, ROOT, tempProject, testKeyPair } from './support';

/** The environments this project ships; a user's own environments/<name>.yaml is covered by ALL. */
const SHIPPED = ['local', 'prod', 'staging'];
/** Every environment in environments/, the shipped ones and any a user added. */
const ALL = listEnvironments(ROOT);

test('the three shipped environments exist (a user may add more)', () => {
  for (const env of SHIPPED) assert.ok(ALL.includes(env), env);
});

for (const env of SHIPPED) {
  test(`snapshot of ${env}`, () => {
    const [result] = renderEnvironments(ROOT, [env]);
    matchSnapshot(env, result.files.map((f) => `# ${f.path}\n${f.content}`).join('---\n'));
  });
}

test('every environment renders, and every rendered object is valid against its schema and the policies', () => {
  const validator = createValidator(readCrdSchemaFiles(path.join(ROOT, 'imports')));
  for (const r of renderEnvironments(ROOT, ALL)) {
    for (const f of r.files) assert.deepEqual(validator.validateObject(f.object), [], `${r.env}/${f.path}`);
  }
});

test('the committed dist/ is what synth renders, for every environment, and passes npm run validate', () => {
  for (const r of renderEnvironments(ROOT, ALL)) {
    const committed = readTree(path.join(ROOT, 'dist', r.env));
    const rendered = Object.fromEntries([...r.files, ...r.documents].map((f) => [f.path, f.content]));
    assert.deepEqual(Object.keys(committed).sort(), Object.keys(rendered).sort(), `dist/${r.env} file list; run npm run synth`);
    assert.deepEqual(committed, rendered, `dist/${r.env} content; run npm run synth`);
  }
  assert.deepEqual(validateDist(ROOT).errors, []);
});

/** A temporary project with two environments and a sealing certificate. */
async function project(extra: Record<string, string> = {}): Promise<string> {
  const { certificatePem } = await testKeyPair();
  return tempProject({
    'environments/alpha.yaml': envYaml(),
    'environments/beta.yaml': envYaml().replace('distribution: k3s', 'distribution: generic'),
    'environments/certs/alpha.pem': certificatePem,
    'environments/certs/beta.pem': certificatePem,
    ...extra,
  });
}

const quiet = { log: () => undefined };

test('deterministic: two runs give byte-identical trees', async () => {
  const dir = await project();
  synthesize({ root: dir, ...quiet });
  const first = readTree(path.join(dir, 'dist'));
  synthesize({ root: dir, ...quiet });
  assert.deepEqual(readTree(path.join(dir, 'dist')), first);
  assert.ok(Object.keys(first).length > 20);
  const text = Object.values(first).join('\n');
  assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT\d\d:\d\d/, 'no timestamps');
});

test('only the named environment is written', async () => {
  const dir = await project();
  synthesize({ root: dir, envs: ['beta'], ...quiet });
  assert.deepEqual(fs.readdirSync(path.join(dir, 'dist')), ['beta']);
});

test('paths are stable: dist/<env>/<component>/<Kind>.<name>.k8s.yaml', async () => {
  const dir = await project();
  synthesize({ root: dir, ...quiet });
  const files = Object.keys(readTree(path.join(dir, 'dist', 'beta')));
  for (const expected of [
    'apps/Application.beta-helm-controller.k8s.yaml',
    'apps/Application.beta-sealed-secrets.k8s.yaml',
    'apps/Application.beta-argocd.k8s.yaml',
    'bootstrap/00-namespaces/Namespace.argocd.k8s.yaml',
    'bootstrap/01-helm-controller/Deployment.helm-controller.k8s.yaml',
    'bootstrap/02-argocd/HelmChart.argo-cd.k8s.yaml',
    'bootstrap/03-root/AppProject.mlops-beta.k8s.yaml',
    'bootstrap/03-root/Application.beta-root.k8s.yaml',
    'helm-controller/Deployment.helm-controller.k8s.yaml',
    'sealed-secrets/HelmChart.sealed-secrets.k8s.yaml',
    'argocd/HelmChart.argo-cd.k8s.yaml',
  ]) {
    assert.ok(files.includes(expected), `${expected} in ${files.join(', ')}`);
  }
});

test('atomic: an error in any environment writes nothing and leaves dist/ as it was', async () => {
  const dir = await project();
  synthesize({ root: dir, ...quiet });
  const before = readTree(path.join(dir, 'dist'));
  fs.writeFileSync(path.join(dir, 'environments/beta.yaml'), envYaml().replace('name: test', 'name: BAD'));
  fs.writeFileSync(path.join(dir, 'environments/alpha.yaml'), envYaml('argocd:\n  ha: true\n'));
  assert.throws(() => synthesize({ root: dir, ...quiet }), UserError);
  assert.deepEqual(readTree(path.join(dir, 'dist')), before);
  assert.deepEqual(
    fs.readdirSync(path.join(dir, 'dist')).filter((f) => f.startsWith('.')),
    [],
    'no temporary folder is left behind',
  );
});

test('a component removed from the config disappears from dist/', async () => {
  const dir = await project();
  synthesize({ root: dir, ...quiet });
  assert.ok(fs.existsSync(path.join(dir, 'dist/alpha/argocd')));
  fs.writeFileSync(path.join(dir, 'environments/alpha.yaml'), envYaml('argocd:\n  install: false\n'));
  synthesize({ root: dir, ...quiet });
  assert.ok(!fs.existsSync(path.join(dir, 'dist/alpha/argocd')));
  assert.ok(!fs.existsSync(path.join(dir, 'dist/alpha/apps/Application.alpha-argocd.k8s.yaml')));
  assert.ok(!fs.existsSync(path.join(dir, 'dist/alpha/bootstrap/01-argocd')));
});

test('an environment removed from environments/ disappears from dist/', async () => {
  const dir = await project();
  synthesize({ root: dir, ...quiet });
  fs.rmSync(path.join(dir, 'environments/beta.yaml'));
  const lines: string[] = [];
  synthesize({ root: dir, log: (l) => lines.push(l) });
  assert.deepEqual(fs.readdirSync(path.join(dir, 'dist')), ['alpha']);
  assert.ok(lines.some((l) => /beta: removed/.test(l)));
});

test('synth prints one line per environment: components, objects, time', async () => {
  const dir = await project();
  const lines: string[] = [];
  synthesize({ root: dir, log: (l) => lines.push(l) });
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^alpha: 4 components \(sealed-secrets, argocd, cert-manager, cert-issuers\), \d+ objects, \d+ ms$/);
});

test('errors: unknown environment, unknown option, missing certificate', async () => {
  const dir = await project();
  const unknown = await synthMain(['gamma'], dir).catch((e: unknown) => e);
  assert.ok(unknown instanceof UserError);
  assert.match(unknown.message, /no environment "gamma"/);
  assert.match(unknown.problems[0].fix ?? '', /alpha, beta/);
  const flag = await synthMain(['--fast'], dir).catch((e: unknown) => e);
  assert.ok(flag instanceof UserError);
  assert.match(flag.message, /unknown option --fast/);
  fs.rmSync(path.join(dir, 'environments/certs/beta.pem'));
  const cert = await synthMain(['beta'], dir).catch((e: unknown) => e);
  assert.ok(cert instanceof UserError);
  assert.match(cert.message, /sealing certificate environments\/certs\/beta.pem does not exist/);
  assert.match(cert.problems[0].fix ?? '', /npm run keys -- --env beta/);
});

test('the benchmark estate renders (npm run bench measures it)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { renderLargeEstate } = require('../lib/cli/bench') as typeof import('../lib/cli/bench');
  const [staging] = renderEnvironments(ROOT, ['staging']);
  assert.equal(renderLargeEstate(ROOT, 2).objects, 2 * staging.files.length);
});
