/**
 * Validates built-in Kubernetes objects with the kubernetes-models package:
 * each model class (`kubernetes-models/apps/v1/Deployment`, ...) carries a
 * precompiled Ajv validator generated from the Kubernetes OpenAPI schema.
 *
 * Those validators accept unknown fields (the schemas have no
 * `additionalProperties: false`) and do not ship the schemas themselves. To
 * catch misspelt fields anyway, we run the validator on a Proxy of the object
 * that records which keys the validator reads: a generated validator reads
 * `data.<name>` for every property its schema declares, present or not, and
 * enumerates the keys of free-form maps (labels, `data`, ...). So in an object
 * whose keys were read one by one, a key that was never read is not in the
 * schema. Objects the validator never looked into (free-form objects without
 * `properties`, such as RawExtension) are left alone.
 *
 * Known gaps of kubernetes-models 4.5.1 (Kubernetes 1.33 schemas):
 * - properties named `description` or `x-kubernetes-*` were stripped from its
 *   schemas (PriorityClass.description, CRD JSONSchemaProps and printer
 *   columns), so those names are never reported as unknown;
 * - fields and kinds added after 1.33 (e.g. `restartPolicyRules`,
 *   `fileKeyRef`, resource.k8s.io/v1) are unknown to it.
 */
import type { ErrorObject } from 'ajv';
import { formatAjvErrors, sortLines } from './ajv';
import type { TypedObject } from './schemas';

/** Property names kubernetes-models never checks (see the module comment). */
function isModelGap(key: string): boolean {
  return key === 'description' || key.startsWith('x-kubernetes-');
}

/** A model class as exported by kubernetes-models. */
interface ModelClass {
  new (data?: unknown): { validate(): void };
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(): void };
}

/** apiVersion/kind → model class, or null when kubernetes-models has none. */
const classes = new Map<string, ModelClass | null>();

/** The kubernetes-models module path for a type, e.g. `kubernetes-models/apps/v1/Deployment`. */
function modulePath(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  // Only plausible names reach require(): no path traversal, no other packages.
  if (!/^[a-z0-9.-]*$/.test(group) || !/^v\d+[a-z0-9]*$/.test(version) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  return `kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`;
}

function modelClass(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion} ${kind}`;
  if (!classes.has(key)) {
    let found: ModelClass | null = null;
    const path = modulePath(apiVersion, kind);
    if (path) {
      try {
        const candidate = (require(path) as Record<string, ModelClass | undefined>)[kind];
        // Modules also exist for nested types (DeploymentSpec): only top-level kinds have apiVersion/kind.
        if (typeof candidate === 'function' && candidate.apiVersion === apiVersion && candidate.kind === kind) found = candidate;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
      }
    }
    classes.set(key, found);
  }
  return classes.get(key) ?? undefined;
}

/** What the validator did with one object (or array) of the input. */
interface Access {
  /** Keys the validator read. */
  readonly reads: Set<string>;
  /** True if it listed the keys (a map, or a keyword such as `minProperties`). */
  enumerated: boolean;
}

/**
 * Wraps `value` so that reads are recorded in `accesses` under JSON pointers.
 * Nested values are wrapped on first read, once each, so repeated reads see the same proxy.
 */
function track(value: unknown, pointer: string, accesses: Map<string, Access>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const access: Access = { reads: new Set(), enumerated: false };
  accesses.set(pointer, access);
  const children = new Map<string, unknown>();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key !== 'string') return Reflect.get(target, key, receiver);
      access.reads.add(key);
      if (!Object.prototype.hasOwnProperty.call(target, key)) return Reflect.get(target, key, receiver);
      if (!children.has(key)) children.set(key, track((target as Record<string, unknown>)[key], `${pointer}/${key}`, accesses));
      return children.get(key);
    },
    has(target, key) {
      if (typeof key === 'string') access.reads.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      access.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

/** Pointers of the fields of `value` that the validator never read in objects it read field by field. */
function unreadFields(value: unknown, pointer: string, accesses: Map<string, Access>): string[] {
  const access = accesses.get(pointer);
  if (!access || typeof value !== 'object' || value === null) return [];
  const found: string[] = [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const checkKeys = !Array.isArray(value) && !access.enumerated && access.reads.size > 0;
  for (const [key, child] of entries) {
    if (checkKeys && !access.reads.has(key) && !isModelGap(key)) found.push(`${pointer}/${key}: unknown field`);
    found.push(...unreadFields(child, `${pointer}/${key}`, accesses));
  }
  return found;
}

/**
 * Validates a built-in object with its kubernetes-models class. Returns
 * `pointer: message` lines (empty when valid), or undefined when
 * kubernetes-models has no class for the object's apiVersion and kind.
 */
export function validateWithModels(obj: TypedObject): string[] | undefined {
  const model = modelClass(obj.apiVersion, obj.kind);
  if (!model) return undefined;
  const accesses = new Map<string, Access>();
  let errors: ErrorObject[] = [];
  try {
    // What `new Model(obj).validate()` does, but on the tracking proxy: validate() checks `this`.
    model.prototype.validate.call(track(obj, '', accesses));
  } catch (e) {
    const list = (e as { errors?: ErrorObject[] }).errors;
    if (!Array.isArray(list)) throw e;
    errors = list;
  }
  return sortLines([...formatAjvErrors(errors), ...unreadFields(obj, '', accesses)]);
}
