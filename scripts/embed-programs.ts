/**
 * Embeds the programs that run in the cluster but are not TypeScript (the
 * drift service, cluster/drift/drift.py; the Logstash filter,
 * cluster/logstash/airflow-task-logs.rb) as string modules the generator
 * imports, so lib/ stays pure. Usage: npm run embed (a test fails when an
 * embedded copy differs from its source).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PROGRAMS = [
  { source: 'cluster/drift/drift.py', module: 'cluster/drift/program.ts', name: 'DRIFT_PROGRAM' },
  { source: 'cluster/logstash/airflow-task-logs.rb', module: 'cluster/logstash/program.ts', name: 'AIRFLOW_TASK_LOGS_FILTER' },
];

export function embedded(source: string, name: string, file: string): string {
  return `// Generated from ${file} by npm run embed: do not edit.\nexport const ${name} = ${JSON.stringify(source)};\n`;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  for (const p of PROGRAMS) fs.writeFileSync(path.join(root, p.module), embedded(fs.readFileSync(path.join(root, p.source), 'utf8'), p.name, p.source));
}
