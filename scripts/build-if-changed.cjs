#!/usr/bin/env node
/**
 * Compiles the project with tsc only when a source changed since the last
 * compile, so `npm run synth` does not pay for a full type-check on every run.
 *
 * "Changed" is a fingerprint of every input tsc may read from the project:
 * the path and content of every .ts file in it (outside node_modules, build,
 * dist and dot folders: tsc compiles any file an included one imports),
 * tsconfig.json, package-lock.json and the TypeScript version. The
 * fingerprint of the last successful compile is kept in
 * build/.sources-fingerprint; no build/, or any difference, compiles.
 * When a source was removed or renamed, its old output is removed first
 * (a stale build/test/*.test.js would still run).
 * Plain JavaScript: it runs before anything is compiled.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'build', '.sources-fingerprint');

const SKIP = new Set(['node_modules', 'build', 'dist']);

/** Every .ts file of the project (relative paths, sorted). */
function sources() {
  const found = [];
  const walk = (rel) => {
    const entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.') || (rel === '' && SKIP.has(e.name))) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (e.name.endsWith('.ts')) found.push(child);
    }
  };
  walk('');
  return found.sort();
}

function fingerprint(files) {
  const hash = crypto.createHash('sha256');
  for (const f of files) hash.update(`${f}\0`).update(fs.readFileSync(path.join(root, f))).update('\0');
  for (const f of ['tsconfig.json', 'package-lock.json']) {
    const p = path.join(root, f);
    if (fs.existsSync(p)) hash.update(`${f}\0`).update(fs.readFileSync(p)).update('\0');
  }
  let tsc = 'none';
  try {
    tsc = require(path.join(root, 'node_modules', 'typescript', 'package.json')).version;
  } catch {
    // tsc itself reports a missing install
  }
  return hash.update(`typescript ${tsc}\n`).digest('hex');
}

/** Removes compiled files (.js under build/) whose source no longer exists. */
function removeStaleOutputs(files) {
  const expected = new Set(files.filter((f) => !f.endsWith('.d.ts')).map((f) => `${f.slice(0, -3)}.js`));
  const walk = (rel) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(root, 'build', rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (e.name.endsWith('.js') && !expected.has(child)) fs.rmSync(path.join(root, 'build', child));
    }
  };
  walk('');
}

const files = sources();
const current = fingerprint(files);
let previous = '';
try {
  previous = fs.readFileSync(stamp, 'utf8');
} catch {
  // never compiled
}
if (previous !== current) {
  removeStaleOutputs(files);
  // The V8 code cache of the last build (lib/cli/compile-cache.ts) describes files about to change.
  fs.rmSync(path.join(root, 'build', '.compile-cache'), { recursive: true, force: true });
  const bin = process.platform === 'win32' ? 'tsc.cmd' : 'tsc';
  const r = spawnSync(path.join(root, 'node_modules', '.bin', bin), ['-p', root], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status === null ? 1 : r.status);
  fs.writeFileSync(stamp, current);
}
