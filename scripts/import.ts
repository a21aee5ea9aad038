/**
 * Regenerates imports/ from local copies of the CRDs that cdk8s.yaml names.
 *
 * `cdk8s import` of a URL needs network access to GitHub. This script runs the
 * same import against local, unmodified copies of those files at the same
 * tags (default folder ../shared/crds, or --crds DIR), one module per entry,
 * and writes for each CRD a JSON schema file under imports/schemas/ that the
 * tests use to validate custom resources without network or ../shared.
 *
 * Usage: npm run import [-- --crds DIR]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';

interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema?: { readonly openAPIV3Schema?: unknown };
}

/**
 * CRDs whose objects are built as plain ApiObjects: only their schema is
 * written (validation), not a cdk8s module (their generated types run to
 * megabytes and would slow every type-check).
 */
const SCHEMA_ONLY = new Set(['kserve-inferenceservice', 'rayservice', 'seldondeployment', 'prometheusrule', 'strimzi-kafka', 'strimzi-kafkanodepool', 'strimzi-kafkatopic', 'strimzi-kafkauser', 'eck-elasticsearch', 'eck-kibana', 'eck-beat', 'eck-logstash']);

function main(): void {
  const root = path.resolve(__dirname, '..', '..');
  const args = process.argv.slice(2);
  const crdsArg = args.indexOf('--crds');
  const crdsDir = path.resolve(root, crdsArg >= 0 ? args[crdsArg + 1] : '../shared/crds');
  const projectFile = path.join(root, 'cdk8s.yaml');
  const projectText = fs.readFileSync(projectFile, 'utf8');
  const project = yaml.load(projectText) as { imports: string[] };
  const out = path.join(root, 'imports');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'schemas'), { recursive: true });
  const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
  for (const entry of project.imports) {
    const name = entry.split(':=')[0];
    const file = path.join(crdsDir, `${name}.yaml`);
    if (!fs.existsSync(file)) {
      throw new Error(`${file} not found: it should be the upstream file ${entry.split(':=')[1]}`);
    }
    if (!SCHEMA_ONLY.has(name)) {
      execFileSync(cli, ['import', `${name}:=${file}`, '--output', out, '--language', 'typescript'], {
        cwd: root,
        stdio: 'pipe',
      });
    }
    const crd = yaml.load(fs.readFileSync(file, 'utf8')) as {
      spec: { group: string; names: { kind: string }; scope: string; versions: CrdVersion[] };
    };
    const versions: Record<string, unknown> = {};
    for (const v of crd.spec.versions) {
      if (v.served && v.schema?.openAPIV3Schema) versions[v.name] = v.schema.openAPIV3Schema;
    }
    const schema = { group: crd.spec.group, kind: crd.spec.names.kind, scope: crd.spec.scope, source: entry.split(':=')[1], versions };
    fs.writeFileSync(path.join(out, 'schemas', `${name}.json`), `${JSON.stringify(schema)}\n`);
    // `cdk8s import` records the local file in cdk8s.yaml: keep the upstream URLs there.
    fs.writeFileSync(projectFile, projectText);
    console.log(SCHEMA_ONLY.has(name) ? `imports/schemas/${name}.json` : `imports/${name}.ts, imports/schemas/${name}.json`);
  }
}

main();
