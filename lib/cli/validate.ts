/**
 * `npm run validate`: checks a committed dist/ on its own, as CI and a
 * reviewer do: every object against its schema (kubernetes-models for
 * built-in kinds, imports/schemas for custom resources) and every policy
 * (lib/policies), plus references between objects.
 */
import * as path from 'node:path';
import { checkObjects, formatViolation } from '../policies';
import { EXEMPTIONS } from '../policies/exemptions';
import { K8sObject } from '../policies/pod-specs';
import { readCrdSchemaFiles, readDistObjects } from '../validation/files';
import { createValidator } from '../validation/schemas';
import type { NodePoolConfig } from '../config/environment';
import { parseArgs } from './args';
import { listEnvironments, readEnvironment } from './environments';
import { runCli } from './run';

export interface ValidationReport {
  readonly objects: number;
  readonly errors: string[];
}

/** Secret names that workloads in `objects` mount or read but no SealedSecret creates. */
export function danglingSecretRefs(objects: readonly K8sObject[]): string[] {
  const sealed = new Set([
    ...objects.filter((o) => o.kind === 'SealedSecret').map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`),
    // Secrets operators make for objects in the output: ECK's superuser of each Elasticsearch.
    ...objects.filter((o) => o.kind === 'Elasticsearch').map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}-es-elastic-user`),
  ]);
  const errors: string[] = [];
  for (const o of objects) {
    const refs = new Set<string>();
    const walk = (v: unknown, key?: string): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(x));
      else if (v && typeof v === 'object') {
        const rec = v as Record<string, unknown>;
        if ((key === 'secretKeyRef' || key === 'secretRef') && typeof rec.name === 'string') refs.add(rec.name);
        if (key === 'secret' && typeof rec.secretName === 'string') refs.add(rec.secretName);
        for (const [k, x] of Object.entries(rec)) walk(x, k);
      }
    };
    if (o.kind === 'SealedSecret' || o.kind === 'HelmChart') continue;
    walk(o.spec);
    for (const name of refs) {
      if (!sealed.has(`${o.metadata.namespace ?? ''}/${name}`)) {
        errors.push(`${o.kind}/${o.metadata.namespace}/${o.metadata.name} references Secret "${name}", which no SealedSecret in its namespace creates`);
      }
    }
  }
  return errors;
}

export function validateDist(root: string, distDir = path.join(root, 'dist')): ValidationReport {
  const validator = createValidator(readCrdSchemaFiles(path.join(root, 'imports')));
  const errors: string[] = [];
  const entries = readDistObjects(distDir);
  const byEnv = new Map<string, K8sObject[]>();
  // The GPU policy needs each environment's node pools.
  const known = new Set(listEnvironments(root));
  const pools = new Map<string, readonly NodePoolConfig[]>();
  const poolsOf = (env: string) => {
    if (!pools.has(env)) pools.set(env, known.has(env) ? readEnvironment(root, env).nodePools : []);
    return pools.get(env)!;
  };
  for (const { file, object } of entries) {
    const rel = path.relative(root, file);
    const env = path.relative(distDir, file).split(path.sep)[0];
    for (const e of validator.validateObject(object)) errors.push(`${rel}: ${e}`);
    for (const v of checkObjects([object as K8sObject], EXEMPTIONS, { nodePools: poolsOf(env) })) errors.push(`${rel}: ${formatViolation(v)}`);
    byEnv.set(env, [...(byEnv.get(env) ?? []), object as K8sObject]);
  }
  for (const [env, objects] of byEnv) for (const e of danglingSecretRefs(objects)) errors.push(`dist/${env}: ${e}`);
  return { objects: entries.length, errors };
}

const USAGE = 'Usage: npm run validate [-- --dist DIR]\n\nValidates every object in dist/ against its schema and the platform policies.';

export async function main(argv: readonly string[], root = process.cwd()): Promise<number> {
  const args = parseArgs(argv, { dist: { value: true }, help: { value: false } }, USAGE);
  if (args.switches.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const report = validateDist(root, args.flags.dist ? path.resolve(root, args.flags.dist[0]) : undefined);
  for (const e of report.errors) console.error(e);
  console.log(`validate: ${report.objects} objects, ${report.errors.length} errors`);
  return report.errors.length === 0 ? 0 : 1;
}

if (require.main === module) runCli(main);
