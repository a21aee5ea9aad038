/**
 * What a change to the rendered output would change in the cluster, per
 * Argo CD Application (one folder of dist/<env>/ each): objects added,
 * removed and changed, with a compact field-level diff; chart and image
 * version changes called out; sealed values reported as changed or
 * unchanged, never with their ciphertext. Pure: the caller reads the trees.
 */
import * as yaml from 'js-yaml';

/** One environment's rendered files: path under dist/<env>/ → text. */
export type Tree = ReadonlyMap<string, string>;

export interface FieldChange {
  /** Dotted path, `[i]` for list items; HelmChart values under `values.`. */
  readonly path: string;
  /** Compact old and new values; undefined when absent. */
  readonly before?: string;
  readonly after?: string;
}

export interface ObjectChange {
  readonly kind: string;
  readonly name: string;
  readonly file: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** For changed objects: the changed fields (sealed values excluded). */
  readonly fields: readonly FieldChange[];
  /** For SealedSecrets: keys whose sealed value was added, removed or re-sealed. */
  readonly sealed: readonly { readonly key: string; readonly change: 'added' | 'removed' | 'changed' }[];
}

export interface VersionChange {
  readonly application: string;
  readonly what: 'chart' | 'image';
  readonly name: string;
  readonly before?: string;
  readonly after?: string;
}

export interface ApplicationDiff {
  /** The dist folder: one Argo CD Application (apps/ and bootstrap/ are the root's and the bootstrap's). */
  readonly application: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly objects: readonly ObjectChange[];
}

export interface EnvironmentDiff {
  readonly env: string;
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly applications: readonly ApplicationDiff[];
  readonly versions: readonly VersionChange[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const folderOf = (file: string) => file.split('/').slice(0, -1).join('/') || '.';
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value in one line, long text shortened; multi-line text as a line count. */
export function compact(v: Json | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') {
    if (v.includes('\n')) return `(text, ${v.split('\n').length} lines)`;
    return v.length > 80 ? JSON.stringify(`${v.slice(0, 77)}...`) : JSON.stringify(v);
  }
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Line-level summary of a changed multi-line text: the lines removed and added, at most a few. */
function textChange(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const inB = new Set(b);
  const inA = new Set(a);
  const removed = a.filter((l) => !inB.has(l));
  const added = b.filter((l) => !inA.has(l));
  const show = (ls: string[], sign: string) => ls.slice(0, 3).map((l) => `${sign}${l.trim().slice(0, 70)}`).join('; ') + (ls.length > 3 ? `; ${sign}... (${ls.length} lines)` : '');
  return [removed.length ? show(removed, '-') : '', added.length ? show(added, '+') : ''].filter(Boolean).join(' ') || '(whitespace)';
}

/** Lists' items keyed by name where every item has one (containers, env, ports), else by index. */
function keyed(list: Json[]): Map<string, Json> | undefined {
  if (list.length === 0 || !list.every((i) => isObject(i) && typeof i.name === 'string')) return undefined;
  const m = new Map<string, Json>();
  for (const i of list) m.set(String((i as Record<string, Json>).name), i);
  return m.size === list.length ? m : undefined;
}

function diffValues(before: Json | undefined, after: Json | undefined, path: string, out: FieldChange[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (isObject(before) && isObject(after)) {
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])]) diffValues(before[k], after[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const kb = keyed(before);
    const ka = keyed(after);
    if (kb && ka) {
      for (const k of [...new Set([...kb.keys(), ...ka.keys()])]) diffValues(kb.get(k), ka.get(k), `${path}[${k}]`, out);
      return;
    }
    if (before.length === after.length) {
      before.forEach((b, i) => diffValues(b, after[i], `${path}[${i}]`, out));
      return;
    }
  }
  if (typeof before === 'string' && typeof after === 'string' && (before.includes('\n') || after.includes('\n'))) {
    out.push({ path, before: compact(before), after: textChange(before, after) });
    return;
  }
  if (typeof before === 'string' && typeof after === 'string' && (before.length > 80 || after.length > 80)) {
    // Long one-line text (JSON in an env var, a command): around the first difference.
    let start = 0;
    while (start < before.length && before[start] === after[start]) start++;
    const from = Math.max(0, start - 30);
    const excerpt = (t: string) => JSON.stringify(`${from > 0 ? '...' : ''}${t.slice(from, from + 70)}${t.length > from + 70 ? '...' : ''}`);
    out.push({ path, before: excerpt(before), after: excerpt(after) });
    return;
  }
  out.push({ path, ...(before !== undefined ? { before: compact(before) } : {}), ...(after !== undefined ? { after: compact(after) } : {}) });
}

function parse(text: string): Record<string, Json> {
  const v = yaml.load(text) as Json;
  return isObject(v) ? v : {};
}

/** HelmChart values are YAML text: compare them as data. */
function comparable(obj: Record<string, Json>): Record<string, Json> {
  if (obj.kind !== 'HelmChart' || !isObject(obj.spec) || typeof obj.spec.valuesContent !== 'string') return obj;
  const { valuesContent, ...spec } = obj.spec;
  return { ...obj, spec, values: (yaml.load(valuesContent) as Json) ?? {} };
}

function sealedKeys(obj: Record<string, Json>): Record<string, Json> {
  return isObject(obj.spec) && isObject(obj.spec.encryptedData) ? obj.spec.encryptedData : {};
}

/**
 * Chart and image versions of one object: HelmChart chart@version, and every image, as `image: repo:tag`
 * strings or as maps with a repository (or an image name) and a tag. An image repository may appear with
 * several tags: each repository maps to its sorted tags.
 */
function versionsOf(c: Record<string, Json>): Map<string, string> {
  const tags = new Map<string, Set<string>>();
  const add = (repo: string, tag: string) => tags.set(repo, (tags.get(repo) ?? new Set()).add(tag));
  const tagOf = (m: Record<string, Json>) => [m.tag, m.prefectTag, m.defaultImageTag].find((t) => typeof t === 'string' || typeof t === 'number');
  const walk = (v: Json | undefined): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      const tag = tagOf(v);
      if (typeof v.repository === 'string' && tag !== undefined) add(`${typeof v.registry === 'string' ? `${v.registry}/` : ''}${v.repository}`, String(tag));
      else if (typeof v.image === 'string' && !v.image.includes(':') && tag !== undefined) add(v.image, String(tag));
      for (const [k, x] of Object.entries(v)) {
        if (k === 'image' && typeof x === 'string' && /:[^/]+$/.test(x)) {
          const at = x.lastIndexOf(':');
          add(x.slice(0, at), x.slice(at + 1));
        } else walk(x);
      }
    }
  };
  walk(c.spec);
  walk(c.values);
  walk(c.data);
  const found = new Map<string, string>([...tags].map(([repo, t]) => [`image ${repo}`, [...t].sort().join(', ')]));
  if (c.kind === 'HelmChart' && isObject(c.spec) && typeof c.spec.chart === 'string') {
    found.set(`chart ${c.spec.chart}`, String(c.spec.version ?? ''));
  }
  return found;
}

/** One changed file's report; `b` and `a` are its objects, parsed and comparable (chart values as data). */
function objectChange(file: string, b: Record<string, Json> | undefined, a: Record<string, Json> | undefined): ObjectChange {
  const ref = (a ?? b)!;
  const kind = String(ref.kind ?? '?');
  const name = String(isObject(ref.metadata) ? ref.metadata.name : '?');
  const change = b === undefined ? 'added' : a === undefined ? 'removed' : 'changed';
  const sealed: { key: string; change: 'added' | 'removed' | 'changed' }[] = [];
  const fields: FieldChange[] = [];
  if (kind === 'SealedSecret') {
    const sb = b ? sealedKeys(b) : {};
    const sa = a ? sealedKeys(a) : {};
    for (const k of [...new Set([...Object.keys(sb), ...Object.keys(sa)])].sort()) {
      if (sb[k] === undefined) sealed.push({ key: k, change: 'added' });
      else if (sa[k] === undefined) sealed.push({ key: k, change: 'removed' });
      else if (sb[k] !== sa[k]) sealed.push({ key: k, change: 'changed' });
    }
  }
  if (b && a) {
    const strip = (o: Record<string, Json>) => (kind === 'SealedSecret' && isObject(o.spec) ? { ...o, spec: { ...o.spec, encryptedData: null } } : o);
    diffValues(strip(b), strip(a), '', fields);
  }
  return { kind, name, file, change, fields, sealed };
}

/** The difference between two renderings of one environment (undefined: the environment does not exist there). */
export function diffEnvironment(env: string, before: Tree | undefined, after: Tree | undefined): EnvironmentDiff {
  const b = before ?? new Map<string, string>();
  const a = after ?? new Map<string, string>();
  const files = [...new Set([...b.keys(), ...a.keys()])].filter((f) => f.endsWith('.yaml')).sort();
  const byApp = new Map<string, ObjectChange[]>();
  const versions: VersionChange[] = [];
  for (const file of files) {
    const [tb, ta] = [b.get(file), a.get(file)];
    if (tb === ta) continue;
    // Each side parsed once (chart values too), for the fields and for the versions.
    const [ob, oa] = [tb, ta].map((t) => (t !== undefined ? comparable(parse(t)) : undefined));
    const c = objectChange(file, ob, oa);
    const app = folderOf(file);
    byApp.set(app, [...(byApp.get(app) ?? []), c]);
    const vb = ob ? versionsOf(ob) : new Map<string, string>();
    const va = oa ? versionsOf(oa) : new Map<string, string>();
    for (const k of [...new Set([...vb.keys(), ...va.keys()])].sort()) {
      if (vb.get(k) === va.get(k)) continue;
      const [what, ...rest] = k.split(' ');
      const v: VersionChange = { application: app, what: what as 'chart' | 'image', name: rest.join(' '), ...(vb.has(k) ? { before: vb.get(k)! } : {}), ...(va.has(k) ? { after: va.get(k)! } : {}) };
      if (!versions.some((x) => x.application === v.application && x.what === v.what && x.name === v.name && x.before === v.before && x.after === v.after)) versions.push(v);
    }
  }
  const foldersB = new Set(files.filter((f) => b.has(f)).map(folderOf));
  const foldersA = new Set(files.filter((f) => a.has(f)).map(folderOf));
  const applications = [...byApp.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([application, objects]) => ({
      application,
      change: !foldersB.has(application) ? ('added' as const) : !foldersA.has(application) ? ('removed' as const) : ('changed' as const),
      objects,
    }));
  const change = before === undefined ? 'added' : after === undefined ? 'removed' : applications.length ? 'changed' : 'unchanged';
  return { env, change, applications, versions };
}

/** The report as Markdown, for a pull request. */
export function diffMarkdown(diffs: readonly EnvironmentDiff[], against: string): string {
  const lines: string[] = [];
  const changed = diffs.filter((d) => d.change !== 'unchanged');
  if (changed.length === 0) return `No change to the rendered environments against ${against}.\n`;
  for (const d of diffs) {
    if (d.change === 'unchanged') {
      lines.push(`## ${d.env}: unchanged`, '');
      continue;
    }
    const count = (c: string) => d.applications.flatMap((a) => a.objects).filter((o) => o.change === c).length;
    lines.push(`## ${d.env}${d.change === 'changed' ? '' : ` (environment ${d.change})`}: ${count('added')} added, ${count('changed')} changed, ${count('removed')} removed`, '');
    if (d.versions.length) {
      lines.push('Versions:');
      for (const v of d.versions) lines.push(`- ${v.application}: ${v.what} ${v.name} ${v.before ?? '(new)'} → ${v.after ?? '(removed)'}`);
      lines.push('');
    }
    for (const app of d.applications) {
      lines.push(`### ${app.application}${app.change === 'changed' ? '' : ` (${app.change})`}`);
      for (const o of app.objects) {
        lines.push(`- ${o.change} ${o.kind} ${o.name}`);
        if (o.change !== 'changed') continue;
        for (const s of o.sealed) lines.push(`  - sealed value ${s.key}: ${s.change} (ciphertext not shown)`);
        if (o.kind === 'SealedSecret' && o.sealed.length === 0) lines.push('  - sealed values: unchanged');
        const shown = o.fields.slice(0, 20);
        for (const f of shown) lines.push(`  - ${f.path}: ${f.before ?? '(none)'} → ${f.after ?? '(none)'}`);
        if (o.fields.length > shown.length) lines.push(`  - ... ${o.fields.length - shown.length} more fields`);
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}
