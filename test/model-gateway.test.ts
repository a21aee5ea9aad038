/**
 * The model gateway's nginx.conf, run for real: nginx (Debian's package) on
 * loopback in front of two stand-in model versions. Skipped, and said so,
 * where nginx is not installed (.ci/run installs it).
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { GatewayBackend, gatewayCommand, gatewayConfig } from '../lib/constructs/model-gateway';
import { binary, freePort } from './support';



interface Reply {
  status: number;
  body: string;
  version?: string;
}

function request(port: number, p: string, auth?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: p, agent: false, method: 'POST', headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}) } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, version: res.headers['x-model-version'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.end('{"instances": [[1, 2, 3, 4]]}');
  });
}

/** A stand-in model server: answers with its name, the path and whether credentials reached it. */
async function standIn(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ server: name, path: req.url, auth: req.headers.authorization ?? null })));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, port };
}

const nginx = binary('nginx', ['/usr/sbin/nginx', '/usr/bin/nginx']);

/** Starts nginx with a gateway config; returns the ports and a stop function. */
async function startGateway(backends: (port: number[]) => GatewayBackend[], names: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-gateway-'));
  fs.chmodSync(dir, 0o755);
  const standIns = await Promise.all(names.map(standIn));
  const publicPort = await freePort();
  const internalPort = await freePort();
  const htpasswd = path.join(dir, 'htpasswd');
  fs.writeFileSync(htpasswd, `serving:{SHA}${createHash('sha1').update('s3cret').digest('base64')}\n`, { mode: 0o644 });
  const resolverFile = path.join(dir, 'resolver.conf');
  const conf = gatewayConfig({ model: 'churn', backends: backends(standIns.map((s) => s.port)), htpasswdFile: '@HTPASSWD@', publicPort, internalPort, resolverFile: '@RESOLVER@' })
    // The pod's /tmp is its own; here each run gets a folder.
    .replaceAll('/tmp/', `${dir}/`)
    .replace('@HTPASSWD@', htpasswd)
    .replace('@RESOLVER@', resolverFile);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  // The pod's start command writes the resolver line from resolv.conf; run it with this folder's paths.
  const command = gatewayCommand(path.join(dir, 'nginx.conf'), resolverFile);
  const log = path.join(dir, 'nginx.log');
  const fd = fs.openSync(log, 'a');
  const script = command[2].replace('exec nginx', `exec ${nginx} -p ${dir}`);
  const proc: ChildProcess = spawn('sh', ['-c', script], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  for (let i = 0; i < 100; i++) {
    try {
      if ((await request(internalPort, '/gateway-health')).status === 200) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const stop = () => {
    proc.kill('SIGTERM');
    for (const s of standIns) s.server.close();
  };
  return { publicPort, internalPort, stop, log: () => fs.readFileSync(log, 'utf8'), resolver: () => fs.readFileSync(resolverFile, 'utf8') };
}

const skip = nginx ? false : 'nginx is not installed (apt-get install nginx-light): the gateway config was not run';

test('model gateway: a 90/10 split by weight, the version in a header, credentials on the public port only', { skip }, async () => {
  const gw = await startGateway(
    ([a, b]) => [
      { version: 'stable', url: `http://127.0.0.1:${a}`, weight: 90 },
      { version: 'canary', url: `http://127.0.0.1:${b}`, weight: 10 },
    ],
    ['stable', 'canary'],
  );
  try {
    // The start command took the pod's DNS server from /etc/resolv.conf.
    assert.match(gw.resolver(), /^resolver \S+ valid=10s;\n$/);
    const counts: Record<string, number> = { stable: 0, canary: 0 };
    const N = 2000;
    for (let i = 0; i < N; i += 50) {
      const replies = await Promise.all(Array.from({ length: 50 }, () => request(gw.internalPort, '/predict')));
      for (const r of replies) {
        assert.equal(r.status, 200, gw.log());
        const body = JSON.parse(r.body);
        assert.equal(body.server, r.version, 'X-Model-Version names the version that answered');
        assert.equal(body.path, '/predict');
        counts[body.server]++;
      }
    }
    // 10% of 2000 is 200 with a standard deviation of about 13: 140..260 is more than four of them.
    assert.ok(counts.canary > 140 && counts.canary < 260, JSON.stringify(counts));
    // The public port (behind the Ingress) asks for credentials and never passes them on.
    assert.equal((await request(gw.publicPort, '/predict')).status, 401);
    assert.equal((await request(gw.publicPort, '/predict', 'serving:wrong')).status, 401);
    const ok = await request(gw.publicPort, '/predict', 'serving:s3cret');
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).auth, null);
    // Probes need no credentials.
    assert.equal((await request(gw.publicPort, '/gateway-health')).status, 200);
  } finally {
    gw.stop();
  }
});

test('model gateway: one path for every version of a split KServe model (the server knows it as <model>-<version>)', { skip }, async () => {
  const gw = await startGateway(
    ([a, b]) => [
      { version: 'v1', url: `http://127.0.0.1:${a}`, weight: 50, serverModelName: 'churn-v1' },
      { version: 'v2', url: `http://127.0.0.1:${b}`, weight: 50, serverModelName: 'churn-v2' },
    ],
    ['v1', 'v2'],
  );
  try {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      for (const [asked, expected] of [
        ['/v1/models/churn:predict', (v: string) => `/v1/models/churn-${v}:predict`],
        ['/v2/models/churn/infer', (v: string) => `/v2/models/churn-${v}/infer`],
        ['/v2/models/churn', (v: string) => `/v2/models/churn-${v}`],
        ['/v2/health/ready', () => '/v2/health/ready'],
      ] as const) {
        const r = await request(gw.internalPort, asked);
        const body = JSON.parse(r.body);
        assert.equal(body.path, expected(body.server), `${asked} on ${body.server}`);
        seen.add(body.server);
      }
    }
    assert.deepEqual([...seen].sort(), ['v1', 'v2']);
    // Another model's path is not rewritten.
    assert.match(JSON.parse((await request(gw.internalPort, '/v1/models/churnx:predict')).body).path, /^\/v1\/models\/churnx:predict$/);
  } finally {
    gw.stop();
  }
});

test('model gateway: a version with weight 0 gets nothing; a gateway without a live version is refused', () => {
  const conf = gatewayConfig({
    model: 'm',
    htpasswdFile: '/x',
    backends: [
      { version: 'a', url: 'http://a:80', weight: 100 },
      { version: 'b', url: 'http://b:80', weight: 0 },
    ],
  });
  assert.match(conf, /split_clients "\$\{request_id\}" \$model_choice \{\n {4}\* "a - http:\/\/a:80";\n {2}\}/);
  assert.throws(() => gatewayConfig({ model: 'm', htpasswdFile: '/x', backends: [{ version: 'a', url: 'http://a', weight: 0 }] }), /weight above 0/);
});
