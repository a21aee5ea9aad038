/**
 * The install gate, run for real: the exact program the generator puts in
 * the gate's ConfigMap, as a Node.js process, against a fake Kubernetes API
 * server on loopback that serves a HelmChart, its install Job, Helm release
 * Secrets encoded as Helm stores them, and workloads.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { installGateProgram } from './gate';

type Obj = Record<string, any>;

const TOKEN = 'test-token';
// Insertion order as the generator writes it; Helm's record has every object's keys sorted (Go's encoding/json).
const VALUES = { replicas: 2, config: { name: 'x', enabled: true }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] };

/** The values as Helm stores them: keys sorted at every level. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys((v as Obj)[k])]));
  return v;
}
const HASH = 'ABCDEF0123';

/** A release Secret as Helm writes it: data.release = base64(base64(gzip(JSON))). */
function releaseSecret(revision: number, opts: { version?: string; status?: string; config?: unknown; hash?: string; manifest?: string } = {}): Obj {
  const release = {
    name: 'demo',
    version: revision,
    info: { status: opts.status ?? 'deployed', description: 'Upgrade complete' },
    chart: { metadata: { name: 'demo', version: opts.version ?? '1.2.3' } },
    config: sortedKeys(opts.config ?? VALUES),
    manifest: opts.manifest ?? '',
  };
  const helmEncoded = zlib.gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  return {
    metadata: {
      name: `sh.helm.release.v1.demo.v${revision}`,
      labels: { owner: 'helm', name: 'demo', version: String(revision), status: opts.status ?? 'deployed', ...(opts.hash !== undefined ? { 'helmcharts.helm.cattle.io/configHash': opts.hash } : {}) },
    },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helmEncoded).toString('base64') },
  };
}

function job(condition: 'Complete' | 'Failed' | undefined, hash = HASH): Obj {
  return {
    metadata: { name: 'helm-install-demo' },
    spec: { template: { spec: { containers: [{ name: 'helm', env: [{ name: 'CONFIG_HASH', value: hash }] }] } } },
    status: condition ? { conditions: [{ type: condition, status: 'True', message: condition === 'Failed' ? 'Job has reached the specified backoff limit' : '' }] } : {},
  };
}

const MANIFEST = `---
# Source: demo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo-operator
  labels:
    app: demo
spec:
  replicas: 1
---
apiVersion: v1
kind: Service
metadata:
  name: demo-webhook
`;

function deployment(ready: boolean): Obj {
  return {
    metadata: { name: 'demo-operator', generation: 2 },
    spec: { replicas: 1 },
    status: { observedGeneration: 2, updatedReplicas: ready ? 1 : 0, availableReplicas: ready ? 1 : 0 },
  };
}

interface World {
  chart?: Obj;
  /** A HelmChartConfig of the same name, whose values the controller merges over the HelmChart's. */
  overlay?: Obj;
  job?: Obj;
  releases: Obj[];
  workloads: Record<string, Obj>;
}

/** A fake API server answering the gate's GETs from `world`, which a test may change while the gate runs. */
async function apiServer(world: World): Promise<{ url: string; close: () => Promise<void>; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { message: 'no token' });
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (p === '/apis/helm.cattle.io/v1/namespaces/ns/helmcharts/demo') return world.chart ? send(200, world.chart) : send(404, {});
    if (p === '/apis/batch/v1/namespaces/ns/jobs/helm-install-demo') return world.job ? send(200, world.job) : send(404, {});
    if (p === '/apis/helm.cattle.io/v1/namespaces/ns/helmchartconfigs/demo') return world.overlay ? send(200, world.overlay) : send(404, {});
    if (p === '/api/v1/namespaces/ns/secrets') {
      assert.equal(url.searchParams.get('labelSelector'), 'owner=helm,name=demo');
      assert.equal(url.searchParams.get('fieldSelector'), 'type=helm.sh/release.v1');
      return send(200, { items: world.releases });
    }
    const w = /^\/apis\/apps\/v1\/namespaces\/ns\/(deployments|statefulsets|daemonsets)\/(.+)$/.exec(p);
    if (w && world.workloads[`${w[1]}/${w[2]}`]) return send(200, world.workloads[`${w[1]}/${w[2]}`]);
    return send(404, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'install-gate-'));
const program = path.join(dir, 'gate.js');
fs.writeFileSync(program, installGateProgram());
fs.writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`);

/** Runs the gate; resolves with its exit code and output. */
function runGate(url: string, extra: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [program], {
    env: {
      PATH: process.env.PATH ?? '',
      GATE_API_URL: url,
      GATE_TOKEN_FILE: path.join(dir, 'token'),
      GATE_NAMESPACE: 'ns',
      GATE_CHART: 'demo',
      GATE_TARGET_NAMESPACE: 'ns',
      GATE_VERSION: '1.2.3',
      GATE_VALUES: JSON.stringify(VALUES),
      GATE_TIMEOUT_SECONDS: '3',
      GATE_WAIT_WORKLOADS: 'true',
      GATE_POLL_SECONDS: '0.05',
      GATE_FAIL_GRACE_SECONDS: '0.3',
      ...extra,
    },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

const installed = (): World => ({
  chart: { metadata: { name: 'demo' }, status: { conditions: [{ type: 'JobCreated', status: 'True' }] } },
  job: job('Complete'),
  releases: [releaseSecret(1, { version: '1.2.2', hash: 'OLD' }), releaseSecret(2, { hash: HASH, manifest: MANIFEST })],
  workloads: { 'deployments/demo-operator': deployment(true) },
});

test('install gate: passes when the newest release is this chart version with these values, hashed like the Job, and its workloads are ready', async () => {
  const api = await apiServer(installed());
  const { code, out } = await runGate(api.url);
  await api.close();
  assert.equal(code, 0, out);
  assert.match(out, /chart 1\.2\.3 installed and its workloads ready/);
  assert.ok(api.requests.some((r) => r.startsWith('/apis/apps/v1/namespaces/ns/deployments/demo-operator')), 'the Deployment of the manifest was checked');
});

test('install gate: values compare as data, whatever the key order; a HelmChartConfig may add values', async () => {
  const extra = { ...VALUES, extra: 'from a HelmChartConfig' };
  for (const [what, world, code] of [
    ['the same values, keys sorted by Helm', installed(), 0],
    ['a value the spec no longer sets, no HelmChartConfig', { ...installed(), releases: [releaseSecret(3, { config: extra, hash: HASH, manifest: MANIFEST })] }, 1],
    ['a value a HelmChartConfig adds', { ...installed(), overlay: { metadata: { name: 'demo' } }, releases: [releaseSecret(3, { config: extra, hash: HASH, manifest: MANIFEST })] }, 0],
  ] as [string, World, number][]) {
    const api = await apiServer(world);
    const { code: exit, out } = await runGate(api.url, { GATE_TIMEOUT_SECONDS: '0.5' });
    await api.close();
    assert.equal(exit, code, `${what}: ${out}`);
  }
});

test('install gate: a release of the previous spec does not pass (old version, other values, old hash)', async () => {
  for (const [what, world] of [
    ['old version', { ...installed(), releases: [releaseSecret(3, { version: '1.2.2', hash: HASH, manifest: MANIFEST })] }],
    ['other values', { ...installed(), releases: [releaseSecret(3, { config: { replicas: 1 }, hash: HASH })] }],
    ['old hash', { ...installed(), releases: [releaseSecret(3, { hash: 'OLD', manifest: MANIFEST })] }],
    ['no release label at all (klipper-helm too old)', { ...installed(), releases: [releaseSecret(3, { manifest: MANIFEST })] }],
  ] as [string, unknown, ...unknown[]][]) {
    const api = await apiServer(world as World);
    const { code, out } = await runGate(api.url, { GATE_TIMEOUT_SECONDS: '0.5' });
    await api.close();
    assert.equal(code, 1, `${what}: ${out}`);
    assert.match(out, /timed out/, what);
  }
});

test('install gate: waits through the gap while the controller replaces the Job, then passes', async () => {
  const world: World = { ...installed(), job: undefined, releases: [releaseSecret(1, { version: '1.2.2', hash: 'OLD' })] };
  const api = await apiServer(world);
  const gate = runGate(api.url);
  setTimeout(() => (world.job = job(undefined)), 200);
  setTimeout(() => {
    world.job = job('Complete');
    world.releases = installed().releases;
  }, 500);
  const { code, out } = await gate;
  await api.close();
  assert.equal(code, 0, out);
  assert.match(out, /no install Job yet/);
  assert.match(out, /install Job helm-install-demo running/);
});

test('install gate: waits for the workloads to roll out, unless told not to', async () => {
  const world = installed();
  world.workloads['deployments/demo-operator'] = deployment(false);
  const api = await apiServer(world);
  const gate = runGate(api.url);
  setTimeout(() => (world.workloads['deployments/demo-operator'] = deployment(true)), 300);
  const { code, out } = await gate;
  assert.equal(code, 0, out);
  assert.match(out, /Deployment ns\/demo-operator: 0\/1 ready/);
  world.workloads = {};
  const noWait = await runGate(api.url, { GATE_WAIT_WORKLOADS: 'false' });
  await api.close();
  assert.equal(noWait.code, 0, noWait.out);
});

test('install gate: fails fast on a failed install Job, a Failed HelmChart or a failed release, not at the timeout', async () => {
  for (const [what, world, message] of [
    ['failed Job', { ...installed(), job: job('Failed'), releases: [] }, /install Job failed: Job has reached the specified backoff limit/],
    ['Failed HelmChart', { ...installed(), chart: { metadata: { name: 'demo' }, status: { conditions: [{ type: 'Failed', status: 'True', message: 'Helm Install Error' }] } } }, /helm-controller reports Failed: Helm Install Error/],
    ['failed release', { ...installed(), job: job(undefined), releases: [releaseSecret(4, { status: 'failed' })] }, /helm reports the release failed/],
  ] as [string, unknown, ...unknown[]][]) {
    const api = await apiServer(world as World);
    const started = Date.now();
    const { code, out } = await runGate(api.url, { GATE_TIMEOUT_SECONDS: '30' });
    await api.close();
    assert.equal(code, 1, `${what}: ${out}`);
    assert.match(out, message as RegExp, what);
    assert.ok(Date.now() - started < 10_000, `${what}: failed after the grace period, long before the 30 s timeout`);
  }
});

test('install gate: a failed Job that the controller replaces within the grace period is not a failure', async () => {
  const world: World = { ...installed(), job: job('Failed') };
  const api = await apiServer(world);
  const gate = runGate(api.url, { GATE_FAIL_GRACE_SECONDS: '2' });
  setTimeout(() => (world.job = job('Complete')), 300);
  const { code, out } = await gate;
  await api.close();
  assert.equal(code, 0, out);
});

test('install gate: a missing setting is a clear error', async () => {
  const { code, out } = await runGate('http://127.0.0.1:9', { GATE_VERSION: '' });
  assert.equal(code, 2);
  assert.match(out, /GATE_VERSION is not set/);
});
