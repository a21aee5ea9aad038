/**
 * The sealed-secrets controller's decryption (pkg/crypto/crypto.go
 * `HybridDecrypt`), written again here from the format description and
 * independent of lib/sealing, so that the tests check lib/sealing against the
 * format rather than against itself. Not a test file: no tests of its own.
 */
import * as crypto from 'node:crypto';

/** The OAEP label the controller uses for a SealedSecret (its `EncryptionLabel`). */
export function controllerLabel(namespace: string, name: string, scope: 'strict' | 'namespace-wide' | 'cluster-wide'): string {
  if (scope === 'cluster-wide') return '';
  if (scope === 'namespace-wide') return namespace;
  return `${namespace}/${name}`;
}

/** Decrypts base64 ciphertext as the controller does; throws when the key or the label is wrong. */
export function controllerUnseal(privateKey: crypto.KeyLike, ciphertextBase64: string, label: string): Buffer {
  const bytes = Buffer.from(ciphertextBase64, 'base64');
  const rsaLength = (bytes[0] << 8) | bytes[1];
  if (bytes.length < 2 + rsaLength + 16) throw new Error('ciphertext too short');
  const wrappedKey = bytes.subarray(2, 2 + rsaLength);
  const sealed = bytes.subarray(2 + rsaLength);
  const sessionKey = crypto.privateDecrypt(
    { key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: Buffer.from(label, 'utf8') },
    wrappedKey,
  );
  const decipher = crypto.createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12, 0), { authTagLength: 16 });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
}
