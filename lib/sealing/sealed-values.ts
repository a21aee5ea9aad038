/**
 * The sealed values of one environment, `environments/sealed/<env>.yaml`:
 * ciphertext only, safe to commit.
 *
 * ```yaml
 * secrets:
 *   <namespace>/<name>:
 *     scope: strict            # strict | namespace-wide | cluster-wide
 *     data:
 *       <key>: <base64 ciphertext>
 * ```
 *
 * Pure: text in, text out.
 */
import type { ErrorObject } from 'ajv';
import { CompiledValidator, instanceAt, parentSchemaOf } from '../compiled-schema';
import * as yaml from 'js-yaml';
import { countProblems, Problem, UserError } from '../errors';
import { parseYamlSource, pointerSegment } from '../config/yaml-source';
import {
  SEALING_SCOPES,
  SealingScope,
  sealedValueError,
  secretKeyError,
  secretNameProblems,
} from './crypto';

export interface SealedSecretEntry {
  /** Scope every key of the Secret was sealed with. */
  readonly scope: SealingScope;
  /** Secret key to base64 ciphertext. */
  readonly data: Record<string, string>;
}

export interface SealedValues {
  /** Keyed by `<namespace>/<name>`. */
  readonly secrets: Record<string, SealedSecretEntry>;
}

/** One sealed value and where it belongs. */
export interface SealedValue {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
  readonly scope: SealingScope;
  readonly ciphertext: string;
}

/** The key of a Secret in {@link SealedValues.secrets}. */
export function secretId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function emptySealedValues(): SealedValues {
  return { secrets: {} };
}

// Each `description` doubles as the error message for a value that breaks its rule.
export const SEALED_VALUES_SCHEMA = {
  type: 'object',
  description: 'must be a mapping with the single field "secrets"',
  additionalProperties: false,
  properties: {
    secrets: {
      type: 'object',
      description: 'must map "<namespace>/<name>" of each Secret to its scope and data',
      propertyNames: {
        type: 'string',
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$',
        description: 'must be "<namespace>/<name>" of a Secret, lowercase, e.g. "mlflow/mlflow-db"',
      },
      additionalProperties: {
        type: 'object',
        description: 'must be a mapping with the fields "scope" and "data"',
        additionalProperties: false,
        required: ['scope', 'data'],
        properties: {
          scope: { type: 'string', enum: SEALING_SCOPES, description: `must be one of ${SEALING_SCOPES.join(', ')}` },
          data: {
            type: 'object',
            description: 'must map each key of the Secret to its base64 ciphertext',
            propertyNames: {
              type: 'string',
              pattern: '^[-._a-zA-Z0-9]+$',
              description: 'must be a Secret key: letters, digits, "-", "_" and "."',
            },
            additionalProperties: {
              type: 'string',
              pattern: '^[A-Za-z0-9+/]+={0,2}$',
              description: 'must be base64 ciphertext written by `npm run seal` or `npm run secrets`',
            },
          },
        },
      },
    },
  },
} as const;

// Compiled ahead of time (lib/compiled-schema.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validator = require('./sealed-values-validator').default as CompiledValidator;
function validate(data: unknown): readonly ErrorObject[] {
  return validator(data) ? [] : (validator.errors ?? []);
}

const RESEAL_FIX = 'seal the value again with `npm run seal` (or `npm run secrets` for generated values)';

/** One schema violation as a problem located by JSON pointer (the caller adds file and line). */
function describe(data: unknown, error: ErrorObject): { pointer: string; message: string; fix?: string } {
  const description = (parentSchemaOf(SEALED_VALUES_SCHEMA, error) as { description?: string } | undefined)?.description ?? error.message ?? 'is invalid';
  const { keyword, params, instancePath } = error;
  // A bad mapping key: ajv reports the parent's path and the key separately.
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    return { pointer: `${instancePath}/${pointerSegment(propertyName)}`, message: `${JSON.stringify(propertyName)} ${description}` };
  }
  switch (keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((parentSchemaOf(SEALED_VALUES_SCHEMA, error) as { properties?: object } | undefined)?.properties ?? {});
      return {
        pointer: `${instancePath}/${pointerSegment(params.additionalProperty as string)}`,
        message: `unknown field ${JSON.stringify(params.additionalProperty)}`,
        fix: `remove it; the fields here are ${allowed.map((f) => JSON.stringify(f)).join(', ')}`,
      };
    }
    case 'required':
      return { pointer: instancePath, message: `missing field ${JSON.stringify(params.missingProperty)}` };
    case 'type':
      return { pointer: instancePath, message: `is ${describeType(instanceAt(data, error))}, but ${description}` };
    case 'enum':
      return { pointer: instancePath, message: `${JSON.stringify(instanceAt(data, error))} ${description}` };
    case 'pattern':
      return { pointer: instancePath, message: description, fix: RESEAL_FIX };
    default:
      return { pointer: instancePath, message: error.message ?? 'is invalid' };
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/** Checks the schema cannot express: name lengths and ciphertext framing. */
function semanticProblems(values: SealedValues): { pointer: string; message: string; fix?: string }[] {
  const problems: { pointer: string; message: string; fix?: string }[] = [];
  for (const [id, entry] of Object.entries(values.secrets)) {
    const pointer = `/secrets/${pointerSegment(id)}`;
    const [namespace, name] = id.split('/');
    for (const { message } of secretNameProblems(namespace, name)) problems.push({ pointer, message });
    for (const [key, ciphertext] of Object.entries(entry.data)) {
      const keyError = secretKeyError(key);
      if (keyError !== undefined) problems.push({ pointer: `${pointer}/data/${pointerSegment(key)}`, message: keyError });
      const valueError = sealedValueError(ciphertext);
      if (valueError !== undefined) {
        problems.push({ pointer: `${pointer}/data/${pointerSegment(key)}`, message: `the value ${valueError}`, fix: RESEAL_FIX });
      }
    }
  }
  return problems;
}

/** True when `text` holds no YAML document: only blank lines and comments. */
function isBlank(text: string): boolean {
  return text.split('\n').every((line) => /^\s*(#.*)?$/.test(line));
}

/**
 * Parses and validates a sealed values file. Empty text (or only comments)
 * means no secrets. Throws a UserError naming the file, the field and its line.
 */
export function parseSealedValues(text: string, file: string): SealedValues {
  if (isBlank(text)) return emptySealedValues();
  const source = parseYamlSource(text, file);
  if (source.data === null) return emptySealedValues();
  // ajv reports a bad mapping key twice: as "pattern" (with the key) and as a bare "propertyNames".
  const schemaErrors = validate(source.data)
    .filter((e) => e.keyword !== 'propertyNames')
    .map((e) => describe(source.data, e));
  const data = source.data as { secrets?: SealedValues['secrets'] };
  const values: SealedValues = { secrets: data.secrets ?? {} };
  const found = schemaErrors.length > 0 ? schemaErrors : semanticProblems(values);
  if (found.length === 0) return values;
  const problems: Problem[] = found.map(({ pointer, message, fix }) => {
    const at = source.locate(pointer);
    return { file, path: pointer, ...(at ? { line: at.line, column: at.column } : {}), message, ...(fix ? { fix } : {}) };
  });
  throw new UserError(problems, `${file} is not a valid sealed values file (${countProblems(problems.length)})`);
}

/**
 * Throws unless the Secret is new or stored with `scope`: all keys of one
 * Secret share one scope (it is part of the encryption, and a SealedSecret
 * has one scope annotation). {@link withSealedValue} checks it; a command can
 * check it first, before asking for a value.
 */
export function assertSameScope(values: SealedValues, namespace: string, name: string, scope: SealingScope): void {
  const id = secretId(namespace, name);
  const existing = values.secrets[id];
  if (!existing || existing.scope === scope) return;
  const keys = Object.keys(existing.data).sort(byCodeUnit).map((k) => JSON.stringify(k));
  throw new UserError({
    message:
      `${id} is sealed with scope "${existing.scope}", not "${scope}": all keys of one Secret share one scope ` +
      `(the scope is part of the encryption, and one SealedSecret has one scope annotation)`,
    fix:
      `seal with --scope ${existing.scope}; or, to change the scope, delete the entry "${id}" from the sealed ` +
      `values file and seal every key again with --scope ${scope} (${keys.join(', ')})`,
  });
}

/**
 * `values` with one more (or one replaced) sealed value. All keys of one
 * Secret share one scope: a different scope than the stored one is an error.
 */
export function withSealedValue(values: SealedValues, value: SealedValue): SealedValues {
  const { namespace, name, key, scope, ciphertext } = value;
  const id = secretId(namespace, name);
  const problems = secretNameProblems(namespace, name, key);
  const ciphertextError = sealedValueError(ciphertext);
  if (ciphertextError !== undefined) {
    problems.push({ message: `the ciphertext for ${id} key ${JSON.stringify(key)} ${ciphertextError}` });
  }
  if (problems.length) throw new UserError(problems);

  assertSameScope(values, namespace, name, scope);
  const existing = values.secrets[id];
  return {
    secrets: {
      ...values.secrets,
      [id]: { scope, data: { ...(existing?.data ?? {}), [key]: ciphertext } },
    },
  };
}

/** The sealed value of one key of one Secret, if stored. */
export function lookupSealedValue(
  values: SealedValues,
  namespace: string,
  name: string,
  key: string,
): { readonly scope: SealingScope; readonly ciphertext: string } | undefined {
  const entry = values.secrets[secretId(namespace, name)];
  const ciphertext = entry?.data[key];
  return entry && ciphertext !== undefined ? { scope: entry.scope, ciphertext } : undefined;
}

/** Code-unit order, independent of locale. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts the items of a mapping node by their (scalar) keys. */
function sortMapping(node: yaml.Node | null | undefined): void {
  if (node?.kind !== 'mapping') return;
  const keyOf = (item: { key: yaml.Node }) => (item.key.kind === 'scalar' ? item.key.value : '');
  node.items.sort((a, b) => byCodeUnit(keyOf(a), keyOf(b)));
}

/** The value node of `key` in a mapping node. */
function child(node: yaml.Node | null | undefined, key: string): yaml.Node | undefined {
  if (node?.kind !== 'mapping') return undefined;
  return node.items.find((item) => item.key.kind === 'scalar' && item.key.value === key)?.value;
}

/**
 * The file text for `values`: header comment, Secrets sorted by id, keys
 * sorted, `scope` before `data`, no line folding. The same values always give
 * the same text, and parsing it gives the same values.
 */
export function serializeSealedValues(values: SealedValues, env: string): string {
  const header = [
    `# Sealed values for environment ${JSON.stringify(env)}: ciphertext only, safe to commit.`,
    '# Written by `npm run seal` and `npm run secrets`; do not edit by hand.',
    `# scope: ${SEALING_SCOPES.join(' | ')}, the same for every key of a Secret.`,
  ];
  const secrets: Record<string, { scope: SealingScope; data: Record<string, string> }> = {};
  for (const [id, entry] of Object.entries(values.secrets)) secrets[id] = { scope: entry.scope, data: { ...entry.data } };
  // Sort in the YAML tree rather than by insertion order: JavaScript objects
  // list integer-like keys (a Secret key "0") first whatever the insertion order.
  const body = yaml.dump(
    { secrets },
    {
      lineWidth: -1,
      noRefs: true,
      transform: (documents) => {
        const secretsNode = child(documents[0]?.contents, 'secrets');
        sortMapping(secretsNode);
        if (secretsNode?.kind === 'mapping') for (const item of secretsNode.items) sortMapping(child(item.value, 'data'));
      },
    },
  );
  return `${header.join('\n')}\n${body}`;
}
