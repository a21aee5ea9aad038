/**
 * Rewrites the generated parts of README.md: the argocd-cm block from
 * lib/argocd/health.ts, so the entries a person copies are exactly the ones
 * the platform configures; and the alerts' runbook from the alert
 * definitions of the shipped environments (lib/monitoring).
 * Usage: npm run readme (a test fails when README.md is out of date).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HEALTH_CUSTOMIZATIONS } from '../lib/argocd/health';
import { readPlatformInputs } from '../lib/cli/environments';
import { platformAlertGroups } from '../lib/monitoring/platform';
import { AlertDefinition, runbookAnchor } from '../lib/monitoring/rules';
import { buildPlatform } from '../lib/platform';
import { renderEnvironments } from '../lib/cli/synth';
import { versionRows, versionsMarkdown } from '../lib/versions-table';

/** The `data:` section of argocd-cm with every health check. */
export function argocdCmData(): string {
  let text = 'data:\n';
  for (const [key, lua] of Object.entries(HEALTH_CUSTOMIZATIONS)) {
    text += `  ${key}: |\n${lua.trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}\n`;
  }
  return text;
}

const START = '  name: argocd-cm\n  namespace: argocd\n';

/** Alert texts for people: the templates' label references as placeholders. */
function readable(text: string): string {
  return text.replace(/\{\{ \$labels\.([A-Za-z_]+) \}\}/g, '{$1}').replace(/\{\{ \$value \}\}/g, '{value}');
}

/** The runbook: every alert of the given environments, by component, each with its anchor. */
export function alertsMarkdown(groups: readonly { component: string; alerts: readonly AlertDefinition[] }[]): string {
  const byComponent = new Map<string, Map<string, AlertDefinition>>();
  for (const g of groups) {
    const alerts = byComponent.get(g.component) ?? new Map<string, AlertDefinition>();
    for (const a of g.alerts) alerts.set(a.alert, a);
    byComponent.set(g.component, alerts);
  }
  let text = '';
  for (const [component, alerts] of [...byComponent].sort(([a], [b]) => a.localeCompare(b))) {
    if (alerts.size === 0) continue;
    text += `\n##### ${component}\n`;
    for (const a of [...alerts.values()].sort((x, y) => x.alert.localeCompare(y.alert))) {
      text += `\n<a id="${runbookAnchor(a.alert)}"></a>**${a.alert}** (${a.severity}, after ${a.for}): ${readable(a.summary)}. ${readable(a.description)}\n`;
      text += `First look: ${readable(a.runbook)}\n`;
    }
  }
  return text;
}

const ALERTS_START = '<!-- alerts:start (npm run readme) -->\n';
const ALERTS_END = '<!-- alerts:end -->';

/** The alert groups of the shipped environments. */
export function shippedAlertGroups(root: string, envs: readonly string[]): { component: string; alerts: readonly AlertDefinition[] }[] {
  return envs.flatMap((env) => {
    const inputs = readPlatformInputs(root, env);
    const platform = buildPlatform(inputs);
    return platformAlertGroups(inputs.config, platform.components.map((c) => ({ name: c.info.name, namespace: c.info.namespace })));
  });
}

const VERSIONS_START = '<!-- versions:start (npm run readme) -->\n';
const VERSIONS_END = '<!-- versions:end -->';

/** Replaces the text between two markers. */
function replaceBlock(text: string, startMarker: string, endMarker: string, content: string, what: string): string {
  const a = text.indexOf(startMarker);
  const b = text.indexOf(endMarker);
  if (a < 0 || b < a) throw new Error(`README.md has no ${what} block`);
  return text.slice(0, a + startMarker.length) + content + text.slice(b);
}

export function updateReadme(readme: string, alerts?: string, versions?: string): string {
  const start = readme.indexOf(START);
  if (start < 0) throw new Error('README.md has no argocd-cm block');
  const from = start + START.length;
  const end = readme.indexOf('```', from);
  let out = readme.slice(0, from) + argocdCmData() + readme.slice(end);
  if (alerts !== undefined) out = replaceBlock(out, ALERTS_START, ALERTS_END, alerts + '\n', 'alerts');
  if (versions !== undefined) out = replaceBlock(out, VERSIONS_START, VERSIONS_END, versions, 'versions');
  return out;
}

/** The environments the README describes. */
export const README_ENVIRONMENTS = ['local', 'staging', 'prod'];

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const file = path.join(root, 'README.md');
  const versions = versionsMarkdown(versionRows(renderEnvironments(root, README_ENVIRONMENTS).flatMap((r) => r.files)));
  fs.writeFileSync(file, updateReadme(fs.readFileSync(file, 'utf8'), alertsMarkdown(shippedAlertGroups(root, README_ENVIRONMENTS)), versions));
}
