/**
 * Converts Kubernetes schemas to plain JSON Schema (draft-07) that Ajv checks
 * the way the API server does. Used for both kinds of Kubernetes schema:
 *
 * - CRD structural schemas (`spec.versions[].schema.openAPIV3Schema`), and
 * - the built-in types' OpenAPI definitions (`_definitions.json`), which use
 *   the same vocabulary plus `$ref`.
 *
 * What changes:
 * - Objects that declare `properties` get `additionalProperties: false`:
 *   the API server drops unknown fields (or rejects them with
 *   `kubectl --validate=strict`), so a misspelt field silently does nothing.
 *   Objects with `x-kubernetes-preserve-unknown-fields: true` stay open, as do
 *   objects without `properties` (free-form) and everything inside
 *   `allOf`/`anyOf`/`oneOf`/`not`, which in structural schemas only add
 *   value constraints to the fields declared next to them.
 * - `x-kubernetes-int-or-string: true` accepts an integer or a string.
 * - `x-kubernetes-embedded-resource: true` also allows `apiVersion`, `kind`
 *   and `metadata`, which the API server accepts in embedded objects.
 * - `nullable: true` also accepts `null`.
 * - Other `x-kubernetes-*` keywords (list/map types, CEL validations) are
 *   dropped: they are not checked. So are documentation keywords and formats
 *   outside {@link KUBERNETES_FORMATS}, and regular expressions JavaScript
 *   cannot compile (Kubernetes uses Go's RE2 syntax).
 *
 * Pure: no I/O, inputs are not modified.
 */
import { KUBERNETES_FORMATS } from './ajv';

/** A JSON schema node, as parsed from JSON or YAML. */
export type SchemaNode = Record<string, unknown>;

/** Keywords that only document a schema: dropped to keep compiled schemas small. */
const DOCUMENTATION = new Set(['description', 'example', 'externalDocs', 'title']);

/** Keywords whose value is a map of name to schema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);

/** Keywords whose value is a list of schemas whose fields are declared elsewhere. */
const JUNCTORS = new Set(['allOf', 'anyOf', 'oneOf']);

function isObject(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True if `pattern` compiles as a JavaScript regular expression the way Ajv compiles it. */
function compiles(pattern: unknown): boolean {
  if (typeof pattern !== 'string') return false;
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

export interface ConvertOptions {
  /**
   * Close objects that declare `properties` (default true). False for
   * definitions that are open on purpose; their nested schemas are still
   * converted, but left open too.
   */
  readonly closeObjects?: boolean;
}

/**
 * Converts one Kubernetes schema node, recursively, to JSON Schema.
 * `$ref`s are kept as they are; see the module comment for the rules.
 */
export function toJsonSchema(node: unknown, options: ConvertOptions = {}): unknown {
  return convert(node, options.closeObjects ?? true, false);
}

/**
 * @param close whether objects with `properties` are closed in this subtree
 * @param inJunctor whether `node` is (inside) an `allOf`/`anyOf`/`oneOf`/`not` branch
 */
function convert(node: unknown, close: boolean, inJunctor: boolean): unknown {
  if (!isObject(node)) return node; // `true`/`false` schemas, or values of non-schema keywords
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable' || DOCUMENTATION.has(key)) continue;
    if (key === 'format' && !(KUBERNETES_FORMATS as readonly unknown[]).includes(value)) continue;
    if (key === 'pattern' && !compiles(value)) continue;
    if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, close, inJunctor)]));
    } else if (JUNCTORS.has(key) && Array.isArray(value)) {
      out[key] = value.map((v) => convert(v, close, true));
    } else if (key === 'not') {
      out[key] = convert(value, close, true);
    } else if (key === 'items') {
      out[key] = Array.isArray(value) ? value.map((v) => convert(v, close, inJunctor)) : convert(value, close, inJunctor);
    } else if (key === 'additionalProperties' || key === 'additionalItems') {
      out[key] = convert(value, close, inJunctor);
    } else {
      out[key] = value;
    }
  }

  if (node['x-kubernetes-int-or-string'] === true && out.type === undefined) out.type = ['integer', 'string'];

  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (close && !inJunctor && !preserveUnknown && isObject(out.properties) && out.additionalProperties === undefined) {
    if (node['x-kubernetes-embedded-resource'] === true) {
      out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...out.properties };
    }
    out.additionalProperties = false;
  }

  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type)) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/**
 * The JSON Schema for a whole custom resource from its CRD version's
 * `openAPIV3Schema`. Besides {@link toJsonSchema}: the API server always
 * accepts `apiVersion` and `kind` (strings) and `metadata` at the top, and
 * checks `metadata` itself (ObjectMeta), whatever the CRD says; the caller
 * checks the name.
 */
export function crdRootSchema(openAPIV3Schema: unknown): SchemaNode {
  const root = (isObject(openAPIV3Schema) ? toJsonSchema(openAPIV3Schema) : { type: 'object' }) as SchemaNode;
  if (isObject(root.properties) || root.additionalProperties === false) {
    root.properties = {
      ...(isObject(root.properties) ? root.properties : {}),
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
    };
  }
  return root;
}
