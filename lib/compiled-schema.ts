/**
 * Schemas compiled ahead of time by ajv (npm run embed writes the modules;
 * test/embed.test.ts checks they are current), so no run compiles them.
 */
import type { ErrorObject } from 'ajv';

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
  const segments = err.schemaPath.replace(/^#\/?/, '').split('/').filter((s) => s !== '').slice(0, -1);
  return segments.reduce<unknown>((node, s) => (node as Record<string, unknown> | undefined)?.[s.replace(/~1/g, '/').replace(/~0/g, '~')], schema);
}

/** The value an error's instancePath points at in `data` (ajv's `error.data`, also only in verbose mode). */
export function instanceAt(data: unknown, err: ErrorObject): unknown {
  const segments = err.instancePath.split('/').slice(1);
  return segments.reduce<unknown>((node, s) => (node as Record<string, unknown> | undefined)?.[s.replace(/~1/g, '/').replace(/~0/g, '~')], data);
}
