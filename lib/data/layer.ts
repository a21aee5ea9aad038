/**
 * The data layer of an environment: which consumers need a database or a
 * bucket, and the handles they get. Built from the config before any chart,
 * so the database and object-store charts know every role and bucket.
 */
import { EnvironmentConfig } from '../config/environment';
import { fixedValue, generatedPassword } from '../secrets/catalog';
import { Consumer, DatabaseHandle, ObjectStoreHandle, ReadOnlyStoreHandle } from './handles';

export const POSTGRES_NAMESPACE = 'postgres';
export const POSTGRES_CLUSTER = 'postgres';
export const MINIO_NAMESPACE = 'minio';
export const MINIO_SERVICE = 'minio';
export const MINIO_PORT = 9000;
/** The consumer the database backups act as. */
export const BACKUP_CONSUMER: Consumer = { name: 'postgres-backups', namespace: POSTGRES_NAMESPACE };

export interface DataNeeds {
  readonly database?: boolean;
  readonly bucket?: boolean;
  /** Platform buckets (full names) the consumer only reads, e.g. model servers reading MLflow's artifacts. */
  readonly readBuckets?: readonly string[];
}

/** Read-only access of a consumer to other consumers' buckets. */
export interface ReadGrant {
  readonly consumer: Consumer;
  /** Full bucket names, sorted. */
  readonly buckets: readonly string[];
}

export interface BucketGrant {
  readonly consumer: Consumer;
  /** Full bucket name (with the external prefix). */
  readonly bucket: string;
}

export class DataLayer {
  public readonly databaseConsumers: readonly Consumer[];
  public readonly bucketGrants: readonly BucketGrant[];
  public readonly readGrants: readonly ReadGrant[];

  constructor(
    private readonly config: EnvironmentConfig,
    requests: readonly { consumer: Consumer; needs: DataNeeds }[],
  ) {
    this.databaseConsumers = requests.filter((r) => r.needs.database).map((r) => r.consumer);
    const bucketConsumers = requests.filter((r) => r.needs.bucket).map((r) => r.consumer);
    if (this.backupsEnabled) bucketConsumers.push(BACKUP_CONSUMER);
    this.bucketGrants = bucketConsumers.map((consumer) => ({ consumer, bucket: this.bucketName(consumer) }));
    this.readGrants = requests
      .filter((r) => (r.needs.readBuckets ?? []).length > 0)
      .map((r) => ({ consumer: r.consumer, buckets: [...new Set(r.needs.readBuckets)].sort() }));
    for (const grant of this.readGrants) {
      const unknown = grant.buckets.filter((b) => !this.bucketGrants.some((g) => g.bucket === b));
      if (unknown.length) throw new Error(`${grant.consumer.name} reads bucket(s) ${unknown.join(', ')}, which the platform does not have`);
    }
  }

  /** The in-cluster PostgreSQL runs when some consumer needs a database and none is external. */
  public get runsPostgres(): boolean {
    return this.config.database.kind === 'cnpg' && this.databaseConsumers.length > 0;
  }

  public get backupsEnabled(): boolean {
    return this.config.database.kind === 'cnpg' && this.config.database.backup !== undefined && this.databaseConsumers.length > 0;
  }

  /** Read-only access to the buckets a consumer declared in `readBuckets`. */
  public readOnlyStore(consumer: Consumer): ReadOnlyStoreHandle {
    const grant = this.readGrants.find((g) => g.consumer.name === consumer.name);
    if (!grant) throw new Error(`${consumer.name} did not declare buckets it reads`);
    return { ...this.storeAccess(consumer, `an access key allowed only to read buckets ${grant.buckets.join(', ')} (s3:GetObject, s3:ListBucket)`), buckets: grant.buckets };
  }

  /** MinIO runs when some consumer needs a bucket and the store is not external. */
  public get runsMinio(): boolean {
    return this.config.objectStore.kind === 'minio' && this.bucketGrants.length > 0;
  }

  public bucketName(consumer: Consumer): string {
    const store = this.config.objectStore;
    return store.kind === 'external' ? `${store.bucketPrefix}${consumer.name}` : consumer.name;
  }

  /** The database of a consumer that declared `database: true`. */
  public database(consumer: Consumer): DatabaseHandle {
    if (!this.databaseConsumers.some((c) => c.name === consumer.name)) {
      throw new Error(`${consumer.name} did not declare that it needs a database`);
    }
    const db = this.config.database;
    if (db.kind === 'external') {
      return {
        host: db.host,
        port: db.port,
        database: consumer.name,
        user: consumer.name,
        sslmode: db.sslmode,
        password: { kind: 'provided', hint: `the password of role "${consumer.name}" on ${db.host}` },
      };
    }
    return {
      host: `${POSTGRES_CLUSTER}-rw.${POSTGRES_NAMESPACE}.svc.cluster.local`,
      port: 5432,
      database: consumer.name,
      user: consumer.name,
      // The operator-issued server certificate is not signed by a CA the
      // clients know; the traffic is still encrypted.
      sslmode: 'require',
      password: generatedPassword(32, `postgres/${consumer.name}`),
      serverNamespace: POSTGRES_NAMESPACE,
    };
  }

  /** The bucket of a consumer that declared `bucket: true` (and of the backups). */
  public objectStore(consumer: Consumer): ObjectStoreHandle {
    const grant = this.bucketGrants.find((g) => g.consumer.name === consumer.name);
    if (!grant) throw new Error(`${consumer.name} did not declare that it needs a bucket`);
    return { ...this.storeAccess(consumer, `an access key allowed to use bucket ${grant.bucket}`), bucket: grant.bucket };
  }

  /** Where the store is and how a consumer signs in: its own MinIO user, keys a person provides, or a cloud identity. */
  private storeAccess(consumer: Consumer, keyHint: string): Omit<ObjectStoreHandle, 'bucket'> {
    const store = this.config.objectStore;
    if (store.kind === 'external') {
      return {
        endpoint: store.endpoint,
        region: store.region,
        serviceAccountAnnotations: store.serviceAccountAnnotations,
        ...(store.credentials === 'sealed'
          ? { credentials: { accessKeyId: { kind: 'provided', hint: keyHint }, secretAccessKey: { kind: 'provided', hint: 'the secret of that access key' } } }
          : {}),
      };
    }
    return {
      endpoint: `http://${MINIO_SERVICE}.${MINIO_NAMESPACE}.svc.cluster.local:${MINIO_PORT}`,
      region: 'us-east-1',
      serviceAccountAnnotations: {},
      credentials: { accessKeyId: fixedValue(consumer.name), secretAccessKey: generatedPassword(40, `minio/${consumer.name}`) },
      serverNamespace: MINIO_NAMESPACE,
    };
  }
}
