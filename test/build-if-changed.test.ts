/**
 * scripts/build-if-changed.cjs (before synth, validate and the other
 * commands): compiles when a source changed, and only then.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './support';

test('compiles on the first run and after a change, not when nothing changed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-build-'));
  try {
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.copyFileSync(path.join(ROOT, 'scripts', 'build-if-changed.cjs'), path.join(dir, 'scripts', 'build-if-changed.cjs'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, rootDir: '.', outDir: 'build', types: [] }, include: ['lib/**/*.ts'] }),
    );
    const source = path.join(dir, 'lib', 'a.ts');
    const output = path.join(dir, 'build', 'lib', 'a.js');
    const run = () => execFileSync(process.execPath, [path.join(dir, 'scripts', 'build-if-changed.cjs')], { cwd: dir, stdio: 'pipe' });

    fs.writeFileSync(source, 'export const a: number = 1;\n');
    run();
    assert.match(fs.readFileSync(output, 'utf8'), /a = 1/, 'first run: compiled');

    fs.rmSync(output);
    run();
    assert.equal(fs.existsSync(output), false, 'nothing changed: tsc did not run');

    fs.mkdirSync(path.join(dir, 'build', '.compile-cache'));
    fs.writeFileSync(path.join(dir, 'build', '.compile-cache', 'entry'), 'x');
    fs.writeFileSync(source, 'export const a: number = 22;\n');
    run();
    assert.match(fs.readFileSync(output, 'utf8'), /a = 22/, 'a source changed: compiled');
    assert.equal(fs.existsSync(path.join(dir, 'build', '.compile-cache')), false, 'the code cache of the old build is gone');

    fs.writeFileSync(path.join(dir, 'lib', 'b.ts'), 'export const b: string = 1;\n');
    assert.throws(run, 'a type error fails the command, as tsc would');
    fs.rmSync(path.join(dir, 'lib', 'b.ts'));
    run();

    // A file outside tsconfig's include that an included one imports: its change compiles too.
    fs.writeFileSync(path.join(dir, 'helper.ts'), 'export const greeting = "v1";\n');
    fs.writeFileSync(source, 'export { greeting } from "../helper";\n');
    run();
    assert.match(fs.readFileSync(path.join(dir, 'build', 'helper.js'), 'utf8'), /v1/);
    fs.writeFileSync(path.join(dir, 'helper.ts'), 'export const greeting = "v2";\n');
    run();
    assert.match(fs.readFileSync(path.join(dir, 'build', 'helper.js'), 'utf8'), /v2/);

    // A renamed source: its old output goes (a stale compiled test would still run).
    fs.renameSync(source, path.join(dir, 'lib', 'renamed.ts'));
    run();
    assert.equal(fs.existsSync(output), false);
    assert.ok(fs.existsSync(path.join(dir, 'build', 'lib', 'renamed.js')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
