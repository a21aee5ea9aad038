/** Credentials: declared by components, filled by `npm run secrets`, emitted as SealedSecrets. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { fillSecrets, main as secretsMain } from '../lib/cli/secrets';
import { synthesize } from '../lib/cli/synth';
import { danglingSecretRefs } from '../lib/cli/validate';
import { UserError } from '../lib/errors';
import { K8sObject } from '../lib/policies/pod-specs';
import { randomAlphanumeric } from '../lib/secrets/catalog';
import { controllerUnseal as unseal } from './controller-unseal';
import { envYaml, readTree, seededRandom, tempProject, testKeyPair, userError, WITH_DEMO, platformOf } from './support';

async function project(): Promise<string> {
  const { certificatePem } = await testKeyPair();
  return tempProject({ 'environments/test.yaml': envYaml(), 'environments/certs/test.pem': certificatePem });
}

test('generated passwords are alphanumeric, of the asked length, and use the random source', () => {
  const a = randomAlphanumeric(seededRandom('a'), 40);
  assert.match(a, /^[A-Za-z0-9]{40}$/);
  assert.equal(randomAlphanumeric(seededRandom('a'), 40), a);
  assert.notEqual(randomAlphanumeric(seededRandom('b'), 40), a);
});

test('synth refuses a missing generated value and names the command that creates it', async () => {
  const dir = await project();
  const err = await Promise.resolve()
    .then(() => synthesize({ root: dir, components: WITH_DEMO(), log: () => undefined }))
    .catch((e: unknown) => e);
  assert.ok(err instanceof UserError);
  assert.match(err.message, /no sealed value for demo\/demo-db:password, demo\/demo-db:url/);
  assert.equal(err.problems[0].fix, 'npm run secrets -- --env test');
  assert.ok(!fs.existsSync(path.join(dir, 'dist')), 'nothing written');
});

test('a missing provided value names the exact npm run seal command', () => {
  const err = userError(() => platformOf(envYaml(), { components: WITH_DEMO({ provided: true, scope: 'namespace-wide' }) }));
  const p = err.problems.find((x) => /smtp-password/.test(x.message));
  assert.ok(p);
  assert.match(p.message, /SMTP password; from the mail provider/);
  assert.equal(p.fix, 'npm run seal -- --env test --namespace demo --name demo-db --key smtp-password --scope namespace-wide --from-file <file>');
});

test('sealed-secrets disabled while a component needs credentials is an error', () => {
  const err = userError(() =>
    platformOf(envYaml().replace('components: {}', 'components:\n  sealedSecrets:\n    enabled: false'), { components: WITH_DEMO() }),
  );
  assert.ok(err.problems.some((p) => p.path === '/components/sealedSecrets/enabled' && /demo need credentials/.test(p.message)));
});

test('npm run secrets fills generated values, sealed and decryptable, and synth then emits SealedSecrets', async () => {
  const dir = await project();
  const { privateKeyPem } = await testKeyPair();
  const result = fillSecrets(dir, 'test', { components: WITH_DEMO(), random: seededRandom() });
  assert.deepEqual(result.generated, ['demo/demo-db:password', 'demo/demo-db:url']);
  const stored = yaml.load(fs.readFileSync(path.join(dir, 'environments/sealed/test.yaml'), 'utf8')) as {
    secrets: Record<string, { scope: string; data: Record<string, string> }>;
  };
  const entry = stored.secrets['demo/demo-db'];
  assert.equal(entry.scope, 'strict');
  const password = unseal(privateKeyPem, entry.data.password, 'demo/demo-db').toString();
  assert.match(password, /^[A-Za-z0-9]{24}$/);
  assert.equal(unseal(privateKeyPem, entry.data.url, 'demo/demo-db').toString(), `postgresql://demo:${password}@db:5432/demo`);
  assert.throws(() => unseal(privateKeyPem, entry.data.password, 'demo/other'), 'a wrong label fails');

  synthesize({ root: dir, components: WITH_DEMO(), log: () => undefined });
  const tree = readTree(path.join(dir, 'dist/test'));
  const sealed = yaml.load(tree['demo/SealedSecret.demo-db.k8s.yaml']) as K8sObject & { spec: any };
  assert.equal(sealed.apiVersion, 'bitnami.com/v1alpha1');
  assert.equal(sealed.metadata.namespace, 'demo');
  assert.deepEqual(sealed.spec.encryptedData, entry.data);
  assert.deepEqual(sealed.spec.template, {
    type: 'kubernetes.io/basic-auth',
    metadata: { name: 'demo-db', namespace: 'demo', labels: { app: 'demo' } },
  });
  assert.equal((sealed.metadata as any).annotations['argocd.argoproj.io/sync-wave'], '-1');
  assert.ok(!Object.values(tree).some((t) => t.includes(password)), 'no plaintext anywhere in dist');
});

test('npm run secrets never re-seals an existing value, unless asked to rotate it', async () => {
  const dir = await project();
  fillSecrets(dir, 'test', { components: WITH_DEMO() });
  const file = path.join(dir, 'environments/sealed/test.yaml');
  const first = fs.readFileSync(file, 'utf8');
  assert.deepEqual(fillSecrets(dir, 'test', { components: WITH_DEMO() }).generated, []);
  assert.equal(fs.readFileSync(file, 'utf8'), first, 'no churn');
  assert.deepEqual(fillSecrets(dir, 'test', { components: WITH_DEMO(), rotate: ['demo/demo-db'], dryRun: true }).generated.length, 2);
  assert.equal(fs.readFileSync(file, 'utf8'), first, 'a dry run writes nothing');
  fillSecrets(dir, 'test', { components: WITH_DEMO(), rotate: ['demo/demo-db'] });
  assert.notEqual(fs.readFileSync(file, 'utf8'), first);
  assert.throws(() => fillSecrets(dir, 'test', { components: WITH_DEMO(), rotate: ['demo/nope'] }), /no such Secret/);
});

test('npm run secrets --all re-seals every generated value and lists every provided one to seal again', async () => {
  const dir = await project();
  const demo = WITH_DEMO({ provided: true });
  fillSecrets(dir, 'test', { components: demo, random: seededRandom('first') });
  const file = path.join(dir, 'environments/sealed/test.yaml');
  const first = fs.readFileSync(file, 'utf8');
  // Nothing missing: a plain run changes nothing, --all regenerates everything.
  assert.deepEqual(fillSecrets(dir, 'test', { components: demo }).generated, []);
  const all = fillSecrets(dir, 'test', { components: demo, all: true, random: seededRandom('second') });
  assert.deepEqual(all.generated, ['demo/demo-db:password', 'demo/demo-db:url']);
  assert.equal(all.toProvide.length, 1, 'the provided value, sealed for the old certificate, must be sealed again');
  assert.match(all.toProvide[0], /--key smtp-password/);
  assert.notEqual(fs.readFileSync(file, 'utf8'), first);
  await assert.rejects(secretsMain(['--env', 'test', '--all', '--rotate', 'demo/demo-db'], dir), /--all and --rotate together/);
});

test('npm run secrets lists values only a person can give, with the seal command', async () => {
  const dir = await project();
  const result = fillSecrets(dir, 'test', { components: WITH_DEMO({ provided: true }) });
  assert.deepEqual(result.generated, ['demo/demo-db:password', 'demo/demo-db:url']);
  assert.equal(result.toProvide.length, 1);
  assert.match(result.toProvide[0], /^npm run seal -- --env test --namespace demo --name demo-db --key smtp-password --from-file <file> {4}# SMTP password/);
});

test('npm run secrets: usage errors', async () => {
  const dir = await project();
  await assert.rejects(secretsMain([], dir), /--env is required/);
  await assert.rejects(secretsMain(['--env', 'nope'], dir), /no environment "nope"/);
  await assert.rejects(secretsMain(['--env', 'test', '--force'], dir), /unknown option --force/);
  assert.equal(await secretsMain(['--env', 'test', '--dry-run'], dir), 0);
});

test('a scope other than the one sealed with is an error', async () => {
  const dir = await project();
  fillSecrets(dir, 'test', { components: WITH_DEMO() });
  const err = await Promise.resolve()
    .then(() => synthesize({ root: dir, components: WITH_DEMO({ scope: 'cluster-wide' }), log: () => undefined }))
    .catch((e: unknown) => e);
  assert.ok(err instanceof UserError);
  assert.match(err.message, /sealed with scope "strict", but demo needs scope "cluster-wide"/);
});

test('validate: a workload referencing a Secret that no SealedSecret creates', () => {
  const pod = (secret: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'demo' },
    spec: { containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: secret, key: 'k' } } }] }] },
  });
  const sealed: K8sObject = { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'db', namespace: 'demo' } };
  assert.deepEqual(danglingSecretRefs([sealed, pod('db')]), []);
  assert.match(danglingSecretRefs([sealed, pod('other')])[0], /references Secret "other"/);
});
