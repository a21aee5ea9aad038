/**
 * The fast manifest writer (lib/manifest-yaml.ts) gives exactly the text of
 * cdk8s's Yaml.stringify: on every object of the shipped environments, and on
 * the scalars that need quoting, blocks or another writer.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { Yaml } from 'cdk8s';
import { renderEnvironments } from '../lib/cli/synth';
import * as jsYaml from 'js-yaml';
import { manifestYaml, STABLE_YAML_OPTIONS, stableYamlText } from '../lib/manifest-yaml';
import { ROOT } from './support';

test('every object of local, staging and prod is written exactly as Yaml.stringify writes it', () => {
  let n = 0;
  for (const r of renderEnvironments(ROOT, ['local', 'staging', 'prod'])) {
    for (const f of r.files) {
      assert.equal(manifestYaml(f.object as Record<string, unknown>), Yaml.stringify(f.object), f.path);
      n++;
    }
  }
  assert.ok(n > 900);
});

test('scalars that are not plain strings, blocks, empty collections and unusual shapes', () => {
  const samples: Record<string, unknown>[] = [
    {
      a: ['yes', 'no', 'on', 'off', 'y', 'n', 'null', '~', '', ' ', '0', '0755', '0x1f', '1e3', '1:20', '2026-11-30', '.inf', '-', '- x', 'a: b', 'a #b', '#x', '*x', '&x', '!x', '%x', '@x', '`x', "it's", 'say "hi"', 'tab\there', 'ünïcode', 'a\nb', 'a\nb\n', 'a\nb\n\n', ' lead\nx', 'x\n  indented', '---', '--- x', 'a,b', '[x]', '{x}', '?', '? x', 'x:', 'x: ', 'http://a:8080/b?c=d#e', 'two words', 'a  b', 'a (b) = c + d, e', 'ends with space ', 'ends,', 'y n', 'yes please', 'No', 'a -b', 'a - b', 'a, b', 'x=1', 'a:b', 'a:', 'a: b', 'a#b', 'a #b', 'a#', "a'b", 'a"b', 'a[0]', 'a{b}', 'http://x:80/y?q=1&r=2#f', 'user@host', 'a*b!c?d~e%f', 'a,', 'Yes', 'NULL', 'On', 'e2', 'E1', 'e-3', 'e+7', 'e2e', '---\nx', 'a\n...\nb', '/var/lib/x', '/', '/a: b', '/a #b', '{"a": 1}', '["a","b"]', '{\'a\': "b"}', '{x}', 'line\n  more\n\n\tend\n', 'one\ntwo', 'trail \nx', 'x\n ', 'a\tb\nc'],
      g: { '---': 1, '...': 2, e2: 3, ['k'.repeat(1100)]: 4, 'a\u2028%': 5, zero: -0, when: new Date(0) },
      b: { 'weird key': 1, 'a/b.c-d_e': 2, 'kubernetes.io/name': 'x', '8080': 3, 'yes': 4, 'x: y': 5, '': 6 },
      c: [{}, [], { d: [] }, { e: {} }, { f: [{ g: [{ h: 'deep\nblock' }] }] }],
      d: [1, -2, 0, 3.5, 1e21, true, false, null],
      e: [['nested'], 'after'],
      f: { script: '#!/bin/sh\nset -eu\necho "$X"\n', empty: '', multi: 'line1\n\nline3' },
    },
  ];
  for (const s of samples) assert.equal(manifestYaml(s), Yaml.stringify(s));
  for (const [k, v] of Object.entries(samples[0]!)) assert.equal(manifestYaml({ [k]: v }), Yaml.stringify({ [k]: v }), k);
  // The same samples through the js-yaml writer (stableYaml: chart values, sorted keys).
  for (const s of samples) assert.equal(stableYamlText(s), jsYaml.dump(s, STABLE_YAML_OPTIONS));
  for (const [k, v] of Object.entries(samples[0]!)) assert.equal(stableYamlText({ [k]: v }), jsYaml.dump({ [k]: v }, STABLE_YAML_OPTIONS), k);
});

test('every chart\'s values in local, staging and prod are written exactly as js-yaml writes them', () => {
  let n = 0;
  for (const r of renderEnvironments(ROOT, ['local', 'staging', 'prod'])) {
    for (const f of r.files) {
      const o = f.object as unknown as { kind?: string; spec?: { valuesContent?: string } };
      const values = o.kind === 'HelmChart' ? o.spec?.valuesContent : undefined;
      if (values === undefined) continue;
      const data = jsYaml.load(values) as Record<string, unknown>;
      assert.equal(stableYamlText(data), jsYaml.dump(data, STABLE_YAML_OPTIONS), f.path);
      n++;
    }
  }
  assert.ok(n > 40);
});
