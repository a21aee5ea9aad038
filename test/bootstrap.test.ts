/**
 * The bootstrap as a fresh cluster sees it: `kubectl apply -f <step>/`
 * applies a folder's files in lexical order and does not put Namespaces
 * first, and a custom resource fails until its CRD is established. Each
 * step is replayed in that order; the README's bring-up commands apply the
 * same steps, in the same order, and stop on the first failure.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { renderEnvironments } from '../lib/cli/synth';
import { K8sObject } from '../lib/policies/pod-specs';
import { ROOT } from './support';

interface StepFile {
  readonly path: string;
  readonly object: K8sObject;
}

/** CRDs a step makes established, as the README waits for them after it. */
const ESTABLISHES: Record<string, string[]> = {
  '01-helm-controller': ['helm.cattle.io/HelmChart'],
  '02-argocd': ['argoproj.io/Application', 'argoproj.io/AppProject'],
};

const builtIn = (apiVersion: string) => !apiVersion.includes('/') || !apiVersion.split('/')[0].includes('.') || apiVersion.split('/')[0].endsWith('.k8s.io');

/** What `kubectl apply -f` of each step in order would refuse on a fresh cluster. */
export function replayBootstrap(files: readonly StepFile[], options: { k3s: boolean; existingArgoCd?: boolean }): string[] {
  const namespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', ...(options.existingArgoCd ? ['argocd'] : [])]);
  const crds = new Set([
    ...(options.k3s ? ['helm.cattle.io/HelmChart'] : []),
    // 03-root then goes to the cluster an existing Argo CD runs in.
    ...(options.existingArgoCd ? ESTABLISHES['02-argocd'] : []),
  ]);
  const problems: string[] = [];
  const bootstrap = files.filter((f) => f.path.startsWith('bootstrap/'));
  const steps = [...new Set(bootstrap.map((f) => f.path.split('/')[1]))].sort();
  for (const step of steps) {
    // kubectl reads the folder in lexical order of file names.
    for (const f of bootstrap.filter((x) => x.path.split('/')[1] === step).sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const { kind, apiVersion, metadata } = f.object;
      if (kind === 'Namespace') namespaces.add(metadata.name);
      else if (metadata.namespace && !namespaces.has(metadata.namespace)) problems.push(`${f.path}: namespace "${metadata.namespace}" does not exist yet`);
      const group = apiVersion.split('/')[0];
      if (!builtIn(apiVersion) && !crds.has(`${group}/${kind}`)) problems.push(`${f.path}: no CRD for ${group}/${kind} is established yet`);
    }
    for (const crd of ESTABLISHES[step] ?? []) crds.add(crd);
  }
  return problems;
}

const rendered = (env: string) => renderEnvironments(ROOT, [env])[0].files;

for (const [env, k3s, existingArgoCd] of [['local', true, false], ['staging', false, false], ['prod', false, true]] as const) {
  test(`bootstrap of ${env}: every step applies on a fresh cluster in kubectl's file order`, () => {
    assert.deepEqual(replayBootstrap(rendered(env), { k3s, existingArgoCd }), []);
  });
}

test('the replay catches a Namespace sorted after what it contains, and a CR before its CRD', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } };
  const chart = { apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', metadata: { name: 'argo-cd', namespace: 'argocd' } };
  // The old layout: HelmChart.argo-cd sorts before Namespace.argocd.
  const old = [
    { path: 'bootstrap/01-argocd/HelmChart.argo-cd.k8s.yaml', object: chart },
    { path: 'bootstrap/01-argocd/Namespace.argocd.k8s.yaml', object: ns },
  ];
  assert.deepEqual(replayBootstrap(old, { k3s: true }), ['bootstrap/01-argocd/HelmChart.argo-cd.k8s.yaml: namespace "argocd" does not exist yet']);
  assert.match(replayBootstrap([{ path: 'bootstrap/00-namespaces/Namespace.argocd.k8s.yaml', object: ns }, old[0]], { k3s: false })[0], /no CRD for helm.cattle.io\/HelmChart/);
});

test('the namespaces step holds only Namespaces, and every later step only namespaced objects or cluster RBAC', () => {
  for (const env of ['local', 'staging', 'prod']) {
    for (const f of rendered(env).filter((x) => x.path.startsWith('bootstrap/'))) {
      const step = f.path.split('/')[1];
      assert.equal(f.object.kind === 'Namespace', step === '00-namespaces', `${env}/${f.path}`);
    }
  }
});

/** The shell block of the README section "A bare cluster". */
function bringUp(readme: string): string {
  const section = readme.slice(readme.indexOf('### A bare cluster'));
  return /```sh\n([\s\S]*?)```/.exec(section)![1];
}

test('README bring-up: stops on the first failure, applies every step in order, waits with a timeout', () => {
  const script = bringUp(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  assert.match(script, /^set -euo pipefail$/m, 'stops on the first failure');
  assert.doesNotMatch(script, /until [^\n]*; do sleep/, 'no loop without a timeout');
  const applied = [...script.matchAll(/kubectl apply -f dist\/\$ENV\/bootstrap\/([0-9a-z-]+)\//g)].map((m) => m[1]);
  const steps = [...new Set(rendered('staging').filter((f) => f.path.startsWith('bootstrap/')).map((f) => f.path.split('/')[1]))].sort();
  assert.deepEqual(applied, steps, 'every step of a generic cluster, in folder order');
  const helmController = script.indexOf('bootstrap/01-helm-controller/');
  const waitHelmChart = script.indexOf('crd/helmcharts.helm.cattle.io');
  const argocd = script.indexOf('bootstrap/02-argocd/');
  const waitArgo = script.indexOf('crd/applications.argoproj.io');
  const root = script.indexOf('bootstrap/03-root/');
  assert.ok(helmController < waitHelmChart && waitHelmChart < argocd && argocd < waitArgo && waitArgo < root, 'each CRD is established before a step uses it');
  // The same script on k3s, which has no 01-helm-controller step.
  assert.match(script, /if \[ -d dist\/\$ENV\/bootstrap\/01-helm-controller \]; then\n\s+kubectl apply -f dist\/\$ENV\/bootstrap\/01-helm-controller\/\nfi/);
});

test('README bring-up runs as written: a shell replay with a stand-in kubectl, on local (k3s) and staging (generic)', () => {
  const script = bringUp(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const expected: Record<string, string[]> = {
    local: ['00-namespaces', '02-argocd', '03-root'],
    staging: ['00-namespaces', '01-helm-controller', '02-argocd', '03-root'],
  };
  for (const [env, steps] of Object.entries(expected)) {
    // A working copy: the committed dist/ and a stand-in for the private key (never committed).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bring-up-'));
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.symlinkSync(path.join(ROOT, 'dist', env), path.join(dir, 'dist', env));
    fs.mkdirSync(path.join(dir, 'environments', 'keys'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'environments', 'keys', `${env}.key.yaml`), 'kind: Secret\n');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    // kubectl records its arguments and, like the real one, fails on a path that does not exist.
    fs.writeFileSync(
      path.join(bin, 'kubectl'),
      '#!/bin/sh\necho "$*" >> "$LOG"\nif [ "$1" = apply ] && [ "$2" = -f ] && [ ! -e "$3" ]; then echo "error: the path $3 does not exist" >&2; exit 1; fi\n',
      { mode: 0o755 },
    );
    const log = path.join(dir, 'calls');
    const out = spawnSync('bash', ['-c', script.replace(/^ENV=.*$/m, `ENV=${env}`)], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}`, LOG: log }, encoding: 'utf8' });
    assert.equal(out.status, 0, `${env}: ${out.stderr}`);
    const calls = fs.readFileSync(log, 'utf8').trim().split('\n');
    const applied = calls.filter((c) => c.startsWith('apply -f dist/')).map((c) => c.split('/')[3]);
    assert.deepEqual(applied, steps, env);
    assert.ok(calls.includes(`apply -f environments/keys/${env}.key.yaml`), env);
    assert.ok(calls.some((c) => c.startsWith('wait --for=create crd/helmcharts.helm.cattle.io')), `${env}: checks for a helm-controller`);
  }
});
