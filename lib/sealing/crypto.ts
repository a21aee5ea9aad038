/**
 * Offline sealing, compatible with the bitnami sealed-secrets controller
 * (v0.36.6) and `kubeseal --raw`.
 *
 * Each value is sealed on its own (pkg/crypto/crypto.go `HybridEncrypt`):
 *   - a fresh 32-byte AES-256 session key,
 *   - wrapped with RSA-OAEP (SHA-256 for OAEP and MGF1), whose OAEP label binds
 *     the ciphertext to where it may be unsealed (see {@link encryptionLabel}),
 *   - the value encrypted with AES-256-GCM under an all-zero 12-byte nonce (safe:
 *     the key is used exactly once), no additional data, 16-byte tag,
 *   - framed as uint16 BE length of the RSA ciphertext || RSA ciphertext ||
 *     AES-GCM ciphertext || tag, then standard padded base64.
 *
 * Pure: node:crypto only, no file system, no environment.
 */
import * as crypto from 'node:crypto';
import { Problem, UserError } from '../errors';

/** Where a sealed value may be unsealed (the controller's `SealingScope`). */
export type SealingScope = 'strict' | 'namespace-wide' | 'cluster-wide';

/** All scopes; `strict` (the default) first. */
export const SEALING_SCOPES: readonly SealingScope[] = ['strict', 'namespace-wide', 'cluster-wide'];

export function isSealingScope(value: unknown): value is SealingScope {
  return typeof value === 'string' && (SEALING_SCOPES as readonly string[]).includes(value);
}

/** The Secret a value is sealed for. */
export interface SealTarget {
  readonly namespace: string;
  readonly name: string;
  /** Default `strict`. */
  readonly scope?: SealingScope;
}

const SESSION_KEY_BYTES = 32;
const GCM_NONCE = Buffer.alloc(12); // all zeros: every session key seals one value only
const GCM_TAG_BYTES = 16;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Why `namespace` is not a valid namespace name (DNS-1123 label), or undefined. */
export function namespaceError(namespace: string): string | undefined {
  if (namespace.length <= 63 && DNS1123_LABEL.test(namespace)) return undefined;
  return (
    `namespace ${JSON.stringify(namespace)} is not a valid Kubernetes namespace name: use at most 63 ` +
    `lowercase letters, digits and '-', starting and ending with a letter or digit`
  );
}

/** Why `name` is not a valid Secret name (DNS-1123 subdomain), or undefined. */
export function secretNameError(name: string): string | undefined {
  if (name.length <= 253 && DNS1123_SUBDOMAIN.test(name)) return undefined;
  return (
    `Secret name ${JSON.stringify(name)} is not a valid Kubernetes name: use at most 253 lowercase ` +
    `letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit`
  );
}

/** Why `key` is not a valid key of a Secret's data, or undefined. */
export function secretKeyError(key: string): string | undefined {
  if (key.length <= 253 && SECRET_KEY.test(key) && key !== '.' && key !== '..') return undefined;
  return (
    `Secret key ${JSON.stringify(key)} is not valid: use at most 253 letters, digits, '-', '_' and '.' ` +
    `(and not "." or "..")`
  );
}

/**
 * Problems with the names of a Secret (and of one of its keys): empty when
 * Kubernetes accepts them.
 */
export function secretNameProblems(namespace: string, name: string, key?: string): Problem[] {
  return [namespaceError(namespace), secretNameError(name), key !== undefined ? secretKeyError(key) : undefined]
    .filter((m): m is string => m !== undefined)
    .map((message) => ({ message }));
}

/** Throws a UserError listing {@link secretNameProblems}, if any. */
export function assertSecretNames(namespace: string, name: string, key?: string): void {
  const problems = secretNameProblems(namespace, name, key);
  if (problems.length) throw new UserError(problems);
}

function assertScope(scope: string): asserts scope is SealingScope {
  if (!isSealingScope(scope)) {
    throw new UserError({
      message: `unknown sealing scope ${JSON.stringify(scope)}`,
      fix: `use one of ${SEALING_SCOPES.join(', ')}`,
    });
  }
}

/**
 * The OAEP label that binds a ciphertext to its scope (the controller's
 * `EncryptionLabel`): `<namespace>/<name>` for strict, `<namespace>` for
 * namespace-wide, empty for cluster-wide.
 */
export function encryptionLabel(namespace: string, name: string, scope: SealingScope = 'strict'): string {
  assertScope(scope);
  switch (scope) {
    case 'cluster-wide':
      return '';
    case 'namespace-wide':
      return namespace;
    case 'strict':
      return `${namespace}/${name}`;
  }
}

/** Annotations a SealedSecret needs for its scope; empty for strict. */
export function scopeAnnotations(scope: SealingScope): Record<string, string> {
  assertScope(scope);
  switch (scope) {
    case 'cluster-wide':
      return { 'sealedsecrets.bitnami.com/cluster-wide': 'true' };
    case 'namespace-wide':
      return { 'sealedsecrets.bitnami.com/namespace-wide': 'true' };
    case 'strict':
      return {};
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;

/**
 * The RSA public key of the first certificate in `pem` (as written by
 * `npm run keys` or `kubeseal --fetch-cert`). Like kubeseal, refuses an
 * expired certificate. `file` only names the source in error messages.
 */
export function publicKeyFromCertificate(pem: string, file?: string): crypto.KeyObject {
  const fail = (message: string, fix: string): never => {
    throw new UserError({ ...(file !== undefined ? { file } : {}), message, fix });
  };
  const fetchFix = 'use the controller\'s certificate: `kubeseal --fetch-cert > cert.pem`, or make a key pair with `npm run keys`';
  const block = PEM_CERTIFICATE.exec(pem)?.[0];
  if (block === undefined) {
    const what = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)
      ? 'is a PRIVATE KEY, not a certificate (never use or share the private key for sealing)'
      : 'is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)';
    return fail(`the sealing certificate ${what}`, fetchFix);
  }
  let certificate: crypto.X509Certificate;
  try {
    certificate = new crypto.X509Certificate(block);
  } catch (e) {
    return fail(`the sealing certificate cannot be parsed: ${(e as Error).message}`, fetchFix);
  }
  const key = certificate.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    return fail(
      `the sealing certificate has a ${key.asymmetricKeyType ?? 'non-RSA'} key; sealed-secrets needs an RSA key`,
      fetchFix,
    );
  }
  const notAfter = new Date(certificate.validTo); // e.g. "Nov 22 09:01:00 2035 GMT"
  if (notAfter.getTime() < Date.now()) {
    return fail(
      `the sealing certificate expired on ${notAfter.toISOString().slice(0, 10)}`,
      'fetch the controller\'s current certificate with `kubeseal --fetch-cert`, or make a new key pair with `npm run keys -- --force` and re-seal every value',
    );
  }
  return key;
}

/**
 * Seals one value for one Secret, exactly as `kubeseal --raw` does, and
 * returns the base64 ciphertext to put in a SealedSecret's
 * `spec.encryptedData`. `certificate` is PEM text or a key from
 * {@link publicKeyFromCertificate} (to parse a certificate once for many
 * values). Every call gives a different ciphertext.
 */
export function sealValue(
  certificate: string | crypto.KeyObject,
  plaintext: Buffer | string,
  target: SealTarget,
): string {
  const scope = target.scope ?? 'strict';
  assertScope(scope);
  assertSecretNames(target.namespace, target.name);
  const key = typeof certificate === 'string' ? publicKeyFromCertificate(certificate) : certificate;

  const sessionKey = crypto.randomBytes(SESSION_KEY_BYTES);
  const wrappedKey = crypto.publicEncrypt(
    {
      key,
      padding: crypto.constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256', // also the MGF1 hash, as in Go's rsa.EncryptOAEP
      oaepLabel: Buffer.from(encryptionLabel(target.namespace, target.name, scope), 'utf8'),
    },
    sessionKey,
  );
  const cipher = crypto.createCipheriv('aes-256-gcm', sessionKey, GCM_NONCE, { authTagLength: GCM_TAG_BYTES });
  const body = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);

  const length = Buffer.alloc(2);
  length.writeUInt16BE(wrappedKey.length);
  return Buffer.concat([length, wrappedKey, body, cipher.getAuthTag()]).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Why `text` cannot be a sealed value, or undefined. Checks the base64 and
 * the framing only (it cannot be decrypted without the private key); this
 * catches a plain base64 value pasted where ciphertext belongs.
 */
export function sealedValueError(text: string): string | undefined {
  if (text === '' || !BASE64.test(text)) return 'is not base64 (standard alphabet, padded)';
  const bytes = Buffer.from(text, 'base64');
  const wrappedLength = bytes.length >= 2 ? bytes.readUInt16BE(0) : 0;
  // The RSA block is at least 1024 bits; anything shorter is not a sealed value.
  if (wrappedLength < 128 || bytes.length < 2 + wrappedLength + GCM_TAG_BYTES) {
    return 'is base64 but not a sealed value (wrong framing): it looks like a plain value, not ciphertext';
  }
  return undefined;
}
