/**
 * `npm run bench [-- <runs>]`: how long synthesis takes, against the floor
 * measured in the same run. A script, not a test: it reports, it does not
 * fail on a number.
 *
 * - floor: a fresh node loading cdk8s and cdk8s-plus-27 from the project's
 *   node_modules and synthesizing one Deployment (in memory);
 * - generator: a fresh `node build/main.js` rendering every environment of
 *   the project, in a temporary copy of environments/ and dist/: with dist/
 *   up to date (it compares and writes nothing), with V8's code cache
 *   (lib/cli/compile-cache.ts) warm and, as after a compile, without it; and
 *   with no dist/ (it writes every file); each as milliseconds and as a
 *   multiple of the floor;
 * - marginal cost per object: rendering a generated estate of copies of
 *   staging (every optional component on) in memory at two sizes, the time
 *   difference over the object difference;
 * - the type-check skip: `scripts/build-if-changed.cjs` when nothing changed;
 * - each environment rendered in memory.
 *
 * Medians of `runs` runs (default 5).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The floor: what any cdk8s generator pays (node, cdk8s, cdk8s-plus-27, one Deployment). */
export const FLOOR_SCRIPT = `
const cdk8s = require('cdk8s');
const plus = require('cdk8s-plus-27');
const app = new cdk8s.App();
const chart = new cdk8s.Chart(app, 'floor');
new plus.Deployment(chart, 'app', { containers: [{ image: 'nginx:1.27.3' }] });
app.synthYaml();
`;

/** Median wall time of running `node <args>` in `cwd`, in milliseconds. */
function timeNode(args: readonly string[], cwd: string, runs: number, before?: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    const s = now();
    execFileSync(process.execPath, args, { cwd, stdio: 'ignore' });
    times.push(now() - s);
  }
  return median(times);
}

/** A temporary project holding the environments (and, when asked, dist/) of `root`. */
function projectCopy(root: string, withDist: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-gitops-bench-'));
  fs.cpSync(path.join(root, 'environments'), path.join(dir, 'environments'), { recursive: true });
  if (withDist && fs.existsSync(path.join(root, 'dist'))) fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  return dir;
}

/**
 * Renders a generated estate of `count` copies of staging (every optional
 * component on, HA) in a temporary project, and returns the object count.
 */
export function renderLargeEstate(root: string, count: number): { objects: number } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { renderEnvironments } = require('./synth') as typeof import('./synth');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { listEnvironments } = require('./environments') as typeof import('./environments');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-gitops-bench-'));
  try {
    for (const sub of ['certs', 'sealed']) fs.mkdirSync(path.join(dir, 'environments', sub), { recursive: true });
    const cert = fs.readFileSync(path.join(root, 'environments', 'certs', 'staging.pem'), 'utf8');
    // Sealed values are keyed by namespace and name, not environment: staging's serve every copy.
    const sealed = fs.readFileSync(path.join(root, 'environments', 'sealed', 'staging.yaml'), 'utf8');
    // staging names its own certificate; the copies use the default path.
    const env = fs.readFileSync(path.join(root, 'environments', 'staging.yaml'), 'utf8').replace(/^sealing:\n(  .*\n)+/m, '');
    for (let i = 0; i < count; i++) {
      fs.writeFileSync(path.join(dir, 'environments', `large-${i}.yaml`), env);
      fs.writeFileSync(path.join(dir, 'environments', 'certs', `large-${i}.pem`), cert);
      fs.writeFileSync(path.join(dir, 'environments', 'sealed', `large-${i}.yaml`), sealed);
    }
    const results = renderEnvironments(dir, listEnvironments(dir));
    return { objects: results.reduce((n, r) => n + r.files.length, 0) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const runs = Number(process.argv[2] ?? 5);
  const root = process.cwd();
  const mainJs = path.join(root, 'build', 'main.js');
  const lines: string[] = [];
  const ratio = (ms: number, floor: number) => `${ms.toFixed(0)} ms, ${(ms / floor).toFixed(1)}x the floor`;

  const floor = timeNode(['-e', FLOOR_SCRIPT], root, runs);
  lines.push(`floor (node + cdk8s + cdk8s-plus-27 + one Deployment): ${floor.toFixed(0)} ms`);

  const upToDate = projectCopy(root, true);
  const empty = projectCopy(root, false);
  try {
    // The first run brings the copy's dist/ up to date if the committed one is not.
    execFileSync(process.execPath, [mainJs], { cwd: upToDate, stdio: 'ignore' });
    const cache = path.join(root, 'build', '.compile-cache');
    const cold = timeNode([mainJs], upToDate, runs, () => fs.rmSync(cache, { recursive: true, force: true }));
    lines.push(`generator, dist/ up to date, V8 code cache warm (node build/main.js, every environment): ${ratio(timeNode([mainJs], upToDate, runs), floor)}`);
    lines.push(`generator, dist/ up to date, first run after a compile (no code cache): ${ratio(cold, floor)}`);
    const writing = timeNode([mainJs], empty, runs, () => fs.rmSync(path.join(empty, 'dist'), { recursive: true, force: true }));
    lines.push(`generator, writing dist/ from nothing: ${ratio(writing, floor)}`);
  } finally {
    fs.rmSync(upToDate, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  }

  // In-process from here: load the project once.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { renderEnvironments } = require('./synth') as typeof import('./synth');
  const { listEnvironments } = require('./environments') as typeof import('./environments');
  /* eslint-enable @typescript-eslint/no-require-imports */
  renderLargeEstate(root, 1); // warm-up
  const estate = (count: number) => {
    const times: number[] = [];
    let objects = 0;
    for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
      const s = now();
      objects = renderLargeEstate(root, count).objects;
      times.push(now() - s);
    }
    return { objects, ms: median(times) };
  };
  const small = estate(4);
  const large = estate(20);
  const perObject = (large.ms - small.ms) / (large.objects - small.objects);
  lines.push(`marginal cost per object (estate of 4 and 20 copies of staging, ${small.objects} and ${large.objects} objects): ${perObject.toFixed(3)} ms`);

  const skip = timeNode([path.join(root, 'scripts', 'build-if-changed.cjs')], root, runs);
  lines.push(`type-check skipped when nothing changed (scripts/build-if-changed.cjs): ${skip.toFixed(0)} ms`);

  for (const env of listEnvironments(root)) {
    const times: number[] = [];
    let objects = 0;
    for (let i = 0; i < runs; i++) {
      const s = now();
      objects = renderEnvironments(root, [env])[0]!.files.length;
      times.push(now() - s);
    }
    lines.push(`${env}: ${objects} objects, ${median(times).toFixed(1)} ms in memory`);
  }
  console.log(lines.join('\n'));
}

if (require.main === module) main();
