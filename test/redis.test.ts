/**
 * The Redis cache's config and start command, run for real: Debian's
 * redis-server on loopback. Skipped, and said so, where it is not installed
 * (.ci/run installs it). Also: the cache's consumers and their credentials.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { redisConfig, redisStartScript } from '../lib/components/redis';
import { renderEnvironments } from '../lib/cli/synth';
import { binary, freePort, ROOT } from './support';

type Obj = Record<string, any>;



const server = binary('redis-server');
const cli = binary('redis-cli');

function redisCli(port: number, args: string[], password?: string): string {
  try {
    return execFileSync(cli!, ['-h', '127.0.0.1', '-p', String(port), ...(password ? ['--no-auth-warning', '-a', password] : []), ...args], { encoding: 'utf8' }).trim();
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e).trim();
  }
}

test(
  'redis: the password is required and never in an argument; the cache evicts instead of growing; reconfiguring commands are off',
  { skip: server && cli ? false : 'redis-server is not installed (apt-get install redis-server): the cache config was not run' },
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-'));
    const port = await freePort();
    const authFile = path.join(dir, 'auth.conf');
    const conf = path.join(dir, 'redis.conf');
    fs.writeFileSync(conf, redisConfig({ port, maxMemoryMi: 8, persistent: false, dir, authFile }).replace('bind * -::*', 'bind 127.0.0.1'));
    const password = 'Zq8pX2mN5vL0aT7c';
    const script = redisStartScript(conf, authFile).replace('exec redis-server', `exec ${server}`);
    const proc: ChildProcess = spawn('sh', ['-c', script], { env: { ...process.env, REDIS_PASSWORD: password }, stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !/PONG|NOAUTH/.test(redisCli(port, ['PING'])); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(redisCli(port, ['PING']), /NOAUTH/);
      assert.doesNotMatch(redisCli(port, ['PING'], 'wrong'), /PONG/);
      assert.equal(redisCli(port, ['PING'], password), 'PONG');
      // Only the owner reads the password file; the command line has no password.
      assert.equal(fs.statSync(authFile).mode & 0o077, 0);
      const cmdline = fs.readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8');
      assert.ok(!cmdline.includes(password), cmdline);
      assert.equal(redisCli(port, ['SET', 'k', 'v'], password), 'OK');
      assert.match(redisCli(port, ['CONFIG', 'GET', 'maxmemory'], password), /unknown command/i);
      assert.match(redisCli(port, ['FLUSHALL'], password), /unknown command/i);
      // Past maxmemory, old keys go (allkeys-lru) and writes keep succeeding.
      const value = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 300; i++) assert.equal(redisCli(port, ['SET', `big${i}`, value], password), 'OK');
      const keys = Number(redisCli(port, ['DBSIZE'], password));
      assert.ok(keys < 300, `evicted: ${keys} keys left`);
    } finally {
      proc.kill('SIGTERM');
    }
  },
);

test('redis: only the model services\' namespace reaches it; they get the URL and the same sealed password', () => {
  const staging = renderEnvironments(ROOT, ['staging'])[0];
  const objs = new Map(staging.files.map((f) => [f.path, f.object as Obj]));
  const policy = objs.get('redis/NetworkPolicy.allow-consumers.k8s.yaml')!;
  assert.deepEqual(policy.spec.ingress[0].from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'serving' } } }]);
  assert.deepEqual(policy.spec.ingress[0].ports, [{ protocol: 'TCP', port: 6379 }]);
  const sts = objs.get('redis/StatefulSet.redis.k8s.yaml')!;
  const [redis, exporter] = sts.spec.template.spec.containers;
  assert.deepEqual(redis.env, [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } }]);
  // The script writes the password line from the environment; the command holds only the format.
  assert.match(redis.command[2], /printf 'requirepass "%s"\\n' "\$REDIS_PASSWORD" > \/run\/redis-auth\/auth.conf; exec redis-server/);
  assert.equal(exporter.ports[0].name, 'metrics');
  assert.equal(objs.get('redis/Service.redis.k8s.yaml')!.spec.ports[1].name, 'metrics');
  // The consumer's copy: a SealedSecret in its namespace with the URL in plain text.
  const copy = objs.get('serving/SealedSecret.redis-cache.k8s.yaml')!;
  assert.equal(copy.spec.template.data.url, 'redis://redis.redis.svc.cluster.local:6379/0');
  const churn = objs.get('serving/Deployment.churn-stable.k8s.yaml')!.spec.template.spec.containers[0];
  assert.deepEqual(
    churn.env.filter((e: Obj) => e.name.startsWith('REDIS_')),
    [
      { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'redis-cache', key: 'url' } } },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-cache', key: 'password' } } },
    ],
  );
  // A model without cache: true gets no Redis settings.
  const iris = renderEnvironments(ROOT, ['local'])[0].files.find((f) => f.path === 'serving/InferenceService.iris.k8s.yaml')!.object as Obj;
  assert.ok(!JSON.stringify(iris).includes('REDIS'));
});
