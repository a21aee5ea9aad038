/**
 * Schemas compiled ahead of time by ajv (npm run embed writes the modules;
 * test/embed.test.ts checks they are current), so no run compiles them.
 */
import type { ErrorObject } from 'ajv';
import { valueAtPointer } from './config/yaml-source';

/** A compiled validator, as ajv's standalone code exports it. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * The schema object an error's keyword belongs to: ajv's `parentSchema`,
 * which only its verbose mode (too large to compile ahead of time) reports.
 */
export function parentSchemaOf(schema: unknown, err: ErrorObject): unknown {
  // "#/properties/x/additionalProperties": the schema at "/properties/x".
  return valueAtPointer(schema, err.schemaPath.replace(/^#/, '').replace(/\/[^/]*$/, ''));
}

/** The value an error's instancePath points at in `data` (ajv's `error.data`, also only in verbose mode). */
export function instanceAt(data: unknown, err: ErrorObject): unknown {
  return valueAtPointer(data, err.instancePath);
}
