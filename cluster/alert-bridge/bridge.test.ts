/**
 * The alert bridge, run for real: the exact program the ConfigMap carries,
 * on loopback, against a fake Airflow API (token endpoint and DAG runs).
 * Where Debian's prometheus-alertmanager is installed, a real Alertmanager
 * with the platform's routing delivers an alert through it.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { alertmanagerConfig } from '../../lib/monitoring/alertmanager';
import { alertBridgeProgram } from './bridge';

interface Airflow {
  url: string;
  /** Run ids received per DAG, in order, with their conf. */
  runs: { dag: string; runId: string; conf: Record<string, unknown>; logicalDate: unknown }[];
  tokens: number;
  /** Answer 503 to everything while true. */
  down: boolean;
  /** Reject the current token once (expired). */
  expireToken: boolean;
  close(): Promise<void>;
}

async function fakeAirflow(): Promise<Airflow> {
  let current = '';
  const world: Airflow = { url: '', runs: [], tokens: 0, down: false, expireToken: false, close: async () => undefined };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (world.down) return send(503, { detail: 'restarting' });
      if (req.method === 'POST' && req.url === '/auth/token') {
        const creds = JSON.parse(body);
        if (creds.username !== 'alert-bridge' || creds.password !== 's3cret') return send(401, { detail: 'bad credentials' });
        world.tokens++;
        current = `token-${world.tokens}`;
        return send(201, { access_token: current, token_type: 'bearer' });
      }
      const m = /^\/api\/v2\/dags\/([^/]+)\/dagRuns$/.exec(req.url ?? '');
      if (req.method === 'POST' && m) {
        if (req.headers.authorization !== `Bearer ${current}` || world.expireToken) {
          world.expireToken = false;
          current = 'expired';
          return send(401, { detail: 'token expired' });
        }
        const run = JSON.parse(body);
        if (m[1] === 'missing') return send(404, { detail: 'DAG not found' });
        if (world.runs.some((r) => r.dag === m[1] && r.runId === run.dag_run_id)) return send(409, { detail: 'exists' });
        world.runs.push({ dag: m[1], runId: run.dag_run_id, conf: run.conf, logicalDate: run.logical_date });
        return send(200, { dag_run_id: run.dag_run_id, state: 'queued' });
      }
      send(404, { detail: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  world.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  world.close = () => new Promise((r) => server.close(() => r()));
  return world;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alert-bridge-'));
const program = path.join(dir, 'bridge.js');
fs.writeFileSync(program, alertBridgeProgram());

async function startBridge(airflowUrl: string, extra: Record<string, string> = {}): Promise<{ url: string; proc: ChildProcess; out: () => string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [program], {
    env: {
      PATH: process.env.PATH ?? '',
      BRIDGE_PORT: String(port),
      BRIDGE_HOST: '127.0.0.1',
      BRIDGE_AIRFLOW_URL: airflowUrl,
      BRIDGE_USERNAME: 'alert-bridge',
      BRIDGE_PASSWORD: 's3cret',
      BRIDGE_DAGS: JSON.stringify(['retrain_iris', 'missing']),
      BRIDGE_ATTEMPTS: '3',
      BRIDGE_BACKOFF_MS: '20',
      ...extra,
    },
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await call(url, 'GET', '/healthz')).status === 200) break;
    } catch {
      await new Promise((r) => setTimeout(r, 30));
    }
  }
  return { url, proc, out: () => out };
}

function call(base: string, method: string, p: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${p}`, { method, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const alert = (over: Record<string, unknown> = {}, labels: Record<string, string> = {}) => ({
  status: 'firing',
  labels: { alertname: 'ModelDriftDetected', model: 'iris', dag_id: 'retrain_iris', retrain: 'true', ...labels },
  annotations: { summary: 'drift' },
  startsAt: '2026-11-30T10:00:00.000Z',
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: 'a1b2c3d4e5f60718',
  ...over,
});
const payload = (...alerts: unknown[]) => JSON.stringify({ version: '4', status: 'firing', receiver: 'retrain', groupLabels: {}, commonLabels: {}, alerts });

test('alert bridge: one firing episode starts exactly one run, with the alert\'s labels as conf; duplicates and resolved alerts start none', async () => {
  const airflow = await fakeAirflow();
  const bridge = await startBridge(airflow.url);
  try {
    const first = await call(bridge.url, 'POST', '/alerts', payload(alert()));
    assert.equal(first.status, 200, bridge.out());
    assert.equal(airflow.runs.length, 1);
    const run = airflow.runs[0];
    assert.equal(run.dag, 'retrain_iris');
    assert.equal(run.runId, `alert-a1b2c3d4e5f60718-${Date.parse('2026-11-30T10:00:00.000Z') / 1000}`);
    assert.equal(run.logicalDate, null);
    assert.deepEqual(run.conf, {
      alertname: 'ModelDriftDetected',
      model: 'iris',
      dag_id: 'retrain_iris',
      retrain: 'true',
      alert_fingerprint: 'a1b2c3d4e5f60718',
      alert_starts_at: '2026-11-30T10:00:00.000Z',
      source: 'alertmanager',
    });
    // Alertmanager re-sends the same episode: Airflow's 409 is success, no second run.
    assert.equal((await call(bridge.url, 'POST', '/alerts', payload(alert()))).status, 200);
    assert.equal(airflow.runs.length, 1);
    // Resolved: nothing. A new episode (new startsAt): a new run.
    await call(bridge.url, 'POST', '/alerts', payload(alert({ status: 'resolved' })));
    assert.equal(airflow.runs.length, 1);
    await call(bridge.url, 'POST', '/alerts', payload(alert({ startsAt: '2026-11-30T12:00:00.000Z' })));
    assert.equal(airflow.runs.length, 2);
    // One token for all of it.
    assert.equal(airflow.tokens, 1);
    const metrics = (await call(bridge.url, 'GET', '/metrics')).text;
    assert.match(metrics, /alert_bridge_triggers_total\{dag_id="retrain_iris",result="created"\} 2/);
    assert.match(metrics, /alert_bridge_triggers_total\{dag_id="retrain_iris",result="duplicate"\} 1/);
    assert.match(bridge.out(), /"msg":"dag run started","dag_id":"retrain_iris","run_id":"alert-a1b2c3d4e5f60718-/);
  } finally {
    bridge.proc.kill();
    await airflow.close();
  }
});

test('alert bridge: an expired token is refreshed; only the DAGs named in config can be started', async () => {
  const airflow = await fakeAirflow();
  const bridge = await startBridge(airflow.url);
  try {
    await call(bridge.url, 'POST', '/alerts', payload(alert()));
    airflow.expireToken = true;
    assert.equal((await call(bridge.url, 'POST', '/alerts', payload(alert({ fingerprint: 'ffff' })))).status, 200);
    assert.equal(airflow.tokens, 2, 'a new token after the 401');
    assert.equal(airflow.runs.length, 2);
    // Not allowed: refused, counted, nothing sent to Airflow.
    assert.equal((await call(bridge.url, 'POST', '/alerts', payload(alert({}, { dag_id: 'drop_all_tables' })))).status, 200);
    assert.equal(airflow.runs.length, 2);
    assert.match((await call(bridge.url, 'GET', '/metrics')).text, /alert_bridge_triggers_total\{dag_id="drop_all_tables",result="refused"\} 1/);
    // An alert without dag_id is not for the bridge.
    await call(bridge.url, 'POST', '/alerts', payload(alert({}, { dag_id: undefined as unknown as string })));
    assert.equal(airflow.runs.length, 2);
    // Airflow refuses for good (no such DAG): logged, not retried by Alertmanager.
    assert.equal((await call(bridge.url, 'POST', '/alerts', payload(alert({}, { dag_id: 'missing' })))).status, 200);
    assert.match(bridge.out(), /dag run refused by Airflow.*"status":404/);
  } finally {
    bridge.proc.kill();
    await airflow.close();
  }
});

test('alert bridge: Airflow down then up: 503 to Alertmanager (it sends again), then exactly one run', async () => {
  const airflow = await fakeAirflow();
  const bridge = await startBridge(airflow.url);
  try {
    airflow.down = true;
    const refused = await call(bridge.url, 'POST', '/alerts', payload(alert()));
    assert.equal(refused.status, 503);
    assert.equal(airflow.runs.length, 0);
    assert.match(bridge.out(), /Airflow unavailable, retrying.*"attempt":1/);
    assert.match((await call(bridge.url, 'GET', '/metrics')).text, /alert_bridge_triggers_total\{dag_id="retrain_iris",result="unavailable"\} 1/);
    airflow.down = false;
    assert.equal((await call(bridge.url, 'POST', '/alerts', payload(alert()))).status, 200);
    assert.equal((await call(bridge.url, 'POST', '/alerts', payload(alert()))).status, 200);
    assert.equal(airflow.runs.length, 1);
  } finally {
    bridge.proc.kill();
    await airflow.close();
  }
});

test('alert bridge: a malformed payload is a 400 and starts nothing', async () => {
  const airflow = await fakeAirflow();
  const bridge = await startBridge(airflow.url);
  try {
    for (const body of ['not json', '{"alerts": 3}', JSON.stringify({ alerts: [{ status: 'firing', labels: { dag_id: 'retrain_iris' } }] }), payload(alert({ startsAt: 'yesterday' }))]) {
      assert.equal((await call(bridge.url, 'POST', '/alerts', body)).status, 400, body);
    }
    assert.equal(airflow.runs.length, 0);
    assert.equal(airflow.tokens, 0);
    assert.equal((await call(bridge.url, 'GET', '/alerts')).status, 404);
  } finally {
    bridge.proc.kill();
    await airflow.close();
  }
});

function binary(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const alertmanager = binary('prometheus-alertmanager') ?? binary('alertmanager');

test(
  'a real Alertmanager with the platform\'s routing delivers a retrain alert through the bridge to Airflow',
  { skip: alertmanager ? false : 'prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager): the end-to-end delivery was not run' },
  async () => {
    const airflow = await fakeAirflow();
    const bridge = await startBridge(airflow.url);
    const port = await freePort();
    const cluster = await freePort();
    const config = alertmanagerConfig({
      replicas: 1,
      resources: { requests: { cpu: '1m', memory: '1Mi' }, limits: { cpu: '1m', memory: '1Mi' } },
      webhooks: [{ name: 'retrain', url: `${bridge.url}/alerts`, matchers: ['retrain="true"'] }],
    }) as { route: { group_wait: string } };
    config.route.group_wait = '1s';
    const amDir = fs.mkdtempSync(path.join(dir, 'am-'));
    fs.writeFileSync(path.join(amDir, 'am.yaml'), yaml.dump(config));
    const am = spawn(alertmanager!, [`--config.file=${path.join(amDir, 'am.yaml')}`, `--storage.path=${amDir}`, `--web.listen-address=127.0.0.1:${port}`, `--cluster.listen-address=127.0.0.1:${cluster}`], { stdio: 'ignore' });
    try {
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        try {
          if ((await call(base, 'GET', '/-/ready')).status === 200) break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const posted = await call(base, 'POST', '/api/v2/alerts', JSON.stringify([{ labels: { alertname: 'ModelDriftDetected', severity: 'warning', retrain: 'true', dag_id: 'retrain_iris', model: 'iris' }, startsAt: new Date().toISOString() }]));
      assert.equal(posted.status, 200);
      for (let i = 0; i < 100 && airflow.runs.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(airflow.runs.length, 1, bridge.out());
      assert.equal(airflow.runs[0].dag, 'retrain_iris');
      assert.equal(airflow.runs[0].conf.model, 'iris');
    } finally {
      am.kill();
      bridge.proc.kill();
      await airflow.close();
    }
  },
);
