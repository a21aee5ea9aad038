/**
 * The authenticating proxy's nginx.conf, run for real: nginx (Debian's
 * package) on loopback in front of a stand-in application. Skipped, and said
 * so, where nginx is not installed (.ci/run installs it).
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { authProxyConfig } from '../lib/constructs/auth-proxy';
import { binary, freePort } from './support';



function request(port: number, p: string, options: { auth?: string; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: p, agent: false, method: options.body ? 'POST' : 'GET', headers: { Host: 'mlflow.example.com', ...(options.auth ? { Authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` } : {}) } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const nginx = binary('nginx', ['/usr/sbin/nginx', '/usr/bin/nginx']);

test('auth proxy: credentials required, health open, the application never sees them, uploads bounded', { skip: nginx ? false : 'nginx is not installed (apt-get install nginx-light): the proxy config was not run' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-proxy-'));
  fs.chmodSync(dir, 0o755);
  // The stand-in application echoes what it received.
  const seen: http.IncomingHttpHeaders[] = [];
  const app = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => res.end(req.url === '/health' ? 'OK' : `app ${req.url}`));
  });
  const upstreamPort = await freePort();
  await new Promise<void>((r) => app.listen(upstreamPort, '127.0.0.1', r));
  const listenPort = await freePort();
  const htpasswd = path.join(dir, 'htpasswd');
  fs.writeFileSync(htpasswd, `mlflow:{SHA}${createHash('sha1').update('s3cret-pass').digest('base64')}\n`, { mode: 0o644 });
  const conf = authProxyConfig({ upstreamPort, listenPort, realm: 'MLflow', healthPath: '/health', maxBodySize: '1k', htpasswdFile: '@HTPASSWD@' })
    // The pod's /tmp is its own; here each run gets a folder.
    .replaceAll('/tmp/', `${dir}/`)
    .replace('@HTPASSWD@', htpasswd);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  // nginx opens /dev/stdout and /dev/stderr, which must be files or pipes (as in a container), not the test runner's sockets.
  const log = path.join(dir, 'nginx.log');
  const fd = fs.openSync(log, 'a');
  const proc: ChildProcess = spawn(nginx!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const stderr = () => fs.readFileSync(log, 'utf8');
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await request(listenPort, '/health');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const health = await request(listenPort, '/health').catch((e: Error) => assert.fail(`nginx did not start: ${e.message} (exit ${proc.exitCode})\n${stderr()}`));
    assert.deepEqual(health, { status: 200, body: 'OK' });
    assert.equal((await request(listenPort, '/')).status, 401);
    assert.equal((await request(listenPort, '/', { auth: 'mlflow:wrong' })).status, 401);
    const ok = await request(listenPort, '/api/2.0/mlflow/experiments/search', { auth: 'mlflow:s3cret-pass' });
    assert.deepEqual(ok, { status: 200, body: 'app /api/2.0/mlflow/experiments/search' });
    const last = seen[seen.length - 1];
    assert.equal(last.authorization, undefined, 'the credentials stop at the proxy');
    assert.equal(last.host, 'mlflow.example.com', 'MLflow checks the Host header against --allowed-hosts');
    assert.equal((await request(listenPort, '/upload', { auth: 'mlflow:s3cret-pass', body: 'x'.repeat(4096) })).status, 413);
  } finally {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await new Promise((r) => app.close(r));
  }
});

test('auth proxy config: nothing is written outside /tmp, and the realm cannot break the quoting', () => {
  const conf = authProxyConfig({ upstreamPort: 5000, realm: 'ML"flow\\', healthPath: '/health', maxBodySize: '1g', htpasswdFile: '/etc/auth-proxy/htpasswd/auth' });
  assert.match(conf, /auth_basic "MLflow";/);
  for (const m of conf.matchAll(/(?:pid|_temp_path) (\S+);/g)) assert.ok(m[1].startsWith('/tmp/'), m[0]);
  assert.match(conf, /listen 8080;/);
});
