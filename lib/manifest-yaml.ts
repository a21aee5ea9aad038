/**
 * Manifests as YAML, the text cdk8s's `Yaml.stringify` gives (the `yaml`
 * library, YAML 1.1 schema, no line folding), in a fraction of its time.
 *
 * Maps, sequences, numbers, booleans and null are written here; a string
 * that is plainly a string in YAML 1.1 is written as is, and any other
 * scalar (quoted, multi-line, or one that would read back as another type)
 * is rendered by the `yaml` library itself and re-indented. Whatever this
 * writer does not know (a sequence directly in a sequence, a non-finite
 * number) makes it hand the whole object to `Yaml.stringify`.
 * test/manifest-yaml.test.ts checks that every object of the shipped
 * environments comes out byte-identical to `Yaml.stringify`.
 */
import { Yaml } from 'cdk8s';
import * as jsYaml from 'js-yaml';

class Unsupported extends Error {}

/** Words YAML 1.1 reads as booleans or null. */
const YAML11_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL']);
/**
 * Starts with a letter, then printable ASCII other than a backslash, backquote, tab or any other control
 * character, with no ": " or " #" inside and no ":", space or comma at the end. Such a string is never a
 * number, a date or an indicator in YAML 1.1, and both libraries write it plain, as a key or a value (checked
 * on 350,000 random strings of these characters when this was written; test/manifest-yaml.test.ts keeps
 * samples and every shipped object).
 */
const PLAIN = /^[A-Za-z][A-Za-z0-9 _./,()=+@:#%&*!?~'"[\]{}-]*$/;
const NOT_PLAIN = /: | #|[: ,]$|^[eE][-+]?[0-9]+$/; // e2, E1, e-3: YAML 1.1 floats (bare exponents)

const plainSafe = (s: string): boolean => PLAIN.test(s) && !NOT_PLAIN.test(s) && !YAML11_WORDS.has(s);
/** As a value (not a key), a path starting with "/" is plain too. */
const plainValue = (s: string): boolean => (s.startsWith('/') ? plainSafe(`a${s}`) : plainSafe(s));
/** One-line JSON (or another flow-looking text) with double quotes and no single quote: both libraries single-quote it. */
const SINGLE_QUOTED = /^[{[][\x20-\x7e]*$/;
/**
 * Multi-line text the `yaml` library writes as a literal block, `|` or `|-`, lines indented, empty lines
 * empty: printable ASCII and tabs, starting with neither blank nor newline, ending in a non-blank character
 * and at most one newline, no document marker at a line start. (Fuzzed against the library.)
 */
const LITERAL = /^[^\s][\t\n\x20-\x7e]*$/;
const literalBlock = (s: string): boolean => s.includes('\n') && LITERAL.test(s) && /[^\s]\n?$/.test(s) && !/(^|\n)(---|\.\.\.)/.test(s);

/** How one library writes what this writer does not: strings that are not plainly strings, and odd keys. */
interface Style {
  /** The whole document, by the library (the fallback). */
  readonly document: (data: Record<string, unknown>) => string;
  readonly sortKeys: boolean;
  /** Multi-line text is written here as the `yaml` library's literal block. */
  readonly literalBlocks: boolean;
}

/** A YAML writer that gives exactly the library's text for the data manifests hold. */
function writer(style: Style): (object: Record<string, unknown>) => string {
  const valueCache = new Map<string, string>();
  const keyCache = new Map<string, string>();

  /** A string in a value position, as the library writes it at indentation 0 (continuation lines unindented). */
  const libraryValue = (s: string): string => {
    // A document marker at a line start is written differently at the top level and nested.
    if (/(^|\n)(---|\.\.\.)/.test(s)) throw new Unsupported();
    let out = valueCache.get(s);
    if (out === undefined) {
      // "x: <value>\n", block scalars continuing on lines indented by 2.
      out = style.document({ x: s }).slice(3, -1);
      valueCache.set(s, out);
    }
    // js-yaml ends a document whose last value keeps its trailing newlines (|+) with "...": where the value
    // ends the document depends on the whole, so the library writes that document.
    if (/\n\.\.\.$/.test(out)) throw new Unsupported();
    return out;
  };

  const key = (k: string): string => {
    if (plainSafe(k)) return k;
    // Keys whose quoting depends on their position ("---" and "..." at the top), long keys (written as
    // "? key") and keys beyond ASCII: the library writes the document.
    if (k.length > 512 || /^[-.]/.test(k) || /[^\x20-\x7e]/.test(k)) throw new Unsupported();
    let out = keyCache.get(k);
    if (out === undefined) {
      out = style.document({ [k]: 1 }).slice(0, -4); // "<key>: 1\n"
      if (out.includes('\n')) throw new Unsupported();
      keyCache.set(k, out);
    }
    return out;
  };

  /** A scalar in value position; `indent` is the indentation of its key or dash. */
  const scalar = (v: unknown, indent: string): string => {
    if (typeof v === 'string') {
      if (plainValue(v)) return v;
      if (SINGLE_QUOTED.test(v) && v.includes('"') && !v.includes("'")) return `'${v}'`;
      if (style.literalBlocks && literalBlock(v)) {
        const body = v.endsWith('\n') ? v.slice(0, -1) : v;
        return `|${v.endsWith('\n') ? '' : '-'}\n${body
          .split('\n')
          .map((l) => (l === '' ? '' : `${indent}  ${l}`))
          .join('\n')}`;
      }
      const text = libraryValue(v);
      // Continuation lines that hold text get the indentation; empty lines stay empty, as the libraries write them.
      return text.includes('\n') && indent ? text.replace(/\n(?=[^\n])/g, `\n${indent}`) : text;
    }
    if (typeof v === 'number') {
      if (Number.isInteger(v) && Math.abs(v) < 1e15 && !Object.is(v, -0)) return String(v);
      throw new Unsupported();
    }
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (v === null) return 'null';
    throw new Unsupported();
  };

  const keysOf = (obj: Record<string, unknown>): string[] => (style.sortKeys ? Object.keys(obj).sort() : Object.keys(obj));

  const writeMap = (obj: Record<string, unknown>, indent: string, out: string[], first: boolean): void => {
    let lead = first ? '' : indent;
    for (const k of keysOf(obj)) {
      const v = obj[k];
      if (v === undefined) throw new Unsupported();
      out.push(lead, key(k), ':');
      lead = indent;
      writeValue(v, indent, out);
    }
  };

  /** Writes ` value\n` or `\n` and a nested block, for a value whose key is at `indent`. */
  const writeValue = (v: unknown, indent: string, out: string[]): void => {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push(' []\n');
        return;
      }
      out.push('\n');
      writeSeq(v, indent + '  ', out);
    } else if (isMap(v)) {
      if (Object.keys(v).length === 0) {
        out.push(' {}\n');
        return;
      }
      out.push('\n');
      writeMap(v, indent + '  ', out, false);
    } else {
      out.push(' ', scalar(v, indent), '\n');
    }
  };

  const writeSeq = (items: readonly unknown[], indent: string, out: string[]): void => {
    for (const item of items) {
      if (Array.isArray(item)) throw new Unsupported();
      if (isMap(item)) {
        if (Object.keys(item).length === 0) {
          out.push(indent, '- {}\n');
          continue;
        }
        out.push(indent, '- ');
        writeMap(item, indent + '  ', out, true);
      } else if (item === undefined) {
        throw new Unsupported();
      } else {
        out.push(indent, '- ', scalar(item, indent), '\n');
      }
    }
  };

  return (object) => {
    try {
      if (!isMap(object) || Object.keys(object).length === 0) return style.document(object);
      const out: string[] = [];
      writeMap(object, '', out, true);
      return out.join('');
    } catch (err) {
      if (err instanceof Unsupported) return style.document(object);
      throw err;
    }
  };
}

/** A plain object (not a Date, Map or class instance: those go to the library). */
const isMap = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw new Unsupported();
  return true;
};

const cdk8sWriter = writer({ document: (d) => Yaml.stringify(d), sortKeys: false, literalBlocks: true });

/** One manifest as YAML, exactly as `Yaml.stringify(object)` writes it. */
export function manifestYaml(object: Record<string, unknown>): string {
  return cdk8sWriter(object);
}

/** The options of lib/yaml.ts's stableYaml (js-yaml): sorted keys, no folding, no anchors. */
export const STABLE_YAML_OPTIONS = { sortKeys: true, lineWidth: -1, noRefs: true } as const;

const stableWriter = writer({ document: (d) => jsYaml.dump(d, STABLE_YAML_OPTIONS), sortKeys: true, literalBlocks: false });

/** Data as YAML, exactly as js-yaml's `dump(data, STABLE_YAML_OPTIONS)` writes it. */
export function stableYamlText(data: Record<string, unknown>): string {
  return stableWriter(data);
}
