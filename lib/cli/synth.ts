/**
 * `npm run synth [-- <env> ...]`: renders every environment (or the named
 * ones) into dist/<env>/.
 *
 * All environments are rendered in memory first; if any has a problem,
 * nothing is written. Each environment is then written to a temporary folder
 * and swapped in with renames, so dist/<env> is always either the old or the
 * new tree, and files of removed components disappear.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { countProblems, UserError } from '../errors';
import { ComponentFactory } from '../components/index';
import { buildPlatform } from '../platform';
import { RenderedDocument, renderPlatform, RenderedFile } from '../render';
import { listEnvironments, readPlatformInputs, selectEnvironments } from './environments';
import { runCli } from './run';

export interface EnvironmentResult {
  readonly env: string;
  readonly components: readonly string[];
  readonly files: readonly RenderedFile[];
  readonly documents: readonly RenderedDocument[];
  readonly millis: number;
}

/** Renders environments in memory. Throws UserError listing the problems of every failing environment. */
export function renderEnvironments(root: string, envs: readonly string[], components?: readonly ComponentFactory[]): EnvironmentResult[] {
  const results: EnvironmentResult[] = [];
  const failures: UserError[] = [];
  for (const env of envs) {
    const start = process.hrtime.bigint();
    try {
      const platform = buildPlatform(readPlatformInputs(root, env), components ? { components } : {});
      const files = renderPlatform(platform);
      const millis = Number(process.hrtime.bigint() - start) / 1e6;
      results.push({ env, components: platform.components.map((c) => c.info.name), files, documents: platform.documents, millis });
    } catch (err) {
      if (err instanceof UserError) failures.push(err);
      else throw err;
    }
  }
  if (failures.length > 0) {
    const problems = failures.flatMap((f) => f.problems);
    throw new UserError(problems, `synth failed, nothing was written (${countProblems(problems.length)})`);
  }
  return results;
}

/** Every file under `dir`, by path relative to it ('/'-separated); undefined when `dir` does not exist. */
function readTree(dir: string): Map<string, string> | undefined {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return undefined;
  const files = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else files.set(child, fs.readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  walk('');
  return files;
}

/** Whether `dir` holds exactly these files with exactly this content. */
function treeEquals(dir: string, files: readonly (RenderedFile | RenderedDocument)[]): boolean {
  const existing = readTree(dir);
  return existing !== undefined && existing.size === files.length && files.every((f) => existing.get(f.path) === f.content);
}

/**
 * Writes one environment's files into `<distDir>/<env>`, atomically: a new
 * tree is written next to it and swapped in with renames. Returns false,
 * writing nothing, when the folder already holds exactly these files.
 */
export function writeEnvironment(distDir: string, env: string, files: readonly (RenderedFile | RenderedDocument)[]): boolean {
  const target = path.join(distDir, env);
  if (treeEquals(target, files)) return false;
  fs.mkdirSync(distDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(distDir, `.tmp-${env}-`));
  try {
    const made = new Set<string>();
    for (const f of files) {
      const file = path.join(tmp, f.path);
      const dir = path.dirname(file);
      if (!made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      fs.writeFileSync(file, f.content);
    }
    if (fs.existsSync(target)) {
      const old = `${tmp}.old`;
      fs.renameSync(target, old);
      fs.renameSync(tmp, target);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, target);
    }
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return true;
}

/** Removes dist/<name> folders whose environment file no longer exists. */
export function pruneRemovedEnvironments(root: string, distDir: string): string[] {
  if (!fs.existsSync(distDir)) return [];
  const known = new Set(listEnvironments(root));
  const removed: string[] = [];
  for (const entry of fs.readdirSync(distDir, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && !known.has(entry.name)) {
      fs.rmSync(path.join(distDir, entry.name), { recursive: true, force: true });
      removed.push(entry.name);
    }
  }
  return removed;
}

export interface SynthOptions {
  /** Project root. */
  readonly root: string;
  /** Output folder. @default <root>/dist */
  readonly distDir?: string;
  /** Environments to synthesize. @default all */
  readonly envs?: readonly string[];
  /** Where progress lines go. @default console.log */
  readonly log?: (line: string) => void;
  /** The component registry. @default COMPONENTS */
  readonly components?: readonly ComponentFactory[];
}

export function synthesize(options: SynthOptions): EnvironmentResult[] {
  const distDir = options.distDir ?? path.join(options.root, 'dist');
  const requested = options.envs ?? [];
  const envs = selectEnvironments(options.root, requested);
  const results = renderEnvironments(options.root, envs, options.components);
  const log = options.log ?? ((l: string) => console.log(l));
  for (const r of results) {
    const written = writeEnvironment(distDir, r.env, [...r.files, ...r.documents]);
    log(`${r.env}: ${r.components.length} components (${r.components.join(', ')}), ${r.files.length} objects, ${r.millis.toFixed(0)} ms${written ? '' : ', unchanged'}`);
  }
  if (requested.length === 0) {
    for (const env of pruneRemovedEnvironments(options.root, distDir)) log(`${env}: removed (no environments/${env}.yaml)`);
  }
  return results;
}

const USAGE = `Usage: npm run synth [-- <env> ...]

Renders environments/<env>.yaml into dist/<env>/ (every environment when none is named).`;

export async function main(argv: readonly string[], root = process.cwd()): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const flags = argv.filter((a) => a.startsWith('-'));
  if (flags.length > 0) {
    throw new UserError({ message: `unknown option ${flags[0]}`, fix: USAGE });
  }
  synthesize({ root, envs: argv });
  return 0;
}

if (require.main === module) runCli(main);
