/**
 * The example DAGs repository (examples/dags): every file compiles, and every
 * DAG id, connection, variable and environment variable it uses is one the
 * platform provides; the retrain DAGs the shipped environments name exist.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as yaml from 'js-yaml';
import { renderEnvironments } from '../lib/cli/synth';
import { OBJECT_STORE_CONN_ID } from '../lib/components/airflow';
import { binary, ROOT } from './support';

type Obj = Record<string, any>;
const DIR = path.join(ROOT, 'examples', 'dags');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.py')).sort();
const source = files.map((f) => fs.readFileSync(path.join(DIR, f), 'utf8')).join('\n');
const python = binary('python3');

test('the example DAGs compile (python3 -m py_compile)', { skip: python ? false : 'python3 is not installed: the DAG files were not compiled' }, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dags-'));
  for (const f of files) execFileSync(python!, ['-c', 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)', path.join(DIR, f), path.join(out, `${f}c`)]);
});

test('the example DAGs use only what the platform provides: the object_store connection, its environment, no Variables', () => {
  const rendered = renderEnvironments(ROOT, ['local', 'staging', 'prod']);
  const provided = new Set<string>();
  for (const r of rendered) {
    const chart = r.files.find((f) => f.path === 'airflow/HelmChart.airflow.k8s.yaml')!.object as Obj;
    for (const e of (yaml.load(chart.spec.valuesContent) as Obj).env) provided.add(e.name);
  }
  const envUsed = [...source.matchAll(/os\.environ(?:\.get\(|\[)"([A-Z0-9_]+)"/g)].map((m) => m[1]);
  assert.ok(envUsed.length > 0);
  for (const name of envUsed) assert.ok(provided.has(name), `${name} is not in Airflow's environment`);
  // Connections: every *_conn_id is the platform's object store connection.
  const constants = new Map([...source.matchAll(/^([A-Z_]+) = "([^"]+)"$/gm)].map((m) => [m[1], m[2]]));
  const conns = [...source.matchAll(/\w+_conn_id=([A-Z_]+|"[^"]+")/g)].map((m) => (m[1].startsWith('"') ? m[1].slice(1, -1) : constants.get(m[1])));
  assert.deepEqual([...new Set(conns)], [OBJECT_STORE_CONN_ID]);
  assert.ok(provided.has(`AIRFLOW_CONN_${OBJECT_STORE_CONN_ID.toUpperCase()}`));
  assert.doesNotMatch(source, /Variable\.get|Variable\(/, 'the platform provides no Airflow Variables');
});

test('every retrain DAG a shipped environment names is in the examples', () => {
  const dagIds = new Set([...source.matchAll(/build_retrain_dag\("([a-z0-9_]+)"/g)].map((m) => `retrain_${m[1]}`));
  for (const env of ['local', 'staging', 'prod']) {
    const config = yaml.load(fs.readFileSync(path.join(ROOT, 'environments', `${env}.yaml`), 'utf8')) as Obj;
    for (const m of config.serving?.models ?? []) if (m.retrainDag) assert.ok(dagIds.has(m.retrainDag), `${env}: ${m.retrainDag}`);
  }
  // The DAG id pattern the builder uses.
  assert.match(source, /dag_id=f"retrain_\{model\}"/);
});
