/**
 * The Logstash filter that lifts Airflow's task log lines (airflow-task-logs.rb)
 * run by a real Ruby (Debian's ruby; .ci/run installs it) on recorded sample
 * events, as Filebeat 9's container parser delivers them to Logstash's beats
 * input (samples/filebeat-events.jsonl): Airflow's lines get exactly the fields
 * its Elasticsearch reader queries, sorts and shows; every other line passes
 * unchanged. harness.rb stands in for the part of Logstash's Event API the
 * script uses; Logstash itself is not installable here.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const DIR = path.resolve(__dirname, '..', '..', '..', 'cluster', 'logstash');

function hasRuby(): boolean {
  try {
    execFileSync('ruby', ['-e', 'require "json"'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skip = hasRuby() ? false : 'no ruby (apt-get install ruby): the Logstash filter did not run';

type Event = Record<string, unknown> & { tags?: string[] };

function run(input: readonly Event[]): Event[] {
  const r = spawnSync('ruby', [path.join(DIR, 'harness.rb')], { input: input.map((e) => JSON.stringify(e)).join('\n') + '\n', encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
}

const samples = (): Event[] =>
  fs.readFileSync(path.join(DIR, 'samples', 'filebeat-events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Event);

/** The fields Airflow's reader (ElasticsearchRemoteLogIO.read) shows: TASK_LOG_FIELDS, plus error_detail in newer providers. */
const SHOWN = ['timestamp', 'event', 'level', 'chan', 'logger', 'error_detail'];

test('Airflow task log lines get log_id, a numeric offset and the shown fields at the top level', { skip }, () => {
  const input = samples();
  const out = run(input);
  assert.equal(out.length, input.length, 'one event out per event in: nothing dropped, nothing split');
  const airflow = out.filter((e) => e.tags?.includes('airflow-task-log'));
  assert.equal(airflow.length, 5);
  const retrain = airflow.filter((e) => e.log_id === 'retrain_iris-train-manual__2026-11-30T10:14:55.306117+00:00--1-1');
  assert.deepEqual(retrain.map((e) => e.offset), [1, 2, 3, 4], 'the handler\'s line numbers, as integers, in order');
  for (const e of airflow) {
    assert.equal(typeof e.event, 'string', 'event is the line\'s text (the ECS event object is replaced)');
    assert.equal(e.message, e.event, 'Kibana shows the text in message');
    assert.equal(typeof e.airflow_line, 'string');
    assert.equal((e.host as { name?: string }).name !== undefined, true, 'host.name (the reader\'s host_field) is kept from Filebeat');
  }
  assert.equal(retrain[2]!.chan, 'stdout');
  assert.equal(retrain[2]!.logger, 'task');
  assert.deepEqual(retrain[3]!.error_detail, [
    { exc_type: 'ValueError', exc_value: 'no rows in the landing window', syntax_error: null, is_cause: false, frames: [{ filename: '/opt/airflow/dags/repo/retrain_iris.py', lineno: 41, name: 'train' }] },
  ]);
  // Other keys a task logged are not lifted (no mapping explosion); they stay in the raw line.
  assert.equal(retrain[3]!.rows, undefined);
  assert.match(retrain[3]!.airflow_line as string, /"rows": 0/);
  for (const e of retrain) for (const k of Object.keys(JSON.parse(e.airflow_line as string))) if (!['log_id', 'offset', 'run_id', 'rows'].includes(k)) assert.ok(SHOWN.includes(k), `${k} is shown`);
  // An offset sent as digits is a number in Elasticsearch (the reader sorts and compares it).
  assert.equal(airflow.find((e) => e.log_id === 'etl-load-scheduled__2026-11-30T10:00:00+00:00--1-2')!.offset, 7);
});

test('every other line passes unchanged: plain text, other JSON, broken JSON, a log_id without an offset', { skip }, () => {
  const input = samples();
  const out = run(input);
  const others = out.filter((e) => !e.tags?.includes('airflow-task-log'));
  assert.equal(others.length, 4);
  for (const e of others) assert.deepEqual(e, input.find((i) => i.message === e.message), 'unchanged');
});

test('lines that only look like Airflow\'s are not lifted', { skip }, () => {
  const base = samples()[0]!;
  const line = (o: unknown): Event => ({ ...base, message: JSON.stringify(o) });
  const out = run([
    line({ log_id: '', offset: 1, event: 'empty id' }),
    line({ log_id: 'a-b-c--1-1', offset: 0, event: 'offset 0: the reader asks for offset > 0' }),
    line({ log_id: 'a-b-c--1-1', offset: -3, event: 'negative' }),
    line({ log_id: 'a-b-c--1-1', offset: 1.5, event: 'fraction' }),
    line([{ log_id: 'a-b-c--1-1', offset: 1 }]),
    { ...base, message: 42 },
  ]);
  assert.equal(out.length, 6);
  for (const e of out) assert.ok(!e.tags?.includes('airflow-task-log'), JSON.stringify(e.message));
});
