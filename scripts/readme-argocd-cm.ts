/**
 * Rewrites the argocd-cm block in README.md from lib/argocd/health.ts, so the
 * entries a person copies are exactly the ones the platform configures.
 * Usage: npm run readme (a test fails when README.md is out of date).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HEALTH_CUSTOMIZATIONS } from '../lib/argocd/health';

/** The `data:` section of argocd-cm with every health check. */
export function argocdCmData(): string {
  let text = 'data:\n';
  for (const [key, lua] of Object.entries(HEALTH_CUSTOMIZATIONS)) {
    text += `  ${key}: |\n${lua.trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}\n`;
  }
  return text;
}

const START = '  name: argocd-cm\n  namespace: argocd\n';

export function updateReadme(readme: string): string {
  const start = readme.indexOf(START);
  if (start < 0) throw new Error('README.md has no argocd-cm block');
  const from = start + START.length;
  const end = readme.indexOf('```', from);
  return readme.slice(0, from) + argocdCmData() + readme.slice(end);
}

if (require.main === module) {
  const file = path.resolve(__dirname, '..', '..', 'README.md');
  fs.writeFileSync(file, updateReadme(fs.readFileSync(file, 'utf8')));
}
