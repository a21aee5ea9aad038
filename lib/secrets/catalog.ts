/**
 * The credentials an environment needs, and their sealed values.
 *
 * Components declare each Secret they need (namespace, name, keys, and for
 * each key whether `npm run secrets` generates it or a person provides it
 * with `npm run seal`). The catalog answers with the stored ciphertext and
 * remembers what is missing, so that synth can fail with the exact command
 * that fixes it, and `npm run secrets` can fill the gaps.
 */
import { Problem } from '../errors';
import type { SealingScope } from '../sealing/crypto';
import type { SealedValues } from '../sealing/sealed-values';

/** Random bytes, injected so that lib/ stays pure and tests can be deterministic. */
export type RandomBytes = (size: number) => Buffer;

/** A value `npm run secrets` creates: strong, random, never typed by a person. */
export interface GeneratedValue {
  readonly kind: 'generated';
  /**
   * Values with the same `shared` id are one value sealed into several
   * Secrets, e.g. a database password the database and its client both need
   * in their own namespaces. They are generated (and rotated) together.
   */
  readonly shared?: string;
  /**
   * Creates the value. `siblings` holds the keys of the same Secret generated
   * before this one (in declaration order), for values derived from them,
   * such as a connection string that contains a password.
   */
  generate(random: RandomBytes, siblings: Readonly<Record<string, string>>): string;
}

/** A value only a person can give (an SSH key, an SMTP password). */
export interface ProvidedValue {
  readonly kind: 'provided';
  /** Where the value comes from, e.g. "the private deploy key of the DAG repository". */
  readonly hint: string;
}

export interface SecretKeySpec {
  /** Key in the Secret's data. */
  readonly key: string;
  readonly description: string;
  readonly source: GeneratedValue | ProvidedValue;
}

export interface SecretRequirement {
  /** Component that needs the Secret, for messages. */
  readonly component: string;
  readonly namespace: string;
  readonly name: string;
  readonly scope: SealingScope;
  readonly keys: readonly SecretKeySpec[];
}

/** A key the catalog has no ciphertext for. */
export interface MissingValue {
  readonly requirement: SecretRequirement;
  readonly key: SecretKeySpec;
}

/** Random alphanumeric string (62 symbols, rejection sampling, no modulo bias). */
export function randomAlphanumeric(random: RandomBytes, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < 248 && out.length < length) out += alphabet[byte % 62];
    }
  }
  return out;
}

/**
 * A generated alphanumeric secret of `length` characters (32 by default:
 * about 190 bits). Alphanumeric, so it is safe in URLs and config files.
 */
export function generatedPassword(length = 32, shared?: string): GeneratedValue {
  return { kind: 'generated', generate: (random) => randomAlphanumeric(random, length), ...(shared ? { shared } : {}) };
}

/** A fixed value that belongs in a Secret next to generated ones, such as a user name. */
export function fixedValue(value: string): GeneratedValue {
  return { kind: 'generated', generate: () => value };
}

export class SecretCatalog {
  private readonly requests: SecretRequirement[] = [];
  private readonly missingValues: MissingValue[] = [];
  private readonly scopeMismatches: { requirement: SecretRequirement; stored: SealingScope }[] = [];

  /**
   * @param environment the environment name, for commands in messages
   * @param sealed the environment's sealed values
   * @param sealedFile the sealed values file, relative to the project root
   */
  constructor(
    public readonly environment: string,
    private readonly sealed: SealedValues,
    public readonly sealedFile: string,
  ) {}

  /** Declares a Secret and returns the ciphertext of each key that has one. */
  public request(requirement: SecretRequirement): Record<string, string> {
    const id = `${requirement.namespace}/${requirement.name}`;
    if (this.requests.some((r) => `${r.namespace}/${r.name}` === id)) {
      throw new Error(`Secret ${id} is requested twice`);
    }
    this.requests.push(requirement);
    const stored = this.sealed.secrets[id];
    if (stored && stored.scope !== requirement.scope) {
      this.scopeMismatches.push({ requirement, stored: stored.scope });
    }
    const ciphertext: Record<string, string> = {};
    for (const key of requirement.keys) {
      const value = stored?.data[key.key];
      if (value === undefined) this.missingValues.push({ requirement, key });
      else ciphertext[key.key] = value;
    }
    return ciphertext;
  }

  /** Every Secret requested so far, in request order. */
  public get requirements(): readonly SecretRequirement[] {
    return this.requests;
  }

  /** Every key without a sealed value. */
  public get missing(): readonly MissingValue[] {
    return this.missingValues;
  }

  /** The exact command that stores a value a person provides. */
  public sealCommand(requirement: SecretRequirement, key: string): string {
    const scope = requirement.scope === 'strict' ? '' : ` --scope ${requirement.scope}`;
    return `npm run seal -- --env ${this.environment} --namespace ${requirement.namespace} --name ${requirement.name} --key ${key}${scope} --from-file <file>`;
  }

  /** Problems for missing values and scope mismatches, each with the command that fixes it. */
  public problems(): Problem[] {
    const problems: Problem[] = [];
    const generated = this.missingValues.filter((m) => m.key.source.kind === 'generated');
    if (generated.length > 0) {
      const names = generated.map((m) => `${m.requirement.namespace}/${m.requirement.name}:${m.key.key}`);
      problems.push({
        file: this.sealedFile,
        message: `no sealed value for ${names.join(', ')} (generated credentials)`,
        fix: `npm run secrets -- --env ${this.environment}`,
      });
    }
    for (const m of this.missingValues) {
      if (m.key.source.kind !== 'provided') continue;
      problems.push({
        file: this.sealedFile,
        message: `no sealed value for ${m.requirement.namespace}/${m.requirement.name}:${m.key.key} (${m.key.description}; ${m.key.source.hint}), needed by ${m.requirement.component}`,
        fix: this.sealCommand(m.requirement, m.key.key),
      });
    }
    for (const { requirement, stored } of this.scopeMismatches) {
      problems.push({
        file: this.sealedFile,
        message: `${requirement.namespace}/${requirement.name} was sealed with scope "${stored}", but ${requirement.component} needs scope "${requirement.scope}": the controller could not decrypt it`,
        fix: `seal its keys again with --scope ${requirement.scope} (npm run secrets -- --env ${this.environment} --rotate ${requirement.namespace}/${requirement.name} for generated values)`,
      });
    }
    return problems;
  }
}
