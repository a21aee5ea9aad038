#!/usr/bin/env node
/**
 * Compiles the project with tsc only when a source changed since the last
 * compile, so `npm run synth` does not pay for a full type-check on every run.
 *
 * "Changed" is a fingerprint of every input tsc reads from the project: the
 * path, size and modification time of each .ts file under the folders
 * tsconfig.json includes, tsconfig.json itself, package-lock.json and the
 * TypeScript version. The fingerprint of the last successful compile is kept
 * in build/.sources-fingerprint; no build/, or any difference, compiles.
 * Plain JavaScript: it runs before anything is compiled.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'build', '.sources-fingerprint');

function fingerprint() {
  const hash = crypto.createHash('sha256');
  const add = (file) => {
    const st = fs.statSync(file);
    hash.update(`${path.relative(root, file)}\0${st.size}\0${st.mtimeMs}\n`);
  };
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) add(p);
    }
  };
  const config = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
  const tops = new Set((config.include || []).map((glob) => glob.split('/')[0]));
  for (const top of [...tops].sort()) {
    const p = path.join(root, top);
    if (top.endsWith('.ts')) {
      if (fs.existsSync(p)) add(p);
    } else walk(p);
  }
  for (const f of ['tsconfig.json', 'package-lock.json']) if (fs.existsSync(path.join(root, f))) add(path.join(root, f));
  let tsc = 'none';
  try {
    tsc = require(path.join(root, 'node_modules', 'typescript', 'package.json')).version;
  } catch {
    // tsc itself reports a missing install
  }
  hash.update(`typescript ${tsc}\n`);
  return hash.digest('hex');
}

const current = fingerprint();
let previous = '';
try {
  previous = fs.readFileSync(stamp, 'utf8');
} catch {
  // never compiled
}
if (previous !== current) {
  const bin = process.platform === 'win32' ? 'tsc.cmd' : 'tsc';
  const r = spawnSync(path.join(root, 'node_modules', '.bin', bin), ['-p', root], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status === null ? 1 : r.status);
  fs.writeFileSync(stamp, current);
}
