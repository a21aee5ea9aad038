/**
 * Generated modules are current: the schemas compiled ahead of time
 * (lib/compiled-schema.ts) match the schemas they come from, and give the
 * errors the loaders turn into messages.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { validatorModule, VALIDATORS } from '../scripts/embed-programs';
import { envYaml, loadConfig, ROOT, userError } from './support';

test('every schema compiled ahead of time is current (npm run embed)', () => {
  for (const v of VALIDATORS) {
    assert.equal(fs.readFileSync(path.join(ROOT, v.module), 'utf8'), validatorModule(v), `${v.module} is out of date: run npm run embed`);
  }
});

test('the compiled environment schema still names the allowed keys of a misspelt one', () => {
  const err = userError(() => loadConfig(envYaml('monitoring:\n  prometheus:\n    retension: 2d\n')));
  assert.match(err.message, /\/monitoring\/prometheus\/retension: unknown key "retension"/);
  assert.match(err.message, /did you mean "retention"\?/);
});
