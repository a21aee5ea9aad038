/**
 * Renders a platform to files: `<folder>/<Kind>.<name>.k8s.yaml`, one object
 * per file, the layout of cdk8s's FOLDER_PER_CHART_FILE_PER_RESOURCE, with
 * folders that may nest (bootstrap/01-argocd). Pure: returns the files.
 */
import { manifestYaml } from './manifest-yaml';
import { objectsOf, Platform } from './platform';
import { K8sObject } from './policies/pod-specs';

export interface RenderedFile {
  /** Path relative to dist/<env>/. */
  readonly path: string;
  readonly content: string;
  readonly object: K8sObject;
}

/** A file for people (not a Kubernetes object), relative to dist/<env>/. */
export interface RenderedDocument {
  readonly path: string;
  readonly content: string;
}

/** Runs every construct validation (policies included) and throws with all failures. */
export function validatePlatform(platform: Platform): void {
  const errors = platform.app.node
    .findAll()
    .flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length > 0) {
    throw new Error(`environment ${platform.config.name}: policy or validation failures:\n  ${errors.join('\n  ')}`);
  }
}

export function renderPlatform(platform: Platform): RenderedFile[] {
  validatePlatform(platform);
  const files: RenderedFile[] = [];
  const seen = new Set<string>();
  // The objects the policies checked (resolved once); not Chart.toJson(), which would validate again.
  for (const chart of platform.charts) {
    for (const object of objectsOf(chart)) {
      const base = `${object.kind}.${object.metadata.name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
      const path = `${chart.folder}/${base}.k8s.yaml`;
      if (seen.has(path)) throw new Error(`two objects would be written to ${path}`);
      seen.add(path);
      files.push({ path, content: manifestYaml(object as unknown as Record<string, unknown>), object });
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
