/**
 * The Argo CD health scripts, run in a Lua VM on status objects recorded
 * from the operators' source (CloudNativePG 1.30.0 phases and Database
 * status, helm-controller conditions, sealed-secrets conditions).
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  APPLICATION_HEALTH,
  CNPG_CLUSTER_HEALTH,
  CNPG_DATABASE_HEALTH,
  CNPG_DEGRADED_PHASES,
  CNPG_HEALTHY_PHASE,
  HELMCHART_HEALTH,
  INGRESS_HEALTH,
  RAYSERVICE_HEALTH,
  SEALEDSECRET_HEALTH,
} from '../lib/argocd/health';
import { runHealth } from './lua';

/** Every Cluster phase constant of CloudNativePG 1.30.0 (api/v1/cluster_types.go) that is transient. */
const CNPG_TRANSIENT_PHASES = [
  'Switchover in progress',
  'Failing over',
  'Setting up primary',
  'Creating a new replica',
  'Upgrading cluster',
  'Upgrading Postgres major version',
  'Cluster upgrade delayed',
  'Primary instance is being restarted in-place',
  'Primary instance is being restarted without a switchover',
  'Waiting for the instances to become active',
  'Online upgrade in progress',
  'Applying configuration',
  'Promoting to primary cluster',
];

const cluster = (phase: string | undefined, readyInstances = 0, instances = 2) => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'postgres', generation: 1 },
  spec: { instances },
  ...(phase ? { status: { phase, readyInstances, instances } } : {}),
});

test('CNPG Cluster: healthy only in the healthy phase with every instance ready', () => {
  assert.deepEqual(runHealth(CNPG_CLUSTER_HEALTH, cluster(CNPG_HEALTHY_PHASE, 2)), { status: 'Healthy', message: CNPG_HEALTHY_PHASE });
  assert.equal(runHealth(CNPG_CLUSTER_HEALTH, cluster(CNPG_HEALTHY_PHASE, 1)).status, 'Progressing');
  assert.equal(runHealth(CNPG_CLUSTER_HEALTH, cluster(undefined)).status, 'Progressing', 'no status yet');
});

test('CNPG Cluster: every transient phase is Progressing, "Failing over" included', () => {
  for (const phase of CNPG_TRANSIENT_PHASES) {
    assert.deepEqual(runHealth(CNPG_CLUSTER_HEALTH, cluster(phase, 1)), { status: 'Progressing', message: phase }, phase);
  }
});

test('CNPG Cluster: every phase that needs a person is Degraded, with the reason', () => {
  assert.equal(CNPG_DEGRADED_PHASES.length + CNPG_TRANSIENT_PHASES.length + 1, 22, 'all 22 phases of operator 1.30.0 are classified');
  for (const phase of CNPG_DEGRADED_PHASES) assert.equal(runHealth(CNPG_CLUSTER_HEALTH, cluster(phase)).status, 'Degraded', phase);
  const unrecoverable = cluster('Cluster is unrecoverable and needs manual intervention') as any;
  unrecoverable.status.phaseReason = 'No pods are active, the cluster needs manual intervention ';
  assert.match(runHealth(CNPG_CLUSTER_HEALTH, unrecoverable).message, /unrecoverable.*: No pods are active/);
  // A phase the operator may add later waits rather than failing.
  assert.equal(runHealth(CNPG_CLUSTER_HEALTH, cluster('Some future phase')).status, 'Progressing');
});

const database = (generation: number, status?: Record<string, unknown>) => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Database',
  metadata: { name: 'mlflow', generation },
  spec: { name: 'mlflow', owner: 'mlflow', cluster: { name: 'postgres' } },
  ...(status ? { status } : {}),
});

test('CNPG Database: healthy once the current generation is applied', () => {
  assert.equal(runHealth(CNPG_DATABASE_HEALTH, database(1)).status, 'Progressing', 'no primary yet: empty status');
  assert.equal(runHealth(CNPG_DATABASE_HEALTH, database(2, { applied: true, observedGeneration: 2 })).status, 'Healthy');
  assert.equal(runHealth(CNPG_DATABASE_HEALTH, database(3, { applied: true, observedGeneration: 2 })).status, 'Progressing', 'a newer generation');
  assert.deepEqual(runHealth(CNPG_DATABASE_HEALTH, database(1, { message: 'waiting for the cluster to become primary' })), {
    status: 'Progressing',
    message: 'waiting for the cluster to become primary',
  });
});

test('CNPG Database: a failed first apply is retried (Progressing); a conflict with another Database is Degraded', () => {
  // The owner role does not exist yet on the first reconcile: the instance manager retries every 30 s.
  const roleMissing = runHealth(CNPG_DATABASE_HEALTH, database(1, { applied: false, message: 'ERROR: role "mlflow" does not exist (SQLSTATE 42704)' }));
  assert.deepEqual(roleMissing, { status: 'Progressing', message: 'Retrying: ERROR: role "mlflow" does not exist (SQLSTATE 42704)' });
  const conflict = runHealth(CNPG_DATABASE_HEALTH, database(1, {
    applied: false,
    message: 'reconciliation error: database "mlflow" is already managed by Database object "other"',
  }));
  assert.equal(conflict.status, 'Degraded');
});

test('HelmChart: Progressing until the job exists, Degraded when the controller reports Failed', () => {
  const chart = (conditions?: unknown[]) => ({ apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', metadata: { name: 'x' }, ...(conditions ? { status: { conditions } } : {}) });
  assert.equal(runHealth(HELMCHART_HEALTH, chart()).status, 'Progressing');
  assert.equal(runHealth(HELMCHART_HEALTH, chart([{ type: 'JobCreated', status: 'True', reason: 'Job created', message: 'Applying HelmChart using Job kube-system/helm-install-x' }])).status, 'Healthy');
  assert.deepEqual(
    runHealth(HELMCHART_HEALTH, chart([
      { type: 'JobCreated', status: 'True' },
      { type: 'Failed', status: 'True', reason: 'Job failed', message: 'Helm Install Error: ...' },
    ])),
    { status: 'Degraded', message: 'Helm Install Error: ...' },
  );
});

test('SealedSecret: healthy when the current generation is unsealed', () => {
  const sealed = (generation: number, status?: unknown) => ({ metadata: { name: 's', generation }, ...(status ? { status } : {}) });
  assert.equal(runHealth(SEALEDSECRET_HEALTH, sealed(1)).status, 'Progressing');
  assert.equal(runHealth(SEALEDSECRET_HEALTH, sealed(2, { observedGeneration: 1, conditions: [{ type: 'Synced', status: 'True' }] })).status, 'Progressing');
  assert.equal(runHealth(SEALEDSECRET_HEALTH, sealed(1, { observedGeneration: 1, conditions: [{ type: 'Synced', status: 'True' }] })).status, 'Healthy');
  assert.deepEqual(
    runHealth(SEALEDSECRET_HEALTH, sealed(1, { observedGeneration: 1, conditions: [{ type: 'Synced', status: 'False', message: 'no key could decrypt secret' }] })),
    { status: 'Degraded', message: 'no key could decrypt secret' },
  );
});

test('Application: follows the child, Progressing while it syncs, Degraded when a sync failed', () => {
  const app = (status?: unknown) => ({ metadata: { name: 'a' }, ...(status ? { status } : {}) });
  assert.equal(runHealth(APPLICATION_HEALTH, app()).status, 'Progressing');
  assert.equal(runHealth(APPLICATION_HEALTH, app({ health: { status: 'Healthy' } })).status, 'Healthy');
  assert.equal(runHealth(APPLICATION_HEALTH, app({ health: { status: 'Healthy' }, operationState: { phase: 'Running' } })).status, 'Progressing');
  assert.equal(runHealth(APPLICATION_HEALTH, app({ health: { status: 'Healthy' }, operationState: { phase: 'Failed', message: 'hook failed' } })).status, 'Degraded');
});

test('Ingress: healthy without a load-balancer address, so later waves do not wait on the ingress controller', () => {
  const ingress = (status?: unknown) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, ...(status ? { status } : {}) });
  assert.equal(runHealth(INGRESS_HEALTH, ingress()).status, 'Healthy');
  assert.deepEqual(runHealth(INGRESS_HEALTH, ingress({ loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } })), { status: 'Healthy', message: 'Address 203.0.113.7' });
});

test('Application: the root, a resource of its own sync, is healthy while that sync runs (else its first wave never ends)', () => {
  const root = {
    metadata: { name: 'staging-root', labels: { 'mlops-gitops.dev/root': 'true' } },
    status: { health: { status: 'Healthy' }, operationState: { phase: 'Running' } },
  };
  assert.equal(runHealth(APPLICATION_HEALTH, root).status, 'Healthy');
  const child = { ...root, metadata: { name: 'staging-mlflow', labels: { 'mlops-gitops.dev/root': 'false' } } };
  assert.equal(runHealth(APPLICATION_HEALTH, child).status, 'Progressing');
});

test('RayService: Ready once its applications serve, Degraded on the terminal reasons, Progressing while it initializes or before the operator saw the spec', () => {
  const rs = (conditions: object[] | undefined, observedGeneration = 2) => ({
    apiVersion: 'ray.io/v1',
    kind: 'RayService',
    metadata: { name: 'sentiment', generation: 2 },
    ...(conditions ? { status: { observedGeneration, conditions } } : {}),
  });
  const ready = (status: string, reason: string) => ({ type: 'Ready', status, reason, message: reason });
  assert.equal(runHealth(RAYSERVICE_HEALTH, rs(undefined)).status, 'Progressing');
  assert.equal(runHealth(RAYSERVICE_HEALTH, rs([ready('True', 'NonZeroServeEndpoints')], 1)).status, 'Progressing');
  assert.equal(runHealth(RAYSERVICE_HEALTH, rs([ready('False', 'Initializing')])).status, 'Progressing');
  assert.equal(runHealth(RAYSERVICE_HEALTH, rs([ready('True', 'NonZeroServeEndpoints'), { type: 'UpgradeInProgress', status: 'True' }])).status, 'Healthy');
  for (const reason of ['ValidationFailed', 'InitializingTimeout', 'ZeroServeEndpoints']) {
    const h = runHealth(RAYSERVICE_HEALTH, rs([ready('False', reason)]));
    assert.deepEqual([h.status, h.message], ['Degraded', reason]);
  }
  assert.equal(runHealth(RAYSERVICE_HEALTH, rs([ready('False', 'SuspendComplete'), { type: 'Suspended', status: 'True', message: 'suspended' }])).status, 'Suspended');
});
