import 'reflect-metadata';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as yaml from 'js-yaml';
import { UserError } from '../lib/errors';
import {
  SealingScope,
  encryptionLabel,
  publicKeyFromCertificate,
  scopeAnnotations,
  sealValue,
  sealedValueError,
} from '../lib/sealing/crypto';
import { generateSealingKeyPair, keySecretManifest, keySecretName, SEALING_KEY_LABEL } from '../lib/sealing/keys';
import {
  SealedValues,
  emptySealedValues,
  lookupSealedValue,
  parseSealedValues,
  serializeSealedValues,
  withSealedValue,
} from '../lib/sealing/sealed-values';
import { controllerLabel, controllerUnseal } from './controller-unseal';

// A 4096-bit key takes seconds to make: one for the whole file.
const keyPair = generateSealingKeyPair();
const SCOPES: readonly SealingScope[] = ['strict', 'namespace-wide', 'cluster-wide'];

/** A certificate made directly with @peculiar/x509, for the error cases. */
async function testCertificate(algorithm: RsaHashedKeyGenParams | EcKeyGenParams, notAfter: Date): Promise<string> {
  const signing = 'namedCurve' in algorithm ? { name: 'ECDSA', hash: 'SHA-256' } : algorithm;
  const keys = (await crypto.webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { name: 'CN=test', keys, signingAlgorithm: signing, notBefore: new Date(notAfter.getTime() - 86_400_000), notAfter },
    crypto.webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  return cert.toString('pem');
}
type RsaHashedKeyGenParams = { name: string; hash: string; modulusLength: number; publicExponent: Uint8Array };
type EcKeyGenParams = { name: string; namedCurve: string };
type CryptoKeyPair = { publicKey: crypto.webcrypto.CryptoKey; privateKey: crypto.webcrypto.CryptoKey };

/** The UserError `fn` throws; fails the test if it throws anything else. */
function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.ok(!e.message.includes('    at '), 'a UserError message has no stack trace');
    return e;
  }
  assert.fail('expected a UserError');
}

// ---- keys ----------------------------------------------------------------

test('the generated certificate is a self-signed RSA 4096 certificate for the private key', async () => {
  const { certificatePem, privateKeyPem } = await keyPair;
  const cert = new crypto.X509Certificate(certificatePem);
  const privateKey = crypto.createPrivateKey(privateKeyPem);
  assert.ok(cert.checkPrivateKey(privateKey), 'public key matches private key');
  assert.ok(cert.verify(cert.publicKey), 'self-signed');
  assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 4096);
  assert.match(cert.subject, /CN=sealed-secret/);
  assert.match(cert.subject, /O=sealed-secret/);
  assert.equal(cert.issuer, cert.subject);
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
  assert.ok(Math.abs(days - 3650) <= 1, `valid for 10 years, got ${days} days`);
  assert.ok(Date.parse(cert.validFrom) <= Date.now());
  // The controller stores PKCS#1; the public key derived from it is the certificate's.
  assert.match(privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  assert.equal(
    crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }),
    cert.publicKey.export({ type: 'spki', format: 'pem' }),
  );
});

test('key generation options: common name, validity, size; bad options are UserErrors', async () => {
  const pair = await generateSealingKeyPair({ commonName: 'my cn, with comma', validityDays: 30, keySize: 2048 });
  const cert = new crypto.X509Certificate(pair.certificatePem);
  assert.match(cert.subject, /CN=my cn\\, with comma/); // node escapes the comma
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(Math.round((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000), 30);
  await assert.rejects(generateSealingKeyPair({ keySize: 1024 }), (e: Error) => e instanceof UserError && /key size 1024/.test(e.message));
  await assert.rejects(generateSealingKeyPair({ validityDays: 0 }), UserError);
});

test('the key Secret manifest is a labelled kubernetes.io/tls Secret behind a warning header', async () => {
  const { certificatePem, privateKeyPem } = await keyPair;
  const name = keySecretName(certificatePem);
  assert.match(name, /^sealed-secrets-key-[0-9a-f]{12}$/);
  const text = keySecretManifest(certificatePem, privateKeyPem, { name, environment: 'dev', file: 'environments/keys/dev.key.yaml' });
  const header = text.split('\n').filter((l) => l.startsWith('#')).join('\n');
  assert.match(header, /PRIVATE KEY of environment "dev": NEVER COMMIT/);
  assert.ok(
    header.includes(
      '{ kubectl get namespace sealed-secrets >/dev/null 2>&1 || kubectl create namespace sealed-secrets; } && kubectl apply -f environments/keys/dev.key.yaml',
    ),
  );
  assert.match(header, /before the sealed-secrets controller starts/);
  const secret = yaml.load(text) as {
    apiVersion: string;
    kind: string;
    type: string;
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    data: Record<string, string>;
  };
  assert.equal(secret.apiVersion, 'v1');
  assert.equal(secret.kind, 'Secret');
  assert.equal(secret.type, 'kubernetes.io/tls');
  assert.deepEqual(secret.metadata, { name, namespace: 'sealed-secrets', labels: { [SEALING_KEY_LABEL]: 'active' } });
  assert.equal(SEALING_KEY_LABEL, 'sealedsecrets.bitnami.com/sealed-secrets-key');
  assert.equal(Buffer.from(secret.data['tls.crt'], 'base64').toString(), certificatePem);
  assert.equal(Buffer.from(secret.data['tls.key'], 'base64').toString(), privateKeyPem);

  const other = yaml.load(keySecretManifest(certificatePem, privateKeyPem, { name, namespace: 'kube-system' })) as typeof secret;
  assert.equal(other.metadata.namespace, 'kube-system');
  assert.match(userError(() => keySecretManifest(certificatePem, privateKeyPem, { name: 'Bad_Name' })).message, /Secret name "Bad_Name"/);
});

// ---- sealing ---------------------------------------------------------------

test('sealed values decrypt with the controller algorithm in every scope', async () => {
  const { certificatePem, privateKeyPem } = await keyPair;
  const values: (string | Buffer)[] = ['s3cret', 'ünïcødé ✓', Buffer.from([0, 1, 2, 255, 10]), 'x'.repeat(10_000)];
  for (const scope of SCOPES) {
    for (const value of values) {
      const ciphertext = sealValue(certificatePem, value, { namespace: 'mlflow', name: 'mlflow-db', scope });
      const plain = controllerUnseal(privateKeyPem, ciphertext, controllerLabel('mlflow', 'mlflow-db', scope));
      assert.deepEqual(plain, typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
    }
  }
});

test('the default scope is strict', async () => {
  const { certificatePem, privateKeyPem } = await keyPair;
  const ciphertext = sealValue(certificatePem, 'v', { namespace: 'a', name: 'b' });
  assert.equal(controllerUnseal(privateKeyPem, ciphertext, 'a/b').toString(), 'v');
});

test('a value does not decrypt under another namespace, name or scope', async () => {
  const { certificatePem, privateKeyPem } = await keyPair;
  const seal = (scope: SealingScope) => sealValue(certificatePem, 'v', { namespace: 'ns', name: 'app', scope });
  const fails = (ciphertext: string, label: string) =>
    assert.throws(() => controllerUnseal(privateKeyPem, ciphertext, label), Error, `label ${JSON.stringify(label)}`);

  const strict = seal('strict');
  fails(strict, 'other/app'); // wrong namespace
  fails(strict, 'ns/other'); // wrong name
  fails(strict, 'ns'); // namespace-wide label
  fails(strict, ''); // cluster-wide label

  const namespaceWide = seal('namespace-wide');
  fails(namespaceWide, 'other');
  fails(namespaceWide, 'ns/app');
  fails(namespaceWide, '');

  const clusterWide = seal('cluster-wide');
  fails(clusterWide, 'ns');
  fails(clusterWide, 'ns/app');

  // And not with another key pair.
  const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  assert.throws(() => controllerUnseal(other, sealValue(certificatePem, 'v', { namespace: 'ns', name: 'app' }), 'ns/app'));
});

test('framing: uint16 length 512, RSA block, GCM body and tag, standard base64', async () => {
  const { certificatePem } = await keyPair;
  for (const length of [0, 1, 31, 1000]) {
    const ciphertext = sealValue(certificatePem, Buffer.alloc(length, 7), { namespace: 'a', name: 'b' });
    assert.match(ciphertext, /^[A-Za-z0-9+/]+={0,2}$/);
    assert.equal(ciphertext.length % 4, 0);
    const bytes = Buffer.from(ciphertext, 'base64');
    assert.equal(bytes[0], 0x02);
    assert.equal(bytes[1], 0x00);
    assert.equal(bytes.length, 2 + 512 + length + 16);
    assert.equal(sealedValueError(ciphertext), undefined);
  }
});

test('sealing the same value twice gives different ciphertext', async () => {
  const { certificatePem } = await keyPair;
  const target = { namespace: 'a', name: 'b' };
  const seen = new Set(Array.from({ length: 5 }, () => sealValue(certificatePem, 'same', target)));
  assert.equal(seen.size, 5);
});

test('sealing accepts a parsed public key', async () => {
  const { certificatePem, privateKeyPem } = await keyPair;
  const key = publicKeyFromCertificate(certificatePem);
  assert.equal(controllerUnseal(privateKeyPem, sealValue(key, 'v', { namespace: 'a', name: 'b' }), 'a/b').toString(), 'v');
});

test('labels and annotations by scope', () => {
  assert.equal(encryptionLabel('ns', 'app', 'strict'), 'ns/app');
  assert.equal(encryptionLabel('ns', 'app', 'namespace-wide'), 'ns');
  assert.equal(encryptionLabel('ns', 'app', 'cluster-wide'), '');
  assert.deepEqual(scopeAnnotations('strict'), {});
  assert.deepEqual(scopeAnnotations('namespace-wide'), { 'sealedsecrets.bitnami.com/namespace-wide': 'true' });
  assert.deepEqual(scopeAnnotations('cluster-wide'), { 'sealedsecrets.bitnami.com/cluster-wide': 'true' });
  assert.match(userError(() => scopeAnnotations('wide' as SealingScope)).message, /unknown sealing scope "wide"/);
});

test('invalid names and scopes are UserErrors that say what is allowed', async () => {
  const { certificatePem } = await keyPair;
  const error = userError(() => sealValue(certificatePem, 'v', { namespace: 'My_NS', name: '-bad' }));
  assert.equal(error.problems.length, 2);
  assert.match(error.message, /namespace "My_NS" is not a valid Kubernetes namespace name/);
  assert.match(error.message, /Secret name "-bad" is not a valid Kubernetes name/);
  assert.match(userError(() => sealValue(certificatePem, 'v', { namespace: 'a'.repeat(64), name: 'b' })).message, /at most 63/);
  assert.match(
    userError(() => sealValue(certificatePem, 'v', { namespace: 'a', name: 'b', scope: 'global' as SealingScope })).message,
    /unknown sealing scope "global"/,
  );
});

test('the certificate must be an unexpired RSA PEM certificate', async () => {
  const { privateKeyPem } = await keyPair;
  assert.match(userError(() => publicKeyFromCertificate('hello', 'cert.pem')).message, /cert\.pem: the sealing certificate is not a PEM certificate/);
  assert.match(userError(() => publicKeyFromCertificate(privateKeyPem)).message, /is a PRIVATE KEY, not a certificate/);
  assert.match(
    userError(() => publicKeyFromCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).message,
    /cannot be parsed/,
  );
  const ec = await testCertificate({ name: 'ECDSA', namedCurve: 'P-256' }, new Date(Date.now() + 86_400_000));
  assert.match(userError(() => publicKeyFromCertificate(ec)).message, /has a ec key; sealed-secrets needs an RSA key/);
  const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
  const expired = await testCertificate(rsa, new Date(Date.now() - 86_400_000));
  assert.match(userError(() => publicKeyFromCertificate(expired)).message, /expired on \d{4}-\d{2}-\d{2}/);
  const valid = await testCertificate(rsa, new Date(Date.now() + 86_400_000));
  assert.equal(publicKeyFromCertificate(`some text before\n${valid}`).asymmetricKeyType, 'rsa');
});

// ---- sealed values file ------------------------------------------------------

/** Sealed values with real ciphertext, added in a scrambled order. */
async function sampleValues(): Promise<SealedValues> {
  const { certificatePem } = await keyPair;
  let values = emptySealedValues();
  const add = (namespace: string, name: string, key: string, scope: SealingScope) =>
    (values = withSealedValue(values, {
      namespace,
      name,
      key,
      scope,
      ciphertext: sealValue(certificatePem, `${namespace}/${name}/${key}`, { namespace, name, scope }),
    }));
  add('mlflow', 'mlflow-db', 'password', 'strict');
  add('airflow', 'git-ssh', 'ssh-privatekey', 'namespace-wide');
  add('mlflow', 'mlflow-db', 'username', 'strict');
  add('mlflow', 'mlflow-db', '0', 'strict'); // integer-like keys must sort like the others
  add('monitoring', 'smtp', 'password', 'cluster-wide');
  add('airflow', 'git-ssh', 'known_hosts', 'namespace-wide');
  return values;
}

test('sealed values serialize deterministically and round-trip byte for byte', async () => {
  const values = await sampleValues();
  const text = serializeSealedValues(values, 'dev');
  const parsed = parseSealedValues(text, 'environments/sealed/dev.yaml');
  assert.deepEqual(parsed, values);
  assert.equal(serializeSealedValues(parsed, 'dev'), text);

  // Insertion order does not matter.
  const reversed: SealedValues = {
    secrets: Object.fromEntries(
      Object.entries(values.secrets)
        .reverse()
        .map(([id, entry]) => [id, { scope: entry.scope, data: Object.fromEntries(Object.entries(entry.data).reverse()) }]),
    ),
  };
  assert.equal(serializeSealedValues(reversed, 'dev'), text);

  const lines = text.split('\n');
  assert.equal(lines[0], '# Sealed values for environment "dev": ciphertext only, safe to commit.');
  assert.equal(lines[1], '# Written by `npm run seal` and `npm run secrets`; do not edit by hand.');
  const ids = lines.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim());
  assert.deepEqual(ids, ['airflow/git-ssh:', 'mlflow/mlflow-db:', 'monitoring/smtp:']);
  const mlflowKeys = lines.slice(lines.indexOf('  mlflow/mlflow-db:')).filter((l) => /^ {6}\S/.test(l)).slice(0, 3);
  assert.deepEqual(mlflowKeys.map((l) => l.trim().split(':')[0]), ["'0'", 'password', 'username']);
  assert.ok(lines.every((l) => !l.startsWith('  ') || !/^\s+[A-Za-z0-9+/=]+$/.test(l)), 'no folded ciphertext lines');
  assert.ok(text.includes('    scope: namespace-wide\n    data:\n'), 'scope before data');

  // The ciphertext in the file is still the controller's.
  const { privateKeyPem } = await keyPair;
  const smtp = lookupSealedValue(parsed, 'monitoring', 'smtp', 'password');
  assert.ok(smtp);
  assert.equal(smtp.scope, 'cluster-wide');
  assert.equal(controllerUnseal(privateKeyPem, smtp.ciphertext, '').toString(), 'monitoring/smtp/password');
  assert.equal(lookupSealedValue(parsed, 'monitoring', 'smtp', 'user'), undefined);
  assert.equal(lookupSealedValue(parsed, 'nope', 'smtp', 'password'), undefined);
});

test('empty text, comments only, and an empty secrets mapping mean no secrets', () => {
  for (const text of ['', '\n', '# only a comment\n\n# another\n', '---\n', 'secrets: {}\n', '{}\n']) {
    assert.deepEqual(parseSealedValues(text, 'f.yaml'), { secrets: {} }, JSON.stringify(text));
  }
  const text = serializeSealedValues(emptySealedValues(), 'prod');
  assert.match(text, /\nsecrets: \{\}\n$/);
  assert.deepEqual(parseSealedValues(text, 'f.yaml'), emptySealedValues());
});

test('withSealedValue returns a new object, replaces a key, and keeps one scope per Secret', async () => {
  const values = await sampleValues();
  const before = JSON.stringify(values);
  const { certificatePem } = await keyPair;
  const ciphertext = sealValue(certificatePem, 'new', { namespace: 'mlflow', name: 'mlflow-db' });
  const next = withSealedValue(values, { namespace: 'mlflow', name: 'mlflow-db', key: 'password', scope: 'strict', ciphertext });
  assert.equal(JSON.stringify(values), before, 'the input is unchanged');
  assert.equal(lookupSealedValue(next, 'mlflow', 'mlflow-db', 'password')?.ciphertext, ciphertext);
  assert.equal(Object.keys(next.secrets['mlflow/mlflow-db'].data).length, 3);

  const conflict = userError(() =>
    withSealedValue(values, { namespace: 'mlflow', name: 'mlflow-db', key: 'extra', scope: 'cluster-wide', ciphertext }),
  );
  assert.match(conflict.message, /mlflow\/mlflow-db is sealed with scope "strict", not "cluster-wide": all keys of one Secret share one scope/);
  assert.match(conflict.message, /fix: seal with --scope strict; or, to change the scope, delete the entry "mlflow\/mlflow-db"/);

  assert.match(
    userError(() => withSealedValue(values, { namespace: 'a', name: 'b', key: 'bad key', scope: 'strict', ciphertext })).message,
    /Secret key "bad key" is not valid/,
  );
  assert.match(
    userError(() => withSealedValue(values, { namespace: 'a', name: 'b', key: 'k', scope: 'strict', ciphertext: 'cGFzc3dvcmQ=' })).message,
    /not a sealed value/,
  );
});

/** Parses `text`, expects exactly one problem and returns it. */
function oneProblem(text: string) {
  const error = userError(() => parseSealedValues(text, 'environments/sealed/dev.yaml'));
  assert.equal(error.problems.length, 1, error.message);
  const [problem] = error.problems;
  assert.equal(problem.file, 'environments/sealed/dev.yaml');
  return problem;
}

test('sealed values: each kind of mistake is reported with its path, line and a useful message', async () => {
  const { certificatePem } = await keyPair;
  const ct = sealValue(certificatePem, 'v', { namespace: 'a', name: 'b' });
  const entry = (lines: string[]) => ['secrets:', '  mlflow/db:', ...lines].join('\n') + '\n';

  let p = oneProblem('secrets:\n  a/b: [\n');
  assert.match(p.message, /YAML syntax error/);
  assert.ok(p.line !== undefined && p.line >= 2);

  p = oneProblem('secrets:\n  a/b:\n    scope: strict\n  a/b:\n    scope: strict\n');
  assert.match(p.message, /duplicated mapping key/);
  assert.equal(p.line, 4);

  p = oneProblem('a: 1\n---\nb: 2\n');
  assert.match(p.message, /single document/);

  p = oneProblem('- a\n- b\n');
  assert.equal(p.path, '');
  assert.match(p.message, /is a list, but must be a mapping with the single field "secrets"/);

  p = oneProblem(`secret:\n  a/b: {}\n`);
  assert.equal(p.path, '/secret');
  assert.equal(p.line, 1);
  assert.match(p.message, /unknown field "secret"/);
  assert.match(p.fix ?? '', /"secrets"/);

  p = oneProblem(`secrets:\n  Mlflow/db:\n    scope: strict\n    data:\n      k: ${ct}\n`);
  assert.equal(p.path, '/secrets/Mlflow~1db');
  assert.equal(p.line, 2);
  assert.match(p.message, /"Mlflow\/db" must be "<namespace>\/<name>" of a Secret/);

  p = oneProblem(`secrets:\n  mlflow-db:\n    scope: strict\n    data:\n      k: ${ct}\n`);
  assert.match(p.message, /"mlflow-db" must be "<namespace>\/<name>"/);

  p = oneProblem(entry(['    data:', `      k: ${ct}`]));
  assert.equal(p.path, '/secrets/mlflow~1db');
  assert.equal(p.line, 2);
  assert.match(p.message, /missing field "scope"/);

  p = oneProblem(entry(['    scope: global', '    data:', `      k: ${ct}`]));
  assert.equal(p.path, '/secrets/mlflow~1db/scope');
  assert.equal(p.line, 3);
  assert.match(p.message, /"global" must be one of strict, namespace-wide, cluster-wide/);

  p = oneProblem(entry(['    scope: strict', '    labels: {}', '    data:', `      k: ${ct}`]));
  assert.equal(p.path, '/secrets/mlflow~1db/labels');
  assert.equal(p.line, 4);
  assert.match(p.message, /unknown field "labels"/);
  assert.match(p.fix ?? '', /"scope", "data"/);

  p = oneProblem(entry(['    scope: strict', '    data:', `      "bad key": ${ct}`]));
  assert.equal(p.path, '/secrets/mlflow~1db/data/bad key');
  assert.equal(p.line, 5);
  assert.match(p.message, /"bad key" must be a Secret key/);

  p = oneProblem(entry(['    scope: strict', '    data:', '      k: 12']));
  assert.equal(p.path, '/secrets/mlflow~1db/data/k');
  assert.equal(p.line, 5);
  assert.match(p.message, /is a number, but must be base64 ciphertext/);

  p = oneProblem(entry(['    scope: strict', '    data:', '      k: not base64!']));
  assert.equal(p.path, '/secrets/mlflow~1db/data/k');
  assert.match(p.message, /must be base64 ciphertext written by `npm run seal`/);
  assert.match(p.fix ?? '', /npm run seal/);

  p = oneProblem(entry(['    scope: strict', '    data:', '      password: cGFzc3dvcmQ=']));
  assert.equal(p.line, 5);
  assert.match(p.message, /not a sealed value .*plain value, not ciphertext/);

  p = oneProblem(entry(['    scope: strict', '    data:', '      k: QUJD=']));
  assert.match(p.message, /is not base64/);

  p = oneProblem(`secrets:\n  ${'a'.repeat(64)}/db:\n    scope: strict\n    data:\n      k: ${ct}\n`);
  assert.match(p.message, /at most 63/);

  p = oneProblem('secrets:\n');
  assert.match(p.message, /is empty, but must map "<namespace>\/<name>"/);

  // Several mistakes are reported together.
  const error = userError(() =>
    parseSealedValues(entry(['    scope: global', '    extra: 1', '    data:', '      "a b": 5']), 'f.yaml'),
  );
  assert.equal(error.problems.length, 4, error.message);
  assert.match(error.message, /^f\.yaml is not a valid sealed values file \(4 problems\)/);
});
