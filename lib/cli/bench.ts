/**
 * `npm run bench`: how long synthesis takes, to compare changes against.
 * A script, not a test: it reports, it does not fail on a number.
 *
 * Reports, in milliseconds:
 * - load: requiring cdk8s, cdk8s-plus-27 and the generated imports (the floor);
 * - each shipped environment rendered in memory (median of N runs);
 * - a generated large environment: every optional component on, HA, and
 *   rendered for 50 environments in a row, as a stand-in for a big estate.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
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

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const t0 = now();
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('cdk8s');
  require('cdk8s-plus-27');
  const load = now() - t0;
  const t1 = now();
  const { renderEnvironments } = require('./synth') as typeof import('./synth');
  const { listEnvironments } = require('./environments') as typeof import('./environments');
  const loadProject = now() - t1;
  /* eslint-enable @typescript-eslint/no-require-imports */

  const root = process.cwd();
  const lines: string[] = [];
  lines.push(`load cdk8s + cdk8s-plus-27: ${load.toFixed(0)} ms`);
  lines.push(`load project (imports, components): ${loadProject.toFixed(0)} ms`);
  for (const env of listEnvironments(root)) {
    const times: number[] = [];
    let objects = 0;
    for (let i = 0; i < runs; i++) {
      const s = now();
      objects = renderEnvironments(root, [env])[0].files.length;
      times.push(now() - s);
    }
    lines.push(`${env}: ${objects} objects, median ${median(times).toFixed(1)} ms over ${runs} runs`);
  }

  const count = 50;
  const s = now();
  const large = renderLargeEstate(root, count);
  const total = now() - s;
  lines.push(`large: ${count} environments, ${large.objects} objects, ${total.toFixed(0)} ms (${(total / count).toFixed(1)} ms each)`);
  lines.push(`total: ${(now() - t0).toFixed(0)} ms since loading cdk8s started`);
  console.log(lines.join('\n'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
