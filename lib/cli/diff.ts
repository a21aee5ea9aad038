/**
 * `npm run diff -- [--env <env>] [--against <git ref>]`: what would change in
 * the cluster if the current sources were rendered and synced, against the
 * `dist/` committed at a git ref (default HEAD), per Argo CD Application.
 * Markdown for a pull request. Exit code: 0 nothing changes, 3 something
 * does, 1 bad input.
 */
import { execFileSync } from 'node:child_process';
import { diffEnvironment, diffMarkdown, Tree } from '../diff';
import { UserError } from '../errors';
import { parseArgs } from './args';
import { listEnvironments, selectEnvironments } from './environments';
import { runCli } from './run';
import { renderEnvironments } from './synth';

const USAGE = `Usage: npm run diff -- [--env <env>] [--against <git ref>]

Renders the environments from the current sources (without writing dist/) and
compares them with dist/ as committed at <git ref> (default HEAD), per Argo CD
Application: objects added, removed and changed, with the changed fields;
chart and image versions; sealed values as changed or unchanged (never their
ciphertext). Exit code 0: nothing changes; 3: something does; 1: bad input.`;

/** Exit code when something changes. */
export const CHANGED = 3;

function git(root: string, args: readonly string[], input?: string): Buffer {
  return execFileSync('git', ['-C', root, ...args], { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** dist/<env>/ trees as committed at `ref`, by environment. */
export function committedTrees(root: string, ref: string): Map<string, Map<string, string>> {
  try {
    git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UserError({ message: `--against ${ref}: not a commit of the repository at ${root}`, fix: 'name a branch, tag or commit (git log shows them), or leave --against out for HEAD' });
  }
  // Paths relative to the project folder (which may be a subfolder of the repository), NUL-separated so
  // that no name is quoted; read back as "<ref>:./<path>", relative to the same folder.
  const paths = git(root, ['ls-tree', '-r', '-z', '--name-only', ref, '--', 'dist/']).toString('utf8').split('\0').filter((p) => /^dist\/[^/]+\/.+/.test(p));
  const trees = new Map<string, Map<string, string>>();
  if (paths.length === 0) return trees;
  // One git process for every file: `cat-file --batch` answers "<sha> blob <size>\n<content>\n" per line asked.
  const out = git(root, ['cat-file', '--batch'], paths.map((p) => `${ref}:./${p}\n`).join(''));
  let at = 0;
  for (const p of paths) {
    const nl = out.indexOf(10, at);
    const header = out.subarray(at, nl).toString('utf8').split(' ');
    if (header[1] !== 'blob' || !/^[0-9]+$/.test(header[2] ?? '')) throw new Error(`git cat-file: unexpected answer for ${p}: ${header.join(' ')}`);
    const size = Number(header[2]);
    const content = out.subarray(nl + 1, nl + 1 + size).toString('utf8');
    at = nl + 1 + size + 1;
    const [, env, ...rest] = p.split('/');
    if (!trees.has(env!)) trees.set(env!, new Map());
    trees.get(env!)!.set(rest.join('/'), content);
  }
  return trees;
}

export async function main(argv: readonly string[], root = process.cwd(), print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const args = parseArgs(argv, { env: { value: true }, against: { value: true }, help: { value: false } }, USAGE);
  if (args.switches.has('help')) {
    print(`${USAGE}\n`);
    return 0;
  }
  if (args.positionals.length) throw new UserError({ message: `unexpected argument ${args.positionals[0]}`, fix: USAGE });
  const against = args.flags.against?.[0] ?? 'HEAD';
  const committed = committedTrees(root, against);
  const requested = args.flags.env ?? [];
  const current = requested.length ? selectEnvironments(root, requested) : listEnvironments(root);
  const envs = requested.length ? current : [...new Set([...current, ...committed.keys()])].sort();
  const rendered = new Map(renderEnvironments(root, current).map((r) => [r.env, new Map(r.files.map((f) => [f.path, f.content])) as Tree]));
  const diffs = envs.map((env) => diffEnvironment(env, committed.get(env), rendered.get(env)));
  print(diffMarkdown(diffs, against));
  return diffs.some((d) => d.change !== 'unchanged') ? CHANGED : 0;
}

if (require.main === module) runCli((argv) => main(argv));
