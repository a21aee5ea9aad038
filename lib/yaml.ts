import * as yaml from 'js-yaml';

/**
 * Serializes data as YAML with sorted keys, no line folding and no anchors,
 * so the same data always gives the same text.
 */
export function stableYaml(data: unknown): string {
  return yaml.dump(data, { sortKeys: true, lineWidth: -1, noRefs: true });
}
