/**
 * The drift service's own tests (test_drift.py), run with a Python that has
 * scipy (Debian's python3-scipy; .ci/run installs it): the KS test flags a
 * shifted distribution and stays quiet on an unshifted one, request formats,
 * and the intake, window and metrics over HTTP on loopback.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const DIR = path.resolve(__dirname, '..', '..', '..', 'cluster', 'drift');

function pythonWithScipy(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(candidate, ['-c', 'import scipy, numpy'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}
const python = pythonWithScipy();

test('drift service: python -m unittest test_drift', { skip: python ? false : 'no python3 with scipy (apt-get install python3-scipy): the drift tests did not run' }, () => {
  const r = spawnSync(python!, ['-B', '-m', 'unittest', '-v', 'test_drift'], { cwd: DIR, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /Ran 5 tests/);
});
