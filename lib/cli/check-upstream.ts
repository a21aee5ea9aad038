/**
 * `npm run check:upstream`: validates every generated manifest against the
 * upstream schemas in ../shared, which the offline tests do not have:
 *
 * - built-in kinds against the Kubernetes OpenAPI definitions of every
 *   release in `upstream/k8s-openapi/` (1.27 and 1.36): an API missing from a
 *   release is an error for that release;
 * - custom resources against the CRDs in `crds/` (any file, any depth; an
 *   object matching any CRD that serves its type is valid), or, for types no
 *   CRD there serves, against CRDs that dist itself contains;
 * - the values of each k3s HelmChart against its chart's
 *   `upstream/charts/<chart>/values.schema.json`, when the chart has one.
 *
 * Unknown fields are errors everywhere (see lib/validation/structural.ts).
 *
 * Usage: node build/lib/cli/check-upstream.js [--root DIR] [--shared DIR] [--dist DIR]
 *   --root    the project (default: the current directory)
 *   --shared  the shared folder (default: <root>/../shared)
 *   --dist    the manifests (default: <root>/dist)
 * Prints one line per problem and a summary; exits 1 on any problem.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { formatProblem, UserError } from '../errors';
import { coalesceValues, createValuesValidator } from '../validation/chart-values';
import { listFiles, readCrdFiles, readK8sDefinitions, readManifest } from '../validation/files';
import { createBuiltinValidator, type BuiltinValidator } from '../validation/k8s-openapi';
import {
  checkObjectShape,
  createCrdValidator,
  crdToSchemaFile,
  isTyped,
  splitApiVersion,
  type CrdValidator,
  type SchemaResult,
  type TypedObject,
} from '../validation/schemas';

export interface CheckUpstreamOptions {
  /** The project root; paths in the report are relative to it. */
  readonly root: string;
  /** The shared folder with `crds/` and `upstream/`. */
  readonly shared: string;
  /** The manifests; default `<root>/dist`. */
  readonly dist?: string;
}

/** One problem in one file, found with one schema. */
export interface UpstreamProblem {
  /** The manifest, relative to the root. */
  readonly file: string;
  /** Which schema found it: `k8s 1.27`, `crds/helmchart.yaml`, `charts/mlflow/values.schema.json`, ... */
  readonly schema: string;
  /** `pointer: message` */
  readonly message: string;
}

export interface UpstreamReport {
  readonly objects: number;
  readonly problems: readonly UpstreamProblem[];
  /** Kubernetes releases checked, e.g. `['1.27', '1.36']`. */
  readonly releases: readonly string[];
  /** CRDs (files) that validated at least one object. */
  readonly crds: number;
  /** Chart values schemas that validated at least one HelmChart. */
  readonly chartSchemas: number;
}

/** A chart's values schema, ready to use. */
interface ChartSchema {
  /** The schema file, relative to `<shared>/upstream`: `charts/mlflow/values.schema.json`. */
  readonly schema: string;
  /** The chart's `values.yaml`. */
  readonly defaults: unknown;
  readonly validate: (values: unknown) => string[];
}

/** Lazily compiled values schemas of the charts in `<shared>/upstream/charts`, by chart folder. */
class ChartSchemas {
  /** Chart folder → its schema, or null when it has none. */
  private readonly cache = new Map<string, ChartSchema | null>();

  constructor(
    private readonly chartsDir: string,
    private readonly shared: string,
  ) {}

  /** Chart folders that have a schema and were used. */
  get used(): number {
    return [...this.cache.values()].filter(Boolean).length;
  }

  /**
   * The chart folder for a HelmChart's `spec.chart` and `spec.version`:
   * `<chart>-<version>` if it exists (a second copy of a chart at another
   * version), else `<chart>`. Undefined for chart references that are not
   * plain names (URLs, OCI references).
   */
  private folder(chart: string, version: unknown): string | undefined {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(chart)) return undefined;
    const versioned = typeof version === 'string' ? `${chart}-${version.replace(/^v/, '')}` : undefined;
    if (versioned && /^[A-Za-z0-9._-]+$/.test(versioned) && fs.existsSync(path.join(this.chartsDir, versioned))) return versioned;
    return chart;
  }

  /** The chart's values schema, or undefined when it has no `values.schema.json` here. */
  get(chart: string, version: unknown): ChartSchema | undefined {
    const folder = this.folder(chart, version);
    if (!folder) return undefined;
    if (!this.cache.has(folder)) {
      const dir = path.join(this.chartsDir, folder);
      const schemaFile = path.join(dir, 'values.schema.json');
      const valuesFile = path.join(dir, 'values.yaml');
      this.cache.set(
        folder,
        fs.existsSync(schemaFile)
          ? {
              schema: path.relative(path.join(this.shared, 'upstream'), schemaFile),
              defaults: fs.existsSync(valuesFile) ? yaml.load(fs.readFileSync(valuesFile, 'utf8')) : {},
              validate: createValuesValidator(JSON.parse(fs.readFileSync(schemaFile, 'utf8'))),
            }
          : null,
      );
    }
    return this.cache.get(folder) ?? undefined;
  }
}

/**
 * Checks a k3s HelmChart's values (`spec.valuesContent` over the chart's
 * defaults) against its chart's values schema. Undefined when the chart has
 * no schema in the shared folder.
 */
function checkChartValues(helmChart: TypedObject, charts: ChartSchemas): SchemaResult | undefined {
  const spec = (helmChart.spec ?? {}) as Record<string, unknown>;
  const chart = typeof spec.chart === 'string' ? charts.get(spec.chart, spec.version) : undefined;
  if (!chart) return undefined;
  let values: unknown;
  try {
    values = typeof spec.valuesContent === 'string' ? yaml.load(spec.valuesContent) : undefined;
  } catch (e) {
    return { schema: chart.schema, errors: [`/spec/valuesContent: not valid YAML: ${(e as Error).message.split('\n')[0]}`] };
  }
  return { schema: chart.schema, errors: chart.validate(coalesceValues(chart.defaults, values ?? {})) };
}

/** Runs every check. Throws a {@link UserError} when an input folder is missing. */
export function checkUpstream(options: CheckUpstreamOptions): UpstreamReport {
  const { root, shared } = options;
  const dist = options.dist ?? path.join(root, 'dist');
  const need = (dir: string, what: string, fix: string): void => {
    if (!fs.existsSync(dir)) throw new UserError({ file: dir, message: `${what} not found`, fix });
  };
  need(shared, 'the shared folder', 'check out the shared folder next to this project, or pass --shared DIR');
  const k8sDir = path.join(shared, 'upstream', 'k8s-openapi');
  const crdsDir = path.join(shared, 'crds');
  need(k8sDir, 'the Kubernetes OpenAPI definitions', 'restore upstream/k8s-openapi/ in the shared folder');
  need(crdsDir, 'the CRD folder', 'restore crds/ in the shared folder');
  need(dist, 'the generated manifests', 'generate dist/ first');

  const builtins: BuiltinValidator[] = readK8sDefinitions(k8sDir).map((d) => createBuiltinValidator(d.release, d.document));
  if (builtins.length === 0) throw new UserError({ file: k8sDir, message: 'no v<x.y.z>/_definitions.json folders' });
  const sharedCrds = createCrdValidator(readCrdFiles(crdsDir));

  // Every manifest; one that cannot be read is reported, and the others still checked.
  const problems: UpstreamProblem[] = [];
  const files = listFiles(dist, ['.k8s.yaml']).map((rel) => path.join(dist, rel));
  const objects = files.flatMap((full) => {
    const file = path.relative(root, full);
    try {
      return [{ file, object: readManifest(full) }];
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(...e.problems.map((p) => ({ file, schema: 'yaml', message: p.message })));
      return [];
    }
  });
  // CRDs that dist installs itself: used for types that no CRD in the shared folder serves.
  const distCrds: CrdValidator = createCrdValidator(
    objects.flatMap((o) => {
      const crd = crdToSchemaFile(o.object, o.file);
      return crd ? [crd] : [];
    }),
  );
  const charts = new ChartSchemas(path.join(shared, 'upstream', 'charts'), shared);

  for (const { file, object } of objects) {
    const report = (schema: string, messages: readonly string[]): void => {
      for (const message of messages) problems.push({ file, schema, message });
    };
    report('object', checkObjectShape(object));
    if (!isTyped(object)) continue;

    const { group } = splitApiVersion(object.apiVersion);
    if (builtins.some((b) => b.servesGroup(group))) {
      for (const builtin of builtins) report(builtin.label, builtin.validate(object).errors);
    } else {
      const result = sharedCrds.validate(object) ?? distCrds.validate(object);
      if (result) report(result.schema, result.errors);
      else report('crd', [`/: no CRD for ${object.apiVersion} ${object.kind} in ${path.basename(crdsDir)}/ or in dist`]);
    }

    if (object.apiVersion === 'helm.cattle.io/v1' && object.kind === 'HelmChart') {
      const values = checkChartValues(object, charts);
      if (values) report(values.schema, values.errors);
    }
  }

  return {
    objects: files.length,
    problems,
    releases: builtins.map((b) => b.release),
    crds: new Set([...sharedCrds.used, ...distCrds.used]).size,
    chartSchemas: charts.used,
  };
}

/**
 * The report as printed: one line per problem (`file: schema: pointer:
 * message`, with the schemas that agree on a problem merged, e.g.
 * `k8s 1.27, k8s 1.36`), then the summary line.
 */
export function formatReport(report: UpstreamReport): string[] {
  const lines: string[] = [];
  const byFile = new Map<string, Map<string, string[]>>();
  for (const p of report.problems) {
    const messages = byFile.get(p.file) ?? new Map<string, string[]>();
    messages.set(p.message, [...(messages.get(p.message) ?? []), p.schema]);
    byFile.set(p.file, messages);
  }
  for (const [file, messages] of byFile) {
    for (const [message, schemas] of messages) lines.push(`${file}: ${schemas.join(', ')}: ${message}`);
  }
  const errors = lines.length;
  lines.push(
    `check:upstream: ${report.objects} objects, ${errors} ${errors === 1 ? 'error' : 'errors'} ` +
      `(k8s ${report.releases.join(', ')}; ${report.crds} CRDs; ${report.chartSchemas} chart schemas)`,
  );
  return lines;
}

/** Parses `--name value` flags; unknown flags are a {@link UserError}. */
function parseArgs(argv: readonly string[]): { root?: string; shared?: string; dist?: string } {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !['root', 'shared', 'dist'].includes(name)) {
      throw new UserError({ message: `unknown argument ${argv[i]}`, fix: 'usage: check-upstream [--root DIR] [--shared DIR] [--dist DIR]' });
    }
    const value = argv[++i];
    if (value === undefined) throw new UserError({ message: `--${name} needs a folder` });
    flags[name] = value;
  }
  return flags;
}

/** Runs the check and prints the report. Returns the exit code: 0 if all is valid, else 1. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const flags = parseArgs(argv);
    const root = path.resolve(flags.root ?? process.cwd());
    const report = checkUpstream({
      root,
      shared: path.resolve(root, flags.shared ?? path.join('..', 'shared')),
      dist: flags.dist === undefined ? undefined : path.resolve(root, flags.dist),
    });
    const lines = formatReport(report);
    for (const line of lines) console.log(line);
    return report.problems.length ? 1 : 0;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    for (const p of e.problems) console.error(`check:upstream: ${formatProblem(p)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
