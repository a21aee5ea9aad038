/**
 * Sealing key pairs made offline, like the ones the sealed-secrets controller
 * makes for itself (pkg/crypto/keys.go): a self-signed certificate for an RSA
 * key, and the `kubernetes.io/tls` Secret the controller loads its keys from.
 *
 * Pure: no file system, no environment (importing it installs the global
 * `Reflect` metadata polyfill that @peculiar/x509 requires).
 */
// @peculiar/x509 needs the Reflect metadata API (for tsyringe) before it loads.
import 'reflect-metadata';
import * as crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as yaml from 'js-yaml';
import { UserError } from '../errors';
import { assertSecretNames } from './crypto';

/** The label by which the controller finds its keys (`SealedSecretsKeyLabel`). */
export const SEALING_KEY_LABEL = 'sealedsecrets.bitnami.com/sealed-secrets-key';

/** The namespace the controller runs in unless the platform says otherwise. */
export const DEFAULT_CONTROLLER_NAMESPACE = 'sealed-secrets';

export interface SealingKeyPairOptions {
  /** Subject common name; default `sealed-secret` (the controller's `--my-cn` default). */
  readonly commonName?: string;
  /** Default 3650 (the controller's 10-year `--key-ttl`). */
  readonly validityDays?: number;
  /** RSA modulus size in bits; default 4096 (the controller's `--key-size`). */
  readonly keySize?: number;
}

export interface SealingKeyPair {
  /** Public self-signed certificate (PEM): seal with it; safe to commit. */
  readonly certificatePem: string;
  /** PKCS#1 `RSA PRIVATE KEY` PEM, as the controller stores it: never commit. */
  readonly privateKeyPem: string;
}

/**
 * Makes an RSA key pair and a self-signed certificate for it with the same
 * shape as the controller's: random 128-bit serial, CA basic constraints, key
 * usage "encipher only", SHA-256 with RSA, subject O and CN `sealed-secret`.
 */
export async function generateSealingKeyPair(opts: SealingKeyPairOptions = {}): Promise<SealingKeyPair> {
  const commonName = opts.commonName ?? 'sealed-secret';
  const validityDays = opts.validityDays ?? 3650;
  const keySize = opts.keySize ?? 4096;
  if (!Number.isInteger(keySize) || keySize < 2048 || keySize > 16384 || keySize % 8 !== 0) {
    throw new UserError({ message: `key size ${keySize} is not supported`, fix: 'use 4096 (the default), 3072 or 2048 bits' });
  }
  if (!Number.isInteger(validityDays) || validityDays < 1) {
    throw new UserError({ message: `validity of ${validityDays} days is not a positive whole number`, fix: 'use 3650 (10 years, the default)' });
  }
  if (commonName.trim() === '') {
    throw new UserError({ message: 'the certificate common name is empty', fix: 'use "sealed-secret" (the default)' });
  }

  const { webcrypto } = crypto;
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: keySize,
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = new Date();
  const notAfter = new Date(notBefore.getTime() + validityDays * 24 * 60 * 60 * 1000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: crypto.randomBytes(16).toString('hex'),
      // Go's pkix.Name puts O before CN; a JSON name avoids escaping the CN.
      name: [{ O: ['sealed-secret'] }, { CN: [commonName] }],
      notBefore,
      notAfter,
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.encipherOnly, true),
      ],
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );

  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKeyPem = crypto
    .createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs1' })
    .toString();
  return { certificatePem: ensureNewline(certificate.toString('pem')), privateKeyPem: ensureNewline(privateKeyPem) };
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

export interface KeySecretOptions {
  /** Namespace of the sealed-secrets controller; default `sealed-secrets`. */
  readonly namespace?: string;
  /** Name of the Secret (the controller's own keys are `sealed-secrets-key<suffix>`). */
  readonly name: string;
  /** Environment named in the header comment, if any. */
  readonly environment?: string;
  /** Path of the file the text is written to, for the `kubectl apply` command; default `<this file>`. */
  readonly file?: string;
}

/** A DNS-1123 name for the key Secret derived from the certificate, unique per key pair. */
export function keySecretName(certificatePem: string): string {
  const fingerprint = new crypto.X509Certificate(certificatePem).fingerprint256.replace(/:/g, '').toLowerCase();
  return `sealed-secrets-key-${fingerprint.slice(0, 12)}`;
}

/**
 * The command that loads the key Secret in `file` into a cluster, creating
 * the namespace only when it does not exist (bootstrap/00-namespaces makes it
 * with its labels; an apply here would strip them).
 */
export function applyKeyCommand(file: string, namespace: string = DEFAULT_CONTROLLER_NAMESPACE): string {
  return `{ kubectl get namespace ${namespace} >/dev/null 2>&1 || kubectl create namespace ${namespace}; } && kubectl apply -f ${file}`;
}

/** The command that makes a running controller load keys applied after it started. */
export function restartControllerCommand(namespace: string = DEFAULT_CONTROLLER_NAMESPACE): string {
  return `kubectl -n ${namespace} rollout restart deployment -l app.kubernetes.io/name=sealed-secrets`;
}

/**
 * YAML text of the `kubernetes.io/tls` Secret that gives the controller this
 * key pair, labelled as an active sealing key, behind a header that warns it
 * is a private key and says how to apply it.
 */
export function keySecretManifest(certificatePem: string, privateKeyPem: string, opts: KeySecretOptions): string {
  const namespace = opts.namespace ?? DEFAULT_CONTROLLER_NAMESPACE;
  assertSecretNames(namespace, opts.name);

  const forEnvironment = opts.environment !== undefined ? ` of environment ${JSON.stringify(opts.environment)}` : '';
  const header = [
    `PRIVATE KEY${forEnvironment}: NEVER COMMIT THIS FILE OR SHARE IT.`,
    'Anyone who has it can decrypt every sealed value sealed with its certificate.',
    'Keep it out of git (environments/keys/ is git-ignored) and store it in a password manager or vault.',
    '',
    'Apply it before the sealed-secrets controller starts (the controller makes a key of',
    'its own only when it finds none):',
    `  ${applyKeyCommand(opts.file ?? '<this file>', namespace)}`,
    'If the controller is already running, restart it afterwards so that it loads the key:',
    `  ${restartControllerCommand(namespace)}`,
  ];
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: opts.name,
      namespace,
      labels: { [SEALING_KEY_LABEL]: 'active' },
    },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(certificatePem, 'utf8').toString('base64'),
      'tls.key': Buffer.from(privateKeyPem, 'utf8').toString('base64'),
    },
  };
  return `${header.map((l) => (l ? `# ${l}` : '#')).join('\n')}\n${yaml.dump(secret, { lineWidth: -1 })}`;
}
