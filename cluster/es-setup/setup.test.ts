/** The Elasticsearch setup program, run for real against a fake Elasticsearch on loopback. */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { esSetupProgram } from './setup';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-setup-'));
const program = path.join(dir, 'setup.js');
fs.writeFileSync(program, esSetupProgram());

async function fakeEs(world: { notReadyFor: number; fail?: string; seen: { method: string; path: string; body: unknown; auth?: string }[] }) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', (): void => {
      if (req.url?.startsWith('/_cluster/health')) {
        if (world.notReadyFor-- > 0) {
          res.writeHead(503);
          res.end('{}');
          return;
        }
        res.writeHead(200);
        res.end('{"status":"yellow"}');
        return;
      }
      world.seen.push({ method: req.method!, path: req.url!, body: body ? JSON.parse(body) : undefined, auth: req.headers.authorization });
      if (world.fail && req.url === world.fail) {
        res.writeHead(400);
        res.end('{"error":"bad policy"}');
        return;
      }
      res.writeHead(200);
      res.end('{"acknowledged":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function run(url: string, requests: unknown[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [program], {
    env: { PATH: process.env.PATH ?? '', ES_URL: url, ES_USER: 'elastic', ES_PASSWORD: 'pw', ES_REQUESTS: JSON.stringify(requests), ES_POLL_SECONDS: '0.02', ES_TIMEOUT_SECONDS: '5' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

const REQUESTS = [
  { method: 'PUT', path: '/_ilm/policy/platform-logs', body: { policy: { phases: {} } } },
  { method: 'PUT', path: '/_index_template/mlops-airflow-logs', body: { index_patterns: ['logstash-airflow-*'] } },
];

test('es setup: waits until Elasticsearch answers, then applies every request with the user\'s credentials', async () => {
  const world = { notReadyFor: 3, seen: [] as { method: string; path: string; body: unknown; auth?: string }[] };
  const es = await fakeEs(world);
  try {
    const r = await run(es.url, REQUESTS);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(world.seen.map((s) => `${s.method} ${s.path}`), ['PUT /_ilm/policy/platform-logs', 'PUT /_index_template/mlops-airflow-logs']);
    assert.deepEqual(world.seen[0].body, { policy: { phases: {} } });
    assert.equal(world.seen[0].auth, `Basic ${Buffer.from('elastic:pw').toString('base64')}`);
    assert.match(r.out, /waiting for Elasticsearch/);
  } finally {
    await es.close();
  }
});

test('es setup: an error answer fails the Job with Elasticsearch\'s message', async () => {
  const world = { notReadyFor: 0, fail: '/_ilm/policy/platform-logs', seen: [] as { method: string; path: string; body: unknown }[] };
  const es = await fakeEs(world);
  try {
    const r = await run(es.url, REQUESTS);
    assert.equal(r.code, 1);
    assert.match(r.out, /PUT \/_ilm\/policy\/platform-logs answered 400: \{\\"error\\":\\"bad policy\\"\}/);
    assert.equal(world.seen.length, 1, 'nothing after the failure');
  } finally {
    await es.close();
  }
});
