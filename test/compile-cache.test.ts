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
  fs.rmSync(CACHE, { recursive: true, force: true });
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
    // Damage every entry: flipped bits inside the data (V8 checks only its header, and such data can crash
    // it: the entry's own digest catches them), and an entry that is not cache data at all.
    for (const f of entries) {
      const b = fs.readFileSync(path.join(CACHE, f));
      if (b.length > 1000) {
        b[200] ^= 0xff;
        b[800] ^= 0xff;
      }
      fs.writeFileSync(path.join(CACHE, f), b);
    }
    assert.deepEqual(synth(), first, 'flipped bits');
    for (const f of entries) fs.writeFileSync(path.join(CACHE, f), 'not V8 code cache data');
    assert.deepEqual(synth(), first, 'foreign data');
    assert.ok(fs.readdirSync(CACHE).some((f) => fs.readFileSync(path.join(CACHE, f)).toString('latin1') !== 'not V8 code cache data'), 'entries rewritten');
    assert.deepEqual(readTree(path.join(dir, 'dist', 'local')), readTree(path.join(ROOT, 'dist', 'local')), 'what synth in this process renders');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('modules loaded through the cache keep their file names, line and column numbers, and import()', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-cache-mod-'));
  try {
    fs.writeFileSync(path.join(dir, 'thrower.js'), "throw new Error('boom');\n");
    fs.writeFileSync(path.join(dir, 'esm.mjs'), 'export const x = 42;\n');
    fs.writeFileSync(path.join(dir, 'importer.js'), "module.exports = () => import('./esm.mjs');\n");
    const script = `require(${JSON.stringify(path.join(ROOT, 'build', 'lib', 'cli', 'compile-cache.js'))}).enableCompileCache(${JSON.stringify(path.join(dir, 'cache'))});
try { require('./thrower.js'); } catch (e) { console.log(e.stack.split('\\n')[1].trim()); }
require('./importer.js')().then((m) => console.log('import', m.x));`;
    for (const run of ['cold', 'warm']) {
      const out = execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
      assert.equal(out, `at Object.<anonymous> (${path.join(dir, 'thrower.js')}:1:7)\nimport 42\n`, run);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
