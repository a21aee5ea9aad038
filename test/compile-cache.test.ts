/**
 * The V8 code cache of `node build/main.js` (lib/cli/compile-cache.ts): the
 * output never depends on it, a damaged entry is rejected and rewritten, and
 * build-if-changed empties it when it compiles (test/build-if-changed.test.ts).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTree, ROOT } from './support';

const MAIN = path.join(ROOT, 'build', 'main.js');
const CACHE = path.join(ROOT, 'build', '.compile-cache');

test('synth gives the same files with no cache, a warm cache and a damaged one', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-cache-'));
  try {
    fs.cpSync(path.join(ROOT, 'environments'), path.join(dir, 'environments'), { recursive: true });
    const synth = () => {
      fs.rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
      execFileSync(process.execPath, [MAIN, 'local'], { cwd: dir, stdio: 'pipe' });
      return readTree(path.join(dir, 'dist'));
    };
    const first = synth();
    assert.ok(Object.keys(first).length > 100);
    const entries = fs.readdirSync(CACHE).filter((f) => !f.endsWith('.tmp'));
    assert.ok(entries.length > 50, 'the run wrote code cache entries');
    assert.deepEqual(synth(), first, 'warm cache');
    // Damage every entry: V8 rejects them, the run compiles as without a cache and writes them again.
    for (const f of entries) fs.writeFileSync(path.join(CACHE, f), 'not V8 code cache data');
    assert.deepEqual(synth(), first, 'damaged cache');
    assert.ok(fs.readdirSync(CACHE).some((f) => fs.readFileSync(path.join(CACHE, f)).toString('latin1') !== 'not V8 code cache data'), 'entries rewritten');
    assert.deepEqual(readTree(path.join(dir, 'dist', 'local')), readTree(path.join(ROOT, 'dist', 'local')), 'what synth in this process renders');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
