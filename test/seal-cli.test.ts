import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { controllerLabel, controllerUnseal } from './controller-unseal';
import { envYaml } from './support';

const SEAL = path.join(__dirname, '..', 'lib', 'cli', 'seal.js');
const KEYS = path.join(__dirname, '..', 'lib', 'cli', 'keys.js');

/**
 * A project with environments dev (which gets keys), staging (which has none)
 * and custom (its own certificate path and controller namespace).
 */
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-cli-'));
fs.mkdirSync(path.join(root, 'environments'));
fs.writeFileSync(path.join(root, 'environments', 'dev.yaml'), envYaml());
fs.writeFileSync(path.join(root, 'environments', 'staging.yaml'), envYaml());
fs.writeFileSync(
  path.join(root, 'environments', 'custom.yaml'),
  envYaml('sealing:\n  certificate: certs/custom.pem\n').replace('components: {}', 'components:\n  sealedSecrets:\n    namespace: kube-system'),
);
fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules/\nenvironments/keys/\n');
after(() => fs.rmSync(root, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a CLI as `npm run` would (from the project root), with `input` on stdin. */
function run(cli: string, args: string[], input = ''): Run {
  const env = { ...process.env };
  delete env.npm_lifecycle_event; // resolve relative paths from cwd, not from npm's INIT_CWD
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, input, encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Asserts a clean user error: exit 1, a message on stderr, no stack trace, nothing on stdout. */
function assertUserError(result: Run, pattern: RegExp): void {
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(result.stdout, '');
}

// Made once by the first test, used by the others (node:test runs a file's tests in order).
let privateKeyPem = '';

function sealedFile(): { secrets: Record<string, { scope: string; data: Record<string, string> }> } {
  return yaml.load(fs.readFileSync(path.join(root, 'environments', 'sealed', 'dev.yaml'), 'utf8')) as ReturnType<typeof sealedFile>;
}

test('keys writes the certificate and the private key Secret (mode 0600) and prints the kubectl commands', () => {
  const result = run(KEYS, ['--env', 'dev', '--key-size', '2048', '--root', root]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(
    result.stdout,
    /kubectl create namespace sealed-secrets; \} && kubectl apply -f environments\/keys\/dev\.key\.yaml/,
  );
  assert.doesNotMatch(result.stdout, /WARNING: \.gitignore/);

  const certificate = fs.readFileSync(path.join(root, 'environments', 'certs', 'dev.pem'), 'utf8');
  const keyFile = path.join(root, 'environments', 'keys', 'dev.key.yaml');
  if (process.platform !== 'win32') assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
  const text = fs.readFileSync(keyFile, 'utf8');
  assert.match(text, /^# PRIVATE KEY of environment "dev": NEVER COMMIT/);
  const secret = yaml.load(text) as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
  assert.equal(secret.metadata.labels['sealedsecrets.bitnami.com/sealed-secrets-key'], 'active');
  assert.equal(Buffer.from(secret.data['tls.crt'], 'base64').toString(), certificate);
  privateKeyPem = Buffer.from(secret.data['tls.key'], 'base64').toString();
});

test('keys refuses to replace an existing key pair without --force', () => {
  const before = fs.readFileSync(path.join(root, 'environments', 'certs', 'dev.pem'), 'utf8');
  const result = run(KEYS, ['--env', 'dev', '--root', root]);
  assertUserError(result, /already has a sealing key/);
  assert.match(result.stderr, /--force/);
  assert.match(result.stderr, /invalidates every sealed value/);
  assert.equal(fs.readFileSync(path.join(root, 'environments', 'certs', 'dev.pem'), 'utf8'), before);
});

test('seal --from-file stores ciphertext that the controller decrypts', () => {
  const valueFile = path.join(root, 'password.txt');
  fs.writeFileSync(valueFile, 'p4ss\n'); // byte-exact: the newline is kept
  const result = run(SEAL, ['--env', 'dev', '--namespace', 'mlflow', '--name', 'mlflow-db', '--key', 'password', '--from-file', valueFile, '--root', root]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trim().split('\n').length, 1);
  assert.match(result.stderr, /mlflow\/mlflow-db key "password" .*environments\/sealed\/dev\.yaml/);

  const text = fs.readFileSync(path.join(root, 'environments', 'sealed', 'dev.yaml'), 'utf8');
  assert.match(text, /^# Sealed values for environment "dev": ciphertext only, safe to commit\./);
  assert.doesNotMatch(text, /p4ss/);
  const entry = sealedFile().secrets['mlflow/mlflow-db'];
  assert.equal(entry.scope, 'strict');
  assert.equal(controllerUnseal(privateKeyPem, entry.data.password, 'mlflow/mlflow-db').toString(), 'p4ss\n');
});

test('seal from stdin drops one trailing newline and adds keys to the same Secret', () => {
  const args = ['--env', 'dev', '--namespace', 'mlflow', '--name', 'mlflow-db', '--root', root];
  assert.equal(run(SEAL, [...args, '--key', 'username'], 'mlflow\n').status, 0);
  assert.equal(run(SEAL, [...args, '--key', 'raw'], 'two\n\n').status, 0);
  const entry = sealedFile().secrets['mlflow/mlflow-db'];
  assert.deepEqual(Object.keys(entry.data), ['password', 'raw', 'username']);
  assert.equal(controllerUnseal(privateKeyPem, entry.data.username, 'mlflow/mlflow-db').toString(), 'mlflow');
  assert.equal(controllerUnseal(privateKeyPem, entry.data.raw, 'mlflow/mlflow-db').toString(), 'two\n');
  assertUserError(run(SEAL, [...args, '--key', 'empty'], ''), /the value on standard input is empty/);
});

test('seal with a non-strict scope records it, and refuses to mix scopes in one Secret', () => {
  const args = ['--env', 'dev', '--namespace', 'airflow', '--name', 'git-ssh', '--scope', 'namespace-wide', '--root', root];
  assert.equal(run(SEAL, [...args, '--key', 'ssh-privatekey'], 'KEY').status, 0);
  const entry = sealedFile().secrets['airflow/git-ssh'];
  assert.equal(entry.scope, 'namespace-wide');
  assert.equal(controllerUnseal(privateKeyPem, entry.data['ssh-privatekey'], controllerLabel('airflow', 'git-ssh', 'namespace-wide')).toString(), 'KEY');

  const mixed = run(SEAL, ['--env', 'dev', '--namespace', 'airflow', '--name', 'git-ssh', '--key', 'known_hosts', '--root', root], 'x');
  assertUserError(mixed, /airflow\/git-ssh is sealed with scope "namespace-wide", not "strict"/);
});

test('seal --raw prints only the base64 ciphertext', () => {
  const cert = path.join(root, 'environments', 'certs', 'dev.pem');
  const result = run(SEAL, ['--raw', '--cert', cert, '--namespace', 'ns', '--name', 'app', '--key', 'k', '--scope', 'cluster-wide'], 'raw value\n');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.equal(controllerUnseal(privateKeyPem, result.stdout, '').toString(), 'raw value');

  const strict = run(SEAL, ['--raw', '--cert', cert, '--namespace', 'ns', '--name', 'app'], 'v');
  assert.equal(controllerUnseal(privateKeyPem, strict.stdout, 'ns/app').toString(), 'v');
});

test('seal without a certificate says to run npm run keys', () => {
  const result = run(SEAL, ['--env', 'staging', '--namespace', 'a', '--name', 'b', '--key', 'c', '--root', root], 'v');
  assertUserError(result, /environments\/certs\/staging\.pem does not exist/);
  assert.ok(result.stderr.includes('npm run keys -- --env staging'), result.stderr);
  assert.ok(result.stderr.includes('kubeseal --fetch-cert --controller-namespace sealed-secrets > environments/certs/staging.pem'), result.stderr);
});

test('seal for an unknown environment lists the environments', () => {
  const result = run(SEAL, ['--env', 'prod', '--namespace', 'a', '--name', 'b', '--key', 'c', '--root', root], 'v');
  assertUserError(result, /there is no environment "prod"/);
  assert.match(result.stderr, /use one of: custom, dev, staging/);
});

test('bad command lines are user errors that name the flag', () => {
  assertUserError(run(SEAL, ['--env', 'dev', '--bogus']), /unknown option --bogus/);
  assertUserError(run(KEYS, ['--frce']), /unknown option --frce/);
  assertUserError(run(SEAL, ['--env', 'dev', '--namespace', 'a', '--key', 'c']), /--name is required/);
  assertUserError(run(SEAL, ['--env', 'dev', '--namespace', 'a', '--name', 'b', '--key', 'c', '--scope', 'wide']), /--scope "wide" is not a sealing scope/);
  assertUserError(run(SEAL, ['--env']), /--env needs a value/);
  assertUserError(run(SEAL, ['dev']), /unexpected argument "dev"/);
  assertUserError(run(SEAL, ['--env', 'dev', '--namespace', 'A', '--name', 'b', '--key', 'c', '--root', root]), /namespace "A" is not a valid/);
  assertUserError(run(SEAL, ['--raw', '--namespace', 'a', '--name', 'b']), /--cert is required/);
  assertUserError(run(SEAL, ['--raw', '--env', 'dev', '--cert', 'x', '--namespace', 'a', '--name', 'b']), /--raw and --env do not go together/);
  assertUserError(run(SEAL, ['--raw', '--cert', path.join(root, 'nope.pem'), '--namespace', 'a', '--name', 'b']), /cannot read .*nope\.pem/);
  assertUserError(run(KEYS, []), /--env is required/);
  assertUserError(run(SEAL, ['--env', 'dev', '--namespace', 'a', '--name', 'b', '--root', root], 'v'), /--key is required/);
  assertUserError(run(KEYS, ['--env', 'staging', '--key-size', 'big', '--root', root]), /--key-size "big" is not a number/);
});

test('a broken sealed values file stops seal with its location', () => {
  const file = path.join(root, 'environments', 'sealed', 'dev.yaml');
  const good = fs.readFileSync(file, 'utf8');
  try {
    fs.writeFileSync(file, `${good}extra: 1\n`);
    const result = run(SEAL, ['--env', 'dev', '--namespace', 'a', '--name', 'b', '--key', 'c', '--root', root], 'v');
    assertUserError(result, /environments\/sealed\/dev\.yaml:\d+:1: \/extra: unknown field "extra"/);
    assert.equal(fs.readFileSync(file, 'utf8'), `${good}extra: 1\n`, 'the file is left as it was');
  } finally {
    fs.writeFileSync(file, good);
  }
});

test('--help prints the usage and exits 0', () => {
  const seal = run(SEAL, ['--help']);
  assert.equal(seal.status, 0);
  assert.match(seal.stdout, /^Usage:\n {2}npm run seal -- --env <env>/);
  assert.match(seal.stdout, /ONE trailing newline removed/);
  const keys = run(KEYS, ['-h']);
  assert.equal(keys.status, 0);
  assert.match(keys.stdout, /npm run keys -- --env <env> \[--force\]/);
});

test('keys --force replaces the key pair and warns that sealed values must be sealed again', () => {
  const certFile = path.join(root, 'environments', 'certs', 'dev.pem');
  const before = fs.readFileSync(certFile, 'utf8');
  const result = run(KEYS, ['--env', 'dev', '--force', '--key-size', '2048', '--root', root]);
  assert.equal(result.status, 0, result.stderr);
  assert.notEqual(fs.readFileSync(certFile, 'utf8'), before);
  assert.match(result.stdout, /WARNING: the 4 value\(s\) in environments\/sealed\/dev\.yaml were sealed with the old certificate/);
});

test('the environment file can move the certificate and the controller namespace', () => {
  const keys = run(KEYS, ['--env', 'custom', '--key-size', '2048', '--root', root]);
  assert.equal(keys.status, 0, keys.stderr);
  assert.match(keys.stdout, /kubectl create namespace kube-system; \} && kubectl apply -f environments\/keys\/custom\.key\.yaml/);
  assert.match(keys.stdout, /Wrote certs\/custom\.pem/);
  assert.ok(fs.existsSync(path.join(root, 'certs', 'custom.pem')));
  const secret = yaml.load(fs.readFileSync(path.join(root, 'environments', 'keys', 'custom.key.yaml'), 'utf8')) as {
    metadata: { namespace: string };
    data: Record<string, string>;
  };
  assert.equal(secret.metadata.namespace, 'kube-system');

  const seal = run(SEAL, ['--env', 'custom', '--namespace', 'a', '--name', 'b', '--key', 'c', '--root', root], 'v');
  assert.equal(seal.status, 0, seal.stderr);
  const stored = yaml.load(fs.readFileSync(path.join(root, 'environments', 'sealed', 'custom.yaml'), 'utf8')) as ReturnType<typeof sealedFile>;
  const key = Buffer.from(secret.data['tls.key'], 'base64').toString();
  assert.equal(controllerUnseal(key, stored.secrets['a/b'].data.c, 'a/b').toString(), 'v');
});
