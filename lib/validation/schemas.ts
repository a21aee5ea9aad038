/**
 * Schema validation of Kubernetes objects, without network or cluster:
 *
 * - built-in kinds with kubernetes-models (see ./models.ts), unknown fields included;
 * - custom resources with the `openAPIV3Schema` of their CRD, converted by
 *   ./structural.ts so that unknown fields are errors as well.
 *
 * Pure: schemas are passed in (see ./files.ts to read them from disk).
 *
 * Usage:
 *   const validator = createValidator(readCrdSchemaFiles('imports'));
 *   validator.validateObject(obj); // → ['/spec/templat: unknown field', ...]
 */
import type { ValidateFunction } from 'ajv';
import { createAjv, formatAjvErrors } from './ajv';
import { validateWithModels } from './models';
import { crdRootSchema } from './structural';

/**
 * One CRD's schemas, as written to imports/schemas/<name>.json by
 * scripts/import.ts: the openAPIV3Schema of each served version.
 */
export interface CrdSchemaFile {
  readonly group: string;
  readonly kind: string;
  readonly scope?: string;
  /** Where the CRD came from (URL or file), to name it in messages. */
  readonly source?: string;
  /** Served version name → its `openAPIV3Schema`. */
  readonly versions: Readonly<Record<string, unknown>>;
}

/** The errors of one object against one schema, and which schema it was. */
export interface SchemaResult {
  /** The schema's origin: a CRD's `source`, or e.g. `k8s 1.27`. */
  readonly schema: string;
  /** `pointer: message` lines; empty when the object is valid. */
  readonly errors: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits `apps/v1` into group `apps` and version `v1`; `v1` has group ''. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** An object with a type to look a schema up for. */
export interface TypedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** True if `obj` is an object with a non-empty string `apiVersion` and `kind`. */
export function isTyped(obj: unknown): obj is TypedObject {
  return isObject(obj) && typeof obj.apiVersion === 'string' && obj.apiVersion !== '' && typeof obj.kind === 'string' && obj.kind !== '';
}

/**
 * The checks every object gets, whatever its kind: `apiVersion` and `kind`
 * are non-empty strings, `metadata` is an object with a `name` (or a
 * `generateName`). Returns `pointer: message` lines.
 */
export function checkObjectShape(obj: unknown): string[] {
  if (!isObject(obj)) return ['/: must be an object (a Kubernetes resource)'];
  const errors: string[] = [];
  for (const key of ['apiVersion', 'kind']) {
    if (typeof obj[key] !== 'string' || obj[key] === '') errors.push(`/${key}: must be a non-empty string`);
  }
  const metadata = obj.metadata;
  if (!isObject(metadata)) errors.push('/metadata: must be an object');
  else if (typeof metadata.name !== 'string' || metadata.name === '') {
    if (typeof metadata.generateName !== 'string' || metadata.generateName === '') errors.push('/metadata/name: must be a non-empty string');
  }
  return errors;
}

/**
 * Reads a CustomResourceDefinition object (apiextensions.k8s.io/v1) into a
 * {@link CrdSchemaFile}, or returns undefined if `crd` is not one. Versions
 * that are not served, or have no schema, are left out.
 */
export function crdToSchemaFile(crd: unknown, source: string): CrdSchemaFile | undefined {
  if (!isObject(crd) || crd.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) return undefined;
  const spec = crd.spec;
  const names = isObject(spec.names) ? spec.names : {};
  if (typeof spec.group !== 'string' || typeof names.kind !== 'string' || !Array.isArray(spec.versions)) return undefined;
  const versions: Record<string, unknown> = {};
  for (const v of spec.versions as unknown[]) {
    if (!isObject(v) || typeof v.name !== 'string' || v.served === false) continue;
    const schema = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (isObject(schema)) versions[v.name] = schema;
  }
  return { group: spec.group, kind: names.kind, scope: typeof spec.scope === 'string' ? spec.scope : undefined, source, versions };
}

/** Validates custom resources against a set of CRD schemas. */
export interface CrdValidator {
  /** True if some CRD serves this apiVersion and kind. */
  serves(apiVersion: string, kind: string): boolean;
  /**
   * Validates a custom resource. Several CRDs may serve the same
   * group/kind/version (two releases of an operator): the object is valid if
   * it matches any of them; otherwise the result is that of the closest one
   * (fewest errors). Undefined when no CRD serves the object's type.
   * Does not run {@link checkObjectShape}.
   */
  validate(obj: TypedObject): SchemaResult | undefined;
  /** The CRDs that have validated at least one object so far. */
  readonly used: ReadonlySet<CrdSchemaFile>;
}

/** A CRD version's schema, compiled on first use. */
interface Candidate {
  readonly crd: CrdSchemaFile;
  readonly schema: unknown;
  compiled?: ValidateFunction;
}

/**
 * Builds a {@link CrdValidator}. Schemas are converted and compiled lazily,
 * once, the first time an object of their type is validated.
 */
export function createCrdValidator(files: readonly CrdSchemaFile[]): CrdValidator {
  const ajv = createAjv();
  const byType = new Map<string, Candidate[]>();
  const used = new Set<CrdSchemaFile>();
  for (const file of files) {
    for (const [version, schema] of Object.entries(file.versions)) {
      const key = `${file.group}/${version} ${file.kind}`;
      const list = byType.get(key) ?? [];
      list.push({ crd: file, schema });
      byType.set(key, list);
    }
  }
  // Custom resources always have a group: `v1` is never a CRD's apiVersion.
  const typeKey = (apiVersion: string, kind: string): string => `${apiVersion} ${kind}`;

  return {
    used,
    serves: (apiVersion, kind) => byType.has(typeKey(apiVersion, kind)),
    validate(obj) {
      const candidates = byType.get(typeKey(obj.apiVersion, obj.kind));
      if (!candidates) return undefined;
      let best: SchemaResult | undefined;
      for (const candidate of candidates) {
        candidate.compiled ??= ajv.compile(crdRootSchema(candidate.schema));
        used.add(candidate.crd);
        const errors = candidate.compiled(obj) ? [] : formatAjvErrors(candidate.compiled.errors);
        const schema = candidate.crd.source ?? `${candidate.crd.group}/${candidate.crd.kind}`;
        if (!best || errors.length < best.errors.length) best = { schema, errors };
        if (errors.length === 0) break;
      }
      return best;
    },
  };
}

/** Validates any object in dist: built-in kinds and the custom resources of the given CRDs. */
export interface ObjectValidator {
  /** `pointer: message` lines for `obj`; empty when valid. */
  validateObject(obj: unknown): string[];
}

/**
 * Validates objects against the given CRD schemas (custom resources) and
 * kubernetes-models (built-in kinds). A type neither knows is an error
 * (`no schema for <apiVersion> <kind>`).
 */
export function createValidator(crdSchemas: readonly CrdSchemaFile[]): ObjectValidator {
  const crds = createCrdValidator(crdSchemas);
  return {
    validateObject(obj) {
      const shape = checkObjectShape(obj);
      if (!isTyped(obj)) return shape;
      // CRDs first: some CRD groups look built-in (gateway.networking.k8s.io).
      const errors = crds.validate(obj)?.errors ?? validateWithModels(obj) ?? [`/: no schema for ${obj.apiVersion} ${obj.kind}`];
      return [...shape, ...errors];
    },
  };
}
