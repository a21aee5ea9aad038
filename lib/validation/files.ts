/**
 * Reading the inputs of the validators from disk: generated manifests,
 * imported CRD schemas, and upstream CRD files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { UserError } from '../errors';
import { crdToSchemaFile, type CrdSchemaFile } from './schemas';

/**
 * Paths of the files under `dir` (recursively) whose names end with one of
 * `suffixes`, relative to `dir` with `/` separators, sorted by code point so
 * the order is the same on every machine.
 */
export function listFiles(dir: string, suffixes: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && suffixes.some((s) => entry.name.endsWith(s))) found.push(child);
    }
  };
  walk('');
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Reads the CRD schema files that scripts/import.ts writes to
 * `<importsDir>/schemas/*.json`.
 */
export function readCrdSchemaFiles(importsDir: string): CrdSchemaFile[] {
  const dir = path.join(importsDir, 'schemas');
  return listFiles(dir, ['.json'])
    .filter((f) => !f.includes('/'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CrdSchemaFile);
}

/** One generated manifest: its path (`distDir` joined with the relative path) and its object. */
export interface DistObject {
  readonly file: string;
  readonly object: unknown;
}

/**
 * Reads every `*.k8s.yaml` under `distDir` (recursively), one object per
 * file, in sorted path order. A file that is not exactly one YAML document
 * is a {@link UserError} naming the file.
 */
export function readDistObjects(distDir: string): DistObject[] {
  return listFiles(distDir, ['.k8s.yaml']).map((rel) => {
    const file = path.join(distDir, rel);
    return { file, object: readManifest(file) };
  });
}

/** Reads one generated manifest: exactly one YAML document, else a {@link UserError} naming the file. */
export function readManifest(file: string): unknown {
  try {
    return yaml.load(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError({
      file,
      message: `not a single YAML document: ${(e as Error).message.split('\n')[0]}`,
      fix: 'regenerate dist/; each file must hold exactly one object',
    });
  }
}

/**
 * Reads the CustomResourceDefinitions in every `*.yaml`/`*.yml` file under
 * `crdsDir` (recursively; files may hold several documents, other kinds are
 * skipped). Each one's `source` is its file path relative to `crdsDir`'s
 * parent, e.g. `crds/strimzi-0.51.0/strimzi-kafka.yaml`.
 */
export function readCrdFiles(crdsDir: string): CrdSchemaFile[] {
  const label = path.basename(crdsDir);
  const crds: CrdSchemaFile[] = [];
  for (const rel of listFiles(crdsDir, ['.yaml', '.yml'])) {
    let docs: unknown[];
    try {
      docs = yaml.loadAll(fs.readFileSync(path.join(crdsDir, rel), 'utf8'));
    } catch (e) {
      throw new UserError({ file: path.join(crdsDir, rel), message: `cannot parse YAML: ${(e as Error).message.split('\n')[0]}` });
    }
    for (const doc of docs) {
      const crd = crdToSchemaFile(doc, `${label}/${rel}`);
      if (crd) crds.push(crd);
    }
  }
  return crds;
}

/** One Kubernetes release's OpenAPI definitions. */
export interface K8sDefinitions {
  /** `1.27` for the folder `v1.27.0`. */
  readonly release: string;
  readonly document: { definitions: Record<string, unknown> };
}

/**
 * Reads `<dir>/v<major>.<minor>.<patch>/_definitions.json` for every release
 * folder in `dir` (cdk8s-team/cdk8s `kubernetes-schemas` layout), oldest first.
 */
export function readK8sDefinitions(dir: string): K8sDefinitions[] {
  const releases = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^v\d+\.\d+\.\d+$/.test(e.name) && fs.existsSync(path.join(dir, e.name, '_definitions.json')))
    .map((e) => ({ folder: e.name, numbers: e.name.slice(1).split('.').map(Number) }))
    .sort((a, b) => a.numbers[0] - b.numbers[0] || a.numbers[1] - b.numbers[1] || a.numbers[2] - b.numbers[2]);
  return releases.map(({ folder, numbers }) => ({
    release: `${numbers[0]}.${numbers[1]}`,
    document: JSON.parse(fs.readFileSync(path.join(dir, folder, '_definitions.json'), 'utf8')) as K8sDefinitions['document'],
  }));
}
