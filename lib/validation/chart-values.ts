/**
 * Validates Helm chart values against the chart's `values.schema.json`, the
 * way `helm install` does: the schema applies to the chart's default values
 * (`values.yaml`) coalesced with the user's values, not to the user's values
 * alone (schemas often require keys that only the defaults set).
 *
 * Pure: schemas and values are passed in.
 */
import type { ValidateFunction } from 'ajv';
import { createAjv, formatAjvErrors, type Dialect } from './ajv';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Helm's coalescing of user values over chart defaults: maps merge
 * recursively, any other user value replaces the default, and a user `null`
 * deletes the key.
 */
export function coalesceValues(defaults: unknown, values: unknown): unknown {
  if (!isMap(defaults) || !isMap(values)) return values === undefined ? defaults : values;
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(values)) {
    if (value === null) delete out[key];
    else out[key] = coalesceValues(defaults[key], value);
  }
  return out;
}

/** The dialect named by a schema's `$schema`; draft-07 unless it says 2020-12 or 2019-09. */
function dialectOf(schema: Record<string, unknown>): Dialect {
  const uri = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (uri.includes('2020-12')) return '2020-12';
  if (uri.includes('2019-09')) return '2019-09';
  return 'draft-07';
}

/**
 * Compiles a chart's values schema. Returns a function giving the
 * `pointer: message` lines for a set of (coalesced) values.
 */
export function createValuesValidator(schema: unknown): (values: unknown) => string[] {
  if (!isMap(schema)) throw new Error('values.schema.json must hold a JSON object');
  // `$schema` only selects the dialect: some charts name meta-schemas Ajv does not ship
  // (`http://json-schema.org/schema#`), which it would try to load.
  const { $schema: _ignored, ...rest } = schema;
  const validate: ValidateFunction = createAjv(dialectOf(schema), 'all').compile(rest);
  return (values) => (validate(values ?? {}) ? [] : formatAjvErrors(validate.errors));
}
