/**
 * Embeds the programs that run in the cluster but are not TypeScript (the
 * drift service, cluster/drift/drift.py; the Logstash filter,
 * cluster/logstash/airflow-task-logs.rb) as string modules the generator
 * imports, so lib/ stays pure; and the environment schema's validator,
 * compiled ahead of time. Usage: npm run embed (a test fails when an
 * embedded copy differs from its source).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { environmentSchema } from '../lib/config/schema';
import { SEALED_VALUES_SCHEMA } from '../lib/sealing/sealed-values';

export const PROGRAMS = [
  { source: 'cluster/drift/drift.py', module: 'cluster/drift/program.ts', name: 'DRIFT_PROGRAM' },
  { source: 'cluster/logstash/airflow-task-logs.rb', module: 'cluster/logstash/program.ts', name: 'AIRFLOW_TASK_LOGS_FILTER' },
];

export function embedded(source: string, name: string, file: string): string {
  return `// Generated from ${file} by npm run embed: do not edit.\nexport const ${name} = ${JSON.stringify(source)};\n`;
}

/** The schemas compiled ahead of time (lib/compiled-schema.ts): source, module, ajv options as before. */
export const VALIDATORS = [
  { source: 'lib/config/schema.ts', module: 'lib/config/environment-validator.ts', schema: environmentSchema, options: { allowUnionTypes: true } },
  { source: 'lib/sealing/sealed-values.ts', module: 'lib/sealing/sealed-values-validator.ts', schema: SEALED_VALUES_SCHEMA, options: {} },
];

/** ajv's standalone code for one schema, unchanged but for the header. */
export function validatorModule(v: (typeof VALIDATORS)[number]): string {
  const ajv = new Ajv({ allErrors: true, strict: true, ...v.options, code: { source: true, esm: true } });
  const code = standaloneCode(ajv, ajv.compile(v.schema));
  return `// @ts-nocheck\n// Generated from ${v.source} by npm run embed (ajv standalone code): do not edit.\n${code}\n`;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  for (const p of PROGRAMS) fs.writeFileSync(path.join(root, p.module), embedded(fs.readFileSync(path.join(root, p.source), 'utf8'), p.name, p.source));
  for (const v of VALIDATORS) fs.writeFileSync(path.join(root, v.module), validatorModule(v));
}
