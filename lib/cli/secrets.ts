/**
 * `npm run secrets -- --env <env> [--rotate <namespace>/<name>]... [--all] [--dry-run]`
 *
 * Fills every generated credential the environment needs and does not have
 * yet with a strong random value, sealed with the environment's certificate.
 * Existing values are never re-sealed (git shows no churn) unless `--rotate`
 * names their Secret, or `--all` re-seals everything (after a new sealing
 * key). Values only a person can give are listed with the exact
 * `npm run seal` command.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComponentFactory } from '../components/index';
import { UserError } from '../errors';
import { buildPlatform } from '../platform';
import { publicKeyFromCertificate, sealValue } from '../sealing/crypto';
import { SealedValues, serializeSealedValues, withSealedValue } from '../sealing/sealed-values';
import { SecretRequirement } from '../secrets/catalog';
import { parseArgs, required } from './args';
import { readPlatformInputs, selectEnvironments } from './environments';
import { runCli } from './run';

const USAGE = `Usage: npm run secrets -- --env <env> [--rotate <namespace>/<name>]... [--all] [--dry-run]

Generates and seals every missing generated credential of the environment.
  --rotate NS/NAME  new values for that Secret's generated keys, and for every Secret sharing one of them
  --all             new values for every generated key (after replacing the sealing certificate),
                    and the seal commands for every value a person provided
  --dry-run         print what would change, write nothing`;

export interface SecretsResult {
  /** `namespace/name:key` of every value generated. */
  readonly generated: string[];
  /** Commands for values a person must provide. */
  readonly toProvide: string[];
}

/** Generates, seals and stores missing values. `random` is injectable for tests. */
export function fillSecrets(
  root: string,
  env: string,
  options: { rotate?: readonly string[]; all?: boolean; dryRun?: boolean; random?: (n: number) => Buffer; components?: readonly ComponentFactory[] } = {},
): SecretsResult {
  const inputs = readPlatformInputs(root, env);
  const platform = buildPlatform(inputs, { lenient: true, ...(options.components ? { components: options.components } : {}) });
  const { catalog } = platform;
  const known = new Set(catalog.requirements.map((r) => `${r.namespace}/${r.name}`));
  const rotate = new Set(options.all ? known : (options.rotate ?? []));
  const unknown = [...rotate].filter((r) => !known.has(r));
  if (unknown.length > 0) {
    throw new UserError({
      message: `--rotate ${unknown.join(', ')}: the environment has no such Secret`,
      fix: known.size ? `use one of: ${[...known].sort().join(', ')}` : 'this environment needs no credentials yet',
    });
  }
  const random = options.random ?? ((n: number) => crypto.randomBytes(n));
  const certificate = publicKeyFromCertificate(fs.readFileSync(path.join(root, inputs.config.sealing.certificate), 'utf8'), inputs.config.sealing.certificate);
  const missing = new Set(catalog.missing.map((m) => `${m.requirement.namespace}/${m.requirement.name}:${m.key.key}`));

  let values: SealedValues = inputs.sealedValues;
  const generated: string[] = [];
  const toProvide: string[] = [];
  const seal = (r: SecretRequirement, key: string, plaintext: string) => {
    values = withSealedValue(values, {
      namespace: r.namespace,
      name: r.name,
      key,
      scope: r.scope,
      ciphertext: sealValue(certificate, plaintext, { namespace: r.namespace, name: r.name, scope: r.scope }),
    });
    generated.push(`${r.namespace}/${r.name}:${key}`);
  };
  // Which Secrets get new generated values: those missing one, those to
  // rotate, and every Secret sharing a value with one of those (a shared value
  // is sealed into all its Secrets at once, so they always agree).
  const regenerate = new Set<string>();
  const sharedIds = (r: SecretRequirement) =>
    r.keys.flatMap((k) => (k.source.kind === 'generated' && k.source.shared ? [k.source.shared] : []));
  for (const r of catalog.requirements) {
    const id = `${r.namespace}/${r.name}`;
    if (rotate.has(id) || r.keys.some((k) => k.source.kind === 'generated' && missing.has(`${id}:${k.key}`))) regenerate.add(id);
  }
  for (let changed = true; changed; ) {
    changed = false;
    const touched = new Set(catalog.requirements.filter((r) => regenerate.has(`${r.namespace}/${r.name}`)).flatMap(sharedIds));
    for (const r of catalog.requirements) {
      const id = `${r.namespace}/${r.name}`;
      if (!regenerate.has(id) && sharedIds(r).some((s) => touched.has(s))) {
        regenerate.add(id);
        changed = true;
      }
    }
  }
  const sharedValues = new Map<string, string>();
  for (const r of catalog.requirements) {
    const id = `${r.namespace}/${r.name}`;
    if (regenerate.has(id)) {
      // Keys of one Secret are made in order, so a value derived from another
      // (a connection string holding a password) always matches it.
      const siblings: Record<string, string> = {};
      for (const k of r.keys) {
        if (k.source.kind !== 'generated') continue;
        const { shared } = k.source;
        let value = shared !== undefined ? sharedValues.get(shared) : undefined;
        if (value === undefined) {
          value = k.source.generate(random, { ...siblings });
          if (shared !== undefined) sharedValues.set(shared, value);
        }
        siblings[k.key] = value;
        seal(r, k.key, value);
      }
    }
    for (const k of r.keys) {
      // A provided value sealed for the old certificate must be sealed again by the person who has it.
      if (k.source.kind === 'provided' && (missing.has(`${id}:${k.key}`) || options.all)) {
        toProvide.push(`${catalog.sealCommand(r, k.key)}    # ${k.description}: ${k.source.hint}`);
      }
    }
  }
  if (generated.length > 0 && !options.dryRun) {
    const file = path.join(root, inputs.sealedFile);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, serializeSealedValues(values, env));
  }
  return { generated, toProvide };
}

export async function main(argv: readonly string[], root = process.cwd()): Promise<number> {
  const args = parseArgs(argv, { env: { value: true }, rotate: { value: true, repeat: true }, all: { value: false }, 'dry-run': { value: false }, help: { value: false } }, USAGE);
  if (args.switches.has('help')) {
    console.log(USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new UserError({ message: `unexpected argument ${args.positionals[0]}`, fix: USAGE });
  const env = required(args, 'env', USAGE);
  selectEnvironments(root, [env]);
  const dryRun = args.switches.has('dry-run');
  const all = args.switches.has('all');
  if (all && args.flags.rotate) throw new UserError({ message: '--all and --rotate together', fix: '--all already rotates every Secret: drop --rotate' });
  const result = fillSecrets(root, env, { rotate: args.flags.rotate ?? [], all, dryRun });
  const verb = dryRun ? 'would generate' : 'generated and sealed';
  if (result.generated.length === 0) console.log(`${env}: every generated credential is already sealed`);
  for (const g of result.generated) console.log(`${env}: ${verb} ${g}`);
  if (result.toProvide.length > 0) {
    console.log(`${env}: values only a person can provide, ${all ? 'to seal again with the new certificate' : 'still missing'}:`);
    for (const c of result.toProvide) console.log(`  ${c}`);
  }
  return 0;
}

if (require.main === module) runCli(main);
