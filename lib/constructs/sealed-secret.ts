/**
 * A `bitnami.com/v1alpha1` SealedSecret built from the environment's stored
 * ciphertext. The only way a credential enters the platform.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { SealedSecret as SealedSecretCr } from '../../imports/sealedsecret-bitnami.com';
import type { SealingScope } from '../sealing/crypto';
import { scopeAnnotations } from '../sealing/crypto';
import { SecretCatalog, SecretKeySpec } from '../secrets/catalog';
import { KEEP_ON_REMOVAL, syncWave } from './labels';

/** A typed handle to one key of a Secret, for env vars and chart values. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface SealedSecretProps {
  readonly catalog: SecretCatalog;
  /** Component that needs the Secret, for messages. */
  readonly component: string;
  /** Name of the Secret (and of the SealedSecret). */
  readonly name: string;
  readonly keys: readonly SecretKeySpec[];
  /**
   * Secret type.
   * @default 'Opaque'
   */
  readonly type?: string;
  /**
   * Sealing scope; must match how the values were sealed.
   * @default 'strict'
   */
  readonly scope?: SealingScope;
  /** Labels of the SealedSecret and of the Secret it creates. */
  readonly labels?: Record<string, string>;
  /**
   * Values that are not secret (a URL, a user name), written in plain text
   * to the Secret by the controller (`spec.template.data`).
   * @default none
   */
  readonly plainData?: Record<string, string>;
  /**
   * Annotations of the Secret the controller creates (e.g. KServe's S3
   * settings, which it reads from the Secret's annotations).
   * @default none
   */
  readonly secretAnnotations?: Record<string, string>;
  /**
   * Kept when Argo CD prunes or deletes it (KEEP_ON_REMOVAL): for the
   * credentials a kept object (a database Cluster) keeps using.
   * @default false
   */
  readonly keep?: boolean;
  /**
   * Sync wave: before the workloads that mount the Secret.
   * @default -1
   */
  readonly wave?: number;
}

export class SealedSecret extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  private readonly keyNames: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: SealedSecretProps) {
    super(scope, id);
    const namespace = Chart.of(this).namespace;
    if (!namespace) throw new Error(`SealedSecret ${props.name} must be in a chart with a namespace`);
    this.name = props.name;
    this.namespace = namespace;
    this.keyNames = new Set(props.keys.map((k) => k.key));
    const sealingScope = props.scope ?? 'strict';
    const ciphertext = props.catalog.request({
      component: props.component,
      namespace,
      name: props.name,
      scope: sealingScope,
      keys: props.keys,
    });
    const encryptedData: Record<string, string> = {};
    for (const key of [...Object.keys(ciphertext)].sort()) encryptedData[key] = ciphertext[key];
    const labels = props.labels ?? {};
    new SealedSecretCr(this, 'resource', {
      metadata: {
        name: props.name,
        labels,
        annotations: { ...scopeAnnotations(sealingScope), ...syncWave(props.wave ?? -1), ...(props.keep ? KEEP_ON_REMOVAL : {}) },
      },
      spec: {
        encryptedData,
        template: {
          type: props.type ?? 'Opaque',
          ...(props.plainData ? { data: { ...props.plainData } } : {}),
          metadata: {
            name: props.name,
            namespace,
            labels,
            ...(sealingScope === 'strict' && !props.secretAnnotations ? {} : { annotations: { ...(props.secretAnnotations ?? {}), ...scopeAnnotations(sealingScope) } }),
          },
        },
      },
    });
  }

  /** A reference to one key; the key must be one this Secret declares. */
  public ref(key: string): SecretKeyRef {
    if (!this.keyNames.has(key)) throw new Error(`Secret ${this.namespace}/${this.name} has no key "${key}"`);
    return { name: this.name, key };
  }
}
