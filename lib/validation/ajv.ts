/**
 * The Ajv set-up shared by every validator in lib/validation, and the one
 * place that turns Ajv errors into the messages users read.
 */
import Ajv, { type ErrorObject, type Options } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';
import addFormats, { type FormatName } from 'ajv-formats';

/**
 * String formats that Kubernetes schemas use and that we check. Any other
 * `format` in a Kubernetes or CRD schema is dropped by lib/validation/structural.ts:
 * the API server's format rules (Go's strfmt) differ from JSON Schema's for
 * several formats (`duration` is `30s`, not ISO 8601), so checking them would
 * reject valid manifests.
 */
export const KUBERNETES_FORMATS: readonly FormatName[] = ['byte', 'date-time', 'int32', 'int64'];

/**
 * JSON Schema dialects we can compile. Chart `values.schema.json` files name
 * theirs in `$schema`; Kubernetes schemas are an OpenAPI v3 subset that
 * draft-07 reads the same way once converted by ./structural.ts.
 */
export type Dialect = 'draft-07' | '2019-09' | '2020-12';

/**
 * A fresh Ajv instance: all errors (users should see every problem at once),
 * no strict mode (upstream schemas use keywords Ajv does not know), and no
 * logging (it would only warn about those keywords).
 *
 * @param formats `'kubernetes'` registers only {@link KUBERNETES_FORMATS};
 *   `'all'` registers every ajv-formats format, for chart values schemas.
 */
export function createAjv(dialect: Dialect = 'draft-07', formats: 'kubernetes' | 'all' = 'kubernetes'): AjvCore {
  // Big CRD schemas (KServe's InferenceService) compile 2-3 times faster without
  // Ajv's code optimisation; validation speed does not matter here.
  const options: Options = { strict: false, allErrors: true, verbose: true, logger: false, code: { optimize: false } };
  const ajv = dialect === '2020-12' ? new Ajv2020(options) : dialect === '2019-09' ? new Ajv2019(options) : new Ajv(options);
  if (formats === 'all') addFormats(ajv);
  else addFormats(ajv, [...KUBERNETES_FORMATS]);
  return ajv;
}

/** Unique lines, sorted by code point so output is stable and problems in one object stay together. */
export function sortLines(lines: Iterable<string>): string[] {
  return [...new Set(lines)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Displays a JSON pointer; the document root is shown as `/`. */
function at(pointer: string): string {
  return pointer === '' ? '/' : pointer;
}

/** The JSON type of a value, for "got ..." hints. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * `must be integer` or, when Ajv kept the value (verbose), `must be integer
 * (got string)`. Only the type: the value could be a secret.
 */
function typeMessage(types: string[], e: ErrorObject): string {
  const got = 'data' in e ? ` (got ${typeName(e.data)})` : '';
  return `must be ${types.join(' or ')}${got}`;
}

/** A short rendering of a value that failed an enum: enum fields hold settings, not secrets. */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The expected type(s) of a `type` error: `params.type` is a string or a comma-separated list. */
function typesOf(e: ErrorObject): string[] {
  const t = (e.params as { type?: string | string[] }).type;
  return Array.isArray(t) ? t : String(t).split(',');
}

/**
 * Turns Ajv errors into `pointer: message` lines, one per problem:
 * - an unknown field is reported at its own pointer (`/spec/templat: unknown field`);
 * - a missing field likewise (`/spec/selector: required field is missing`);
 * - the `type` errors of a failed `oneOf`/`anyOf` of plain types (IntOrString,
 *   Quantity) become one line (`must be string or integer`);
 * - duplicates are dropped, and lines are sorted (by pointer, mostly).
 *
 * Works both on errors from Ajv and on those from kubernetes-models' precompiled
 * validators (same shape, but their `schemaPath`s are relative to each
 * sub-validator, so alternatives are matched by position and pointer instead).
 */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const lines: string[] = [];
  // Type errors seen since the last other error, waiting to be merged into a following oneOf/anyOf.
  let pendingTypes: ErrorObject[] = [];
  const flushTypes = (): void => {
    for (const e of pendingTypes) lines.push(`${at(e.instancePath)}: ${typeMessage(typesOf(e), e)}`);
    pendingTypes = [];
  };
  for (const e of errors ?? []) {
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'type') {
      if (pendingTypes.length && pendingTypes[0].instancePath !== e.instancePath) flushTypes();
      pendingTypes.push(e);
      continue;
    }
    if ((e.keyword === 'oneOf' || e.keyword === 'anyOf') && params.passingSchemas == null) {
      const alternatives = pendingTypes.filter((p) => p.instancePath === e.instancePath);
      if (alternatives.length && alternatives.length === pendingTypes.length) {
        const types = [...new Set(alternatives.flatMap(typesOf))];
        lines.push(`${at(e.instancePath)}: ${typeMessage(types, alternatives[0])}`);
        pendingTypes = [];
        continue;
      }
    }
    flushTypes();
    switch (e.keyword) {
      case 'additionalProperties':
        lines.push(`${e.instancePath}/${String(params.additionalProperty)}: unknown field`);
        break;
      case 'required':
        lines.push(`${e.instancePath}/${String(params.missingProperty)}: required field is missing`);
        break;
      case 'enum':
        lines.push(
          `${at(e.instancePath)}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` +
            ('data' in e ? ` (got ${shortJson(e.data)})` : ''),
        );
        break;
      case 'const':
        lines.push(`${at(e.instancePath)}: must be ${JSON.stringify(params.allowedValue)}`);
        break;
      default:
        lines.push(`${at(e.instancePath)}: ${e.message ?? e.keyword}`);
    }
  }
  flushTypes();
  return sortLines(lines);
}
