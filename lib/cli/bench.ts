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

  // A generated large environment: everything optional on, 50 copies.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-gitops-bench-'));
  fs.mkdirSync(path.join(dir, 'environments', 'certs'), { recursive: true });
  const cert = fs.readFileSync(path.join(root, 'environments', 'certs', 'staging.pem'), 'utf8');
  // staging names its own certificate; the copies use the default path.
  const large = fs.readFileSync(path.join(root, 'environments', 'staging.yaml'), 'utf8').replace(/^sealing:\n(  .*\n)+/m, '');
  const count = 50;
  for (let i = 0; i < count; i++) {
    fs.writeFileSync(path.join(dir, 'environments', `large-${i}.yaml`), large);
    fs.writeFileSync(path.join(dir, 'environments', 'certs', `large-${i}.pem`), cert);
  }
  const s = now();
  const results = renderEnvironments(dir, listEnvironments(dir));
  const total = now() - s;
  const objects = results.reduce((n, r) => n + r.files.length, 0);
  lines.push(`large: ${count} environments, ${objects} objects, ${total.toFixed(0)} ms (${(total / count).toFixed(1)} ms each)`);
  fs.rmSync(dir, { recursive: true, force: true });
  lines.push(`total: ${(now() - t0).toFixed(0)} ms since loading cdk8s started`);
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
