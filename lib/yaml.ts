import * as yaml from 'js-yaml';
import { STABLE_YAML_OPTIONS, stableYamlText } from './manifest-yaml';

/**
 * Serializes data as YAML with sorted keys, no line folding and no anchors,
 * so the same data always gives the same text: js-yaml's text, written by
 * the fast writer of lib/manifest-yaml.ts for mappings (a test checks they
 * agree on every value of the shipped environments).
 */
export function stableYaml(data: unknown): string {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? stableYamlText(data as Record<string, unknown>) : yaml.dump(data, STABLE_YAML_OPTIONS);
}
