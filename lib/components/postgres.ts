/**
 * The platform PostgreSQL: one CloudNativePG Cluster per environment, with a
 * login role and a database per consumer, each role's password a generated
 * sealed value (a basic-auth Secret the Cluster reads), scheduled base
 * backups and WAL archiving to the object store when configured.
 */
import { Construct } from 'constructs';
import {
  Cluster,
  ClusterSpecBackupBarmanObjectStoreDataCompression,
  ClusterSpecBackupBarmanObjectStoreWalCompression,
  ClusterSpecManagedRolesEnsure,
  ClusterSpecPrimaryUpdateStrategy,
  ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
} from '../../imports/cnpg-cluster-postgresql.cnpg.io';
import { Database, DatabaseSpecEnsure } from '../../imports/cnpg-database-postgresql.cnpg.io';
import {
  ScheduledBackup,
  ScheduledBackupSpecBackupOwnerReference,
  ScheduledBackupSpecMethod,
} from '../../imports/cnpg-scheduledbackup-postgresql.cnpg.io';
import { EnvironmentConfig, InClusterDatabaseConfig } from '../config/environment';
import { IMAGES, imageString } from '../config/versions';
import { HOLDS_DATA_LABEL, KEEP_ON_REMOVAL } from '../constructs/labels';
import { ComponentChart, Tier } from '../constructs/component';
import { allowIngress, denyAllIngress } from '../constructs/network-policy';
import { SealedSecret } from '../constructs/sealed-secret';
import { s3Url } from '../data/handles';
import { BACKUP_CONSUMER, DataLayer, POSTGRES_CLUSTER, POSTGRES_NAMESPACE } from '../data/layer';
import { fixedValue, SecretCatalog } from '../secrets/catalog';
import { CNPG_NAMESPACE } from './cnpg-operator';

/** Labels CloudNativePG puts on the instance pods of a cluster. */
const INSTANCE_LABELS = { 'cnpg.io/cluster': POSTGRES_CLUSTER };

export class PostgresChart extends ComponentChart {
  constructor(scope: Construct, config: EnvironmentConfig, data: DataLayer, catalog: SecretCatalog) {
    super(scope, { name: 'postgres', namespace: POSTGRES_NAMESPACE, tier: Tier.DATA, waveOffset: 1 });
    const db = config.database as InClusterDatabaseConfig;
    const labels = this.objectLabels();

    const roles = data.databaseConsumers.map((consumer) => {
      const handle = data.database(consumer);
      const secret = new SealedSecret(this, `role-${consumer.name}`, {
        catalog,
        component: 'postgres',
        name: `role-${consumer.name}`,
        type: 'kubernetes.io/basic-auth',
        labels: { ...labels, 'cnpg.io/reload': 'true' },
        // The Cluster is kept on removal, and keeps managing its roles with these.
        keep: true,
        keys: [
          { key: 'username', description: `PostgreSQL role of ${consumer.name}`, source: fixedValue(handle.user) },
          { key: 'password', description: `password of role ${handle.user}`, source: handle.password },
        ],
      });
      return { name: handle.user, database: handle.database, secret: secret.name };
    });

    const backup = db.backup ? this.backup(data, catalog, labels, db.backup.retention) : undefined;

    new Cluster(this, 'cluster', {
      // The operator owns the instances' volumes: deleting the Cluster deletes every database.
      metadata: { name: POSTGRES_CLUSTER, labels: { ...labels, [HOLDS_DATA_LABEL]: 'true' }, annotations: { ...KEEP_ON_REMOVAL } },
      spec: {
        instances: db.instances,
        imageName: imageString(IMAGES.postgres),
        primaryUpdateStrategy: ClusterSpecPrimaryUpdateStrategy.UNSUPERVISED,
        enableSuperuserAccess: false,
        storage: { size: db.storageSize, storageClass: config.cluster.storageClass },
        resources: {
          requests: {
            cpu: ClusterSpecResourcesRequests.fromString(db.resources.requests.cpu),
            memory: ClusterSpecResourcesRequests.fromString(db.resources.requests.memory),
          },
          limits: {
            cpu: ClusterSpecResourcesLimits.fromString(db.resources.limits.cpu),
            memory: ClusterSpecResourcesLimits.fromString(db.resources.limits.memory),
          },
        },
        affinity: { enablePodAntiAffinity: true, topologyKey: 'kubernetes.io/hostname' },
        managed: {
          roles: roles.map((r) => ({
            name: r.name,
            ensure: ClusterSpecManagedRolesEnsure.PRESENT,
            login: true,
            passwordSecret: { name: r.secret },
          })),
        },
        ...(backup ? { backup: backup.spec } : {}),
        ...(backup?.serviceAccountAnnotations ? { serviceAccountTemplate: { metadata: { annotations: backup.serviceAccountAnnotations } } } : {}),
      },
    });

    for (const r of roles) {
      new Database(this, `database-${r.database}`, {
        metadata: { name: r.database, labels },
        spec: { cluster: { name: POSTGRES_CLUSTER }, name: r.database, owner: r.name, ensure: DatabaseSpecEnsure.PRESENT },
      });
    }

    if (db.backup) {
      new ScheduledBackup(this, 'scheduled-backup', {
        metadata: { name: `${POSTGRES_CLUSTER}-base-backup`, labels },
        spec: {
          schedule: db.backup.schedule,
          cluster: { name: POSTGRES_CLUSTER },
          backupOwnerReference: ScheduledBackupSpecBackupOwnerReference.SELF,
          method: ScheduledBackupSpecMethod.BARMAN_OBJECT_STORE,
          immediate: true,
        },
      });
    }

    // Only the consumers reach PostgreSQL; the operator reaches the instance
    // manager (8000) and PostgreSQL; instances replicate among themselves.
    denyAllIngress(this, labels);
    allowIngress(this, 'allow-clients', {
      name: 'allow-clients',
      podLabels: INSTANCE_LABELS,
      ports: [5432],
      fromNamespaces: data.databaseConsumers.map((c) => c.namespace),
      labels,
    });
    allowIngress(this, 'allow-operator-and-replication', {
      name: 'allow-operator-and-replication',
      podLabels: INSTANCE_LABELS,
      ports: [5432, 8000],
      fromNamespaces: [CNPG_NAMESPACE],
      fromSameNamespace: true,
      labels,
    });
  }

  /** WAL archiving and base backups to the backup bucket. */
  private backup(data: DataLayer, catalog: SecretCatalog, labels: Record<string, string>, retention: string) {
    const store = data.objectStore(BACKUP_CONSUMER);
    let s3Credentials: Record<string, unknown> = { inheritFromIamRole: true };
    if (store.credentials) {
      const secret = new SealedSecret(this, 'backup-credentials', {
        catalog,
        component: 'postgres',
        name: 'backup-s3',
        labels,
        // The kept Cluster keeps archiving WAL with these: without them the disk fills with WAL.
        keep: true,
        keys: [
          { key: 'ACCESS_KEY_ID', description: 'object-store access key of the database backups', source: store.credentials.accessKeyId },
          { key: 'ACCESS_SECRET_KEY', description: 'its secret', source: store.credentials.secretAccessKey },
        ],
      });
      s3Credentials = {
        accessKeyId: { name: secret.name, key: 'ACCESS_KEY_ID' },
        secretAccessKey: { name: secret.name, key: 'ACCESS_SECRET_KEY' },
      };
    }
    return {
      spec: {
        retentionPolicy: retention,
        barmanObjectStore: {
          destinationPath: s3Url(store),
          endpointUrl: store.endpoint,
          s3Credentials,
          wal: { compression: ClusterSpecBackupBarmanObjectStoreWalCompression.GZIP },
          data: { compression: ClusterSpecBackupBarmanObjectStoreDataCompression.GZIP },
        },
      },
      serviceAccountAnnotations: store.credentials ? undefined : store.serviceAccountAnnotations,
    };
  }
}
