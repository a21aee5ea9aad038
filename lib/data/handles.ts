/**
 * Typed handles the data layer gives its consumers: where a database or a
 * bucket is, and how its credentials reach the consumer's own namespace.
 * Consumers never rebuild these from strings.
 */
import type { GeneratedValue, ProvidedValue } from '../secrets/catalog';

/** A component that uses the data layer. */
export interface Consumer {
  /** Component name; also the database, role, bucket and object-store user name. */
  readonly name: string;
  /** The consumer's namespace, where its copy of the credentials lives. */
  readonly namespace: string;
}

/** How a credential value comes to exist in the consumer's Secret. */
export type CredentialSource = GeneratedValue | ProvidedValue;

export interface DatabaseHandle {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly sslmode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  /** The role's password, for the consumer's Secret (key `password`). */
  readonly password: CredentialSource;
  /** Namespace of the in-cluster server, for egress policies; undefined for an external server. */
  readonly serverNamespace?: string;
}

/** A SQLAlchemy/libpq URL without the password (pass it as PGPASSWORD). */
export function databaseUrl(db: DatabaseHandle, scheme = 'postgresql'): string {
  return `${scheme}://${db.user}@${db.host}:${db.port}/${db.database}?sslmode=${db.sslmode}`;
}

export interface ObjectStoreCredentials {
  readonly accessKeyId: CredentialSource;
  readonly secretAccessKey: CredentialSource;
}

export interface ObjectStoreHandle {
  /** S3 endpoint URL, e.g. http://minio.minio.svc.cluster.local:9000. */
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** Access keys for the consumer's Secret; undefined when pods use a cloud identity. */
  readonly credentials?: ObjectStoreCredentials;
  /** Annotations of the consumer's ServiceAccount (cloud identity). */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** Namespace of the in-cluster server, for egress policies; undefined for an external store. */
  readonly serverNamespace?: string;
}

/** Read-only access to some of the platform's buckets (model servers). */
export interface ReadOnlyStoreHandle extends Omit<ObjectStoreHandle, 'bucket'> {
  readonly buckets: readonly string[];
}

/** `s3://bucket/prefix` of a handle. */
export function s3Url(store: ObjectStoreHandle, prefix = ''): string {
  return `s3://${store.bucket}/${prefix}`;
}

export interface MlflowHandle {
  /** Tracking URI inside the cluster. */
  readonly trackingUri: string;
  readonly namespace: string;
}

/** Where other components reach a served model inside the cluster. */
export interface ModelEndpoint {
  readonly model: string;
  readonly namespace: string;
  /** Base URL of the model's gateway inside the cluster (no credentials needed; NetworkPolicy admits only consumers). */
  readonly url: string;
  /** The host people and outside clients use, over HTTPS with basic auth. */
  readonly host: string;
  /** The request path that predicts, for the model's server and protocol. */
  readonly predictPath: string;
}

/** The model services' cache. */
export interface CacheHandle {
  /** `redis://host:port/0`, without the password. */
  readonly url: string;
  /** The password, for the consumer's own Secret (key `password`). */
  readonly password: CredentialSource;
  /** Namespace of the server, for policies. */
  readonly serverNamespace: string;
}
