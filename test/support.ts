/**
 * Shared test fixtures: temporary projects, environment files, a test
 * sealing key, snapshot files and a component that needs credentials.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as assert from 'node:assert/strict';
import { ComponentFactory, COMPONENTS } from '../lib/components/index';
import { EnvironmentConfig } from '../lib/config/environment';
import { loadEnvironment } from '../lib/config/load';
import { ComponentChart, Tier } from '../lib/constructs/component';
import { SealedSecret } from '../lib/constructs/sealed-secret';
import { UserError } from '../lib/errors';
import { buildPlatform, Platform } from '../lib/platform';
import { generateSealingKeyPair, SealingKeyPair } from '../lib/sealing/keys';
import { emptySealedValues, SealedValues } from '../lib/sealing/sealed-values';
import { generatedPassword } from '../lib/secrets/catalog';

/** The project root (tests run from build/test). */
export const ROOT = path.resolve(__dirname, '..', '..');

/** A minimal valid environment file; `extra` lines are appended. */
export function envYaml(extra = ''): string {
  return `cluster:
  name: test
  server: https://kubernetes.default.svc
  distribution: k3s
  storageClass: local-path
  ingressClass: traefik
domain: test.example.com
gitops:
  repoURL: https://git.example.com/org/platform.git
  targetRevision: main
components: {}
${extra}`;
}

export function loadConfig(text: string, file = 'environments/test.yaml'): EnvironmentConfig {
  return loadEnvironment(text, file);
}

export function platformOf(text: string, options: { sealed?: SealedValues; components?: readonly ComponentFactory[]; lenient?: boolean } = {}): Platform {
  return buildPlatform(
    { config: loadConfig(text), sealedValues: options.sealed ?? emptySealedValues(), sealedFile: 'environments/sealed/test.yaml' },
    { ...(options.components ? { components: options.components } : {}), ...(options.lenient ? { lenient: true } : {}) },
  );
}

/** Asserts that `fn` throws a UserError and returns it. */
export function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  assert.fail('expected a UserError');
}

let keyPair: Promise<SealingKeyPair> | undefined;
/** One 2048-bit sealing key pair for the whole test process (size does not matter here). */
export function testKeyPair(): Promise<SealingKeyPair> {
  keyPair ??= generateSealingKeyPair({ keySize: 2048 });
  return keyPair;
}

/** A temporary project with the given files (relative path to content). */
export function tempProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-gitops-test-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** Every file under `dir`, relative path to content, sorted. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/**
 * Compares `text` with test/__snapshots__/<name>.snap. Set UPDATE_SNAPSHOTS=1
 * to rewrite; a missing snapshot is written, except under CI where it fails.
 */
export function matchSnapshot(name: string, text: string): void {
  const file = path.join(ROOT, 'test', '__snapshots__', `${name}.snap`);
  if (process.env.UPDATE_SNAPSHOTS === '1' || (!fs.existsSync(file) && !process.env.CI)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return;
  }
  assert.ok(fs.existsSync(file), `snapshot ${file} is missing: run UPDATE_SNAPSHOTS=1 npm test and commit it`);
  assert.equal(text, fs.readFileSync(file, 'utf8'), `snapshot ${name} differs: if the change is intended, run UPDATE_SNAPSHOTS=1 npm test`);
}

/** Deterministic "random" bytes for generated values in tests. */
export function seededRandom(seed = 'test'): (n: number) => Buffer {
  let counter = 0;
  return (n: number) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 32) {
      crypto.createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, i);
    }
    return out;
  };
}

/**
 * A component that needs credentials: `demo/demo-db` with a generated
 * password and a URL derived from it, and optionally a provided key.
 */
export function credentialComponent(options: { provided?: boolean; scope?: 'strict' | 'namespace-wide' | 'cluster-wide' } = {}): ComponentFactory {
  return {
    name: 'demo',
    namespace: () => 'demo',
    kinds: ['bitnami.com/SealedSecret'],
    enabled: () => true,
    create: ({ app, catalog }) => {
      const chart = new (class extends ComponentChart {})(app, { name: 'demo', namespace: 'demo', tier: Tier.PLATFORM });
      new SealedSecret(chart, 'db', {
        catalog,
        component: 'demo',
        name: 'demo-db',
        type: 'kubernetes.io/basic-auth',
        ...(options.scope ? { scope: options.scope } : {}),
        labels: { app: 'demo' },
        keys: [
          { key: 'password', description: 'database password', source: generatedPassword(24) },
          {
            key: 'url',
            description: 'connection URL',
            source: { kind: 'generated', generate: (_r, s) => `postgresql://demo:${encodeURIComponent(s.password)}@db:5432/demo` },
          },
          ...(options.provided
            ? [{ key: 'smtp-password', description: 'SMTP password', source: { kind: 'provided' as const, hint: 'from the mail provider' } }]
            : []),
        ],
      });
      return chart;
    },
  };
}

export const WITH_DEMO = (options?: Parameters<typeof credentialComponent>[0]) => [...COMPONENTS, credentialComponent(options)];


/** The path of a program on this machine (real programs that check what we render), or undefined. */
export function binary(name: string, candidates: readonly string[] = []): string | undefined {
  for (const candidate of candidates) if (fs.existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
