/**
 * Every pinned chart, image and other version (lib/config/versions.ts) with
 * the components that deploy it in the rendered environments and where
 * upstream publishes it. Pure: the caller renders the environments.
 */
import { CHARTS, DRIFT_PACKAGES, ELASTIC_STACK_VERSION, IMAGES, ImageRef, imageString, KAFKA_VERSION } from './config/versions';

export interface VersionRow {
  /** Components (dist folders) that deploy it, in any rendered environment; empty when none does. */
  readonly components: readonly string[];
  /** `chart`, `image` or `other`. */
  readonly kind: 'chart' | 'image' | 'other';
  /** The key in versions.ts (CHARTS.x, IMAGES.x, or the constant's name). */
  readonly key: string;
  /** The chart name, image repository or package. */
  readonly name: string;
  readonly version: string;
  /** Where upstream publishes new versions. */
  readonly upstream: string;
}

/** A rendered file: its path under dist/<env>/ and its text. */
export interface RenderedText {
  readonly path: string;
  readonly content: string;
}

/** Where an image's new tags appear, from its registry. */
export function imageUpstream(repository: string): string {
  const [host, ...rest] = repository.split('/');
  const repo = rest.join('/');
  switch (host) {
    case 'docker.io':
      return repo.startsWith('library/') ? `https://hub.docker.com/_/${repo.slice('library/'.length)}/tags` : `https://hub.docker.com/r/${repo}/tags`;
    case 'quay.io':
      return `https://quay.io/repository/${repo}?tab=tags`;
    case 'ghcr.io':
      return `https://github.com/${rest[0]}/${rest[1] ?? ''}/pkgs/container/${rest.slice(1).join('%2F')}`;
    case 'nvcr.io':
      return `https://catalog.ngc.nvidia.com/orgs/${rest[0]}/containers/${rest[rest.length - 1]}/tags`;
    default:
      return `https://${repository}`;
  }
}

/** Where a chart's new versions appear. */
export function chartUpstream(repo: string, chart: string): string {
  return repo.startsWith('oci://') ? `${repo.replace(/\/$/, '')}/${chart}` : `${repo.replace(/\/$/, '')}/index.yaml (${chart})`;
}

const componentOf = (file: RenderedText) => file.path.split('/')[0]!;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function imageUsedIn(image: ImageRef, content: string): boolean {
  // The whole reference, not a prefix of a longer tag (ray:2.46.0-py311 in ray:2.46.0-py311-gpu).
  if (new RegExp(`${escape(imageString(image))}(?![\\w.-])`).test(content)) return true;
  // Chart values often split the registry, the repository (Docker Hub's library/ left out) and the tag
  // (`tag`, `prefectTag`, `defaultImageTag`, ...).
  const parts = image.repository.split('/');
  const withoutRegistry = parts.slice(1).join('/');
  const names = [withoutRegistry, withoutRegistry.replace(/^library\//, ''), `defaultImageRepository: ${parts[1]}`];
  const tagged = new RegExp(`([tT]ag: ["']?|:)${escape(image.tag)}["']?(?![\\w.-])`, 'm');
  return names.some((n) => new RegExp(`${escape(n)}(?![\\w.-])`).test(content)) && tagged.test(content);
}

/** The table's rows, charts first, then images, then other pins, each sorted by key. */
export function versionRows(files: readonly RenderedText[]): VersionRow[] {
  const used = (match: (f: RenderedText) => boolean) => [...new Set(files.filter(match).map(componentOf))].sort();
  const rows: VersionRow[] = [];
  for (const [key, c] of Object.entries(CHARTS).sort(([a], [b]) => a.localeCompare(b))) {
    rows.push({
      kind: 'chart',
      key: `CHARTS.${key}`,
      name: c.chart,
      version: c.version,
      upstream: chartUpstream(c.repo, c.chart),
      components: used((f) => f.path.includes('/HelmChart.') && new RegExp(`^  chart: ["']?(oci://\\S+/)?${c.chart}["']?$`, 'm').test(f.content) && new RegExp(`^  version: ["']?${c.version.replace(/\./g, '\\.')}["']?$`, 'm').test(f.content)),
    });
  }
  for (const [key, i] of Object.entries(IMAGES).sort(([a], [b]) => a.localeCompare(b))) {
    rows.push({ kind: 'image', key: `IMAGES.${key}`, name: i.repository, version: i.tag, upstream: imageUpstream(i.repository), components: used((f) => imageUsedIn(i, f.content)) });
  }
  rows.push({
    kind: 'other',
    key: 'KAFKA_VERSION',
    name: 'Apache Kafka (run by Strimzi)',
    version: KAFKA_VERSION,
    upstream: 'https://kafka.apache.org/downloads (the versions the Strimzi release supports)',
    components: used((f) => f.path.startsWith('kafka/') && new RegExp(`version: ${escape(KAFKA_VERSION)}$`, 'm').test(f.content)),
  });
  rows.push({
    kind: 'other',
    key: 'ELASTIC_STACK_VERSION',
    name: 'Elastic Stack (Elasticsearch, Kibana, Logstash, Filebeat)',
    version: ELASTIC_STACK_VERSION,
    upstream: 'https://www.elastic.co/downloads/past-releases (the versions the ECK release supports)',
    components: used((f) => new RegExp(`version: ${escape(ELASTIC_STACK_VERSION)}$`, 'm').test(f.content) && /k8s\.elastic\.co\//.test(f.content)),
  });
  for (const p of DRIFT_PACKAGES) {
    const [name, version] = p.split('==') as [string, string];
    rows.push({ kind: 'other', key: 'DRIFT_PACKAGES', name: `${name} (pip, drift service)`, version, upstream: `https://pypi.org/project/${name}/#history`, components: used((f) => new RegExp(`${escape(p)}(?![\\w.-])`).test(f.content)) });
  }
  return rows;
}

/** The table as Markdown. */
export function versionsMarkdown(rows: readonly VersionRow[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| component | chart / image | pinned | in versions.ts | upstream |', '|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.components.length ? r.components.join(', ') : '(no shipped environment)'} | ${r.kind} ${esc(r.name)} | ${esc(r.version)} | \`${r.key}\` | ${esc(r.upstream)} |`);
  }
  return lines.join('\n') + '\n';
}
