/**
 * Validates built-in Kubernetes objects against the OpenAPI definitions of
 * one Kubernetes release: a `_definitions.json` from cdk8s-team/cdk8s
 * `kubernetes-schemas/v1.xx.0/`, i.e. `{ definitions: { <name>: schema } }`
 * where top-level kinds carry `x-kubernetes-group-version-kind` and types
 * refer to each other with `$ref: #/definitions/<name>`.
 *
 * Definitions are converted by ./structural.ts (unknown fields are errors,
 * except in the open definitions below) and compiled lazily, one kind at a
 * time: compiling a Deployment compiles only what a Deployment refers to.
 * IntOrString and Quantity are `oneOf` string/integer (number) in these files
 * already.
 *
 * Pure: the definitions are passed in.
 */
import type { ValidateFunction } from 'ajv';
import type AjvCore from 'ajv/dist/core';
import { createAjv, formatAjvErrors } from './ajv';
import { splitApiVersion, type SchemaResult, type TypedObject } from './schemas';
import { toJsonSchema } from './structural';

/**
 * Definitions whose unknown fields are accepted: RawExtension holds any
 * object, and JSONSchemaProps (a CRD's schema) also holds whatever schema
 * keywords newer API servers know.
 */
export const OPEN_DEFINITIONS: ReadonlySet<string> = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1beta1.JSONSchemaProps',
]);

/**
 * A copy of `value` without object fields set to `null`: the API server
 * decodes those as "not set" in built-in types (Go's JSON decoding), so
 * `creationTimestamp: null`, common in generated CRDs, is valid.
 */
function withoutNullFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullFields);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNullFields(v)]),
  );
}

/** Validates built-in objects against one Kubernetes release's definitions. */
export interface BuiltinValidator {
  /** e.g. `1.27` */
  readonly release: string;
  /** e.g. `k8s 1.27`: the `schema` of results. */
  readonly label: string;
  /** True if the release serves any kind in this API group (`''` is the core group). */
  servesGroup(group: string): boolean;
  /** True if the release serves this apiVersion and kind. */
  serves(apiVersion: string, kind: string): boolean;
  /**
   * Validates an object. A type the release does not serve (a removed or
   * not yet added API) is an error.
   */
  validate(obj: TypedObject): SchemaResult;
}

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/**
 * @param release the Kubernetes release, e.g. `1.27`, for messages
 * @param document the parsed `_definitions.json`
 */
export function createBuiltinValidator(release: string, document: { definitions: Record<string, unknown> }): BuiltinValidator {
  const label = `k8s ${release}`;
  const id = `k8s-${release}`;

  // apiVersion + kind → definition name, from x-kubernetes-group-version-kind.
  const byType = new Map<string, string>();
  const groups = new Set<string>();
  for (const [name, definition] of Object.entries(document.definitions)) {
    const gvks = (definition as { 'x-kubernetes-group-version-kind'?: GroupVersionKind[] })['x-kubernetes-group-version-kind'];
    // Shared types (DeleteOptions, WatchEvent) list many kinds: they are not resources.
    if (!Array.isArray(gvks) || gvks.length !== 1) continue;
    const { group, version, kind } = gvks[0];
    const apiVersion = group ? `${group}/${version}` : version;
    if (!byType.has(`${apiVersion} ${kind}`)) byType.set(`${apiVersion} ${kind}`, name);
    groups.add(group);
  }

  // Converted and registered on first use; each kind compiled on first use.
  let ajv: AjvCore | undefined;
  const compiled = new Map<string, ValidateFunction>();
  const compile = (name: string): ValidateFunction => {
    if (!ajv) {
      ajv = createAjv();
      const definitions = Object.fromEntries(
        Object.entries(document.definitions).map(([n, d]) => [n, toJsonSchema(d, { closeObjects: !OPEN_DEFINITIONS.has(n) })]),
      );
      ajv.addSchema({ $id: id, definitions }, undefined, undefined, false);
    }
    let fn = compiled.get(name);
    if (!fn) {
      fn = ajv.compile({ $ref: `${id}#/definitions/${name}` });
      compiled.set(name, fn);
    }
    return fn;
  };

  return {
    release,
    label,
    servesGroup: (group) => groups.has(group),
    serves: (apiVersion, kind) => byType.has(`${apiVersion} ${kind}`),
    validate(obj) {
      const name = byType.get(`${obj.apiVersion} ${obj.kind}`);
      if (!name) {
        const { group } = splitApiVersion(obj.apiVersion);
        const hint = groups.has(group) ? '' : ` (no API group "${group}")`;
        return { schema: label, errors: [`/: ${obj.apiVersion} ${obj.kind} does not exist in Kubernetes ${release}${hint}`] };
      }
      const fn = compile(name);
      return { schema: label, errors: fn(withoutNullFields(obj)) ? [] : formatAjvErrors(fn.errors) };
    },
  };
}
