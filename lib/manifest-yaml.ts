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

class Unsupported extends Error {}

/** Words YAML 1.1 reads as booleans or null. */
const YAML11_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL']);
/**
 * Starts with a letter, then letters, digits, spaces and . _ / , ( ) = + -, ending in neither a space nor a
 * comma: never a number, a date, an indicator or a comment in YAML 1.1 (no colon, no #, no quote).
 */
const PLAIN = /^[A-Za-z](?:[A-Za-z0-9_./ ,()=+-]*[A-Za-z0-9_./()=+-])?$/;

const plainSafe = (s: string): boolean => PLAIN.test(s) && !YAML11_WORDS.has(s);

const valueCache = new Map<string, string>();
const keyCache = new Map<string, string>();

/** A string in a value position, as the `yaml` library writes it at indentation 0 (continuation lines unindented). */
function libraryValue(s: string): string {
  let out = valueCache.get(s);
  if (out === undefined) {
    const text = Yaml.stringify({ x: s });
    // "x: <value>\n", block scalars continuing on lines indented by 2.
    out = text.slice(3, -1);
    valueCache.set(s, out);
  }
  return out;
}

function key(k: string): string {
  if (plainSafe(k)) return k;
  let out = keyCache.get(k);
  if (out === undefined) {
    const text = Yaml.stringify({ [k]: 1 });
    out = text.slice(0, -4); // "<key>: 1\n"
    if (out.includes('\n')) throw new Unsupported();
    keyCache.set(k, out);
  }
  return out;
}

/** A scalar in value position; `indent` is the indentation of its key or dash. */
function scalar(v: unknown, indent: string): string {
  if (typeof v === 'string') {
    if (plainSafe(v)) return v;
    const text = libraryValue(v);
    // Continuation lines that hold text get the indentation; empty lines stay empty, as the library writes them.
    return text.includes('\n') && indent ? text.replace(/\n(?=[^\n])/g, `\n${indent}`) : text;
  }
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
    throw new Unsupported();
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'null';
  throw new Unsupported();
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function writeMap(obj: Record<string, unknown>, indent: string, out: string[], first: boolean): void {
  let lead = first ? '' : indent;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined) throw new Unsupported();
    out.push(lead, key(k), ':');
    lead = indent;
    writeValue(v, indent, out);
  }
}

/** Writes ` value\n` or `\n` and a nested block, for a value whose key is at `indent`. */
function writeValue(v: unknown, indent: string, out: string[]): void {
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
}

function writeSeq(items: readonly unknown[], indent: string, out: string[]): void {
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
}

/** One manifest as YAML, exactly as `Yaml.stringify(object)` writes it. */
export function manifestYaml(object: Record<string, unknown>): string {
  if (!isMap(object) || Object.keys(object).length === 0) return Yaml.stringify(object);
  try {
    const out: string[] = [];
    writeMap(object, '', out, true);
    return out.join('');
  } catch (err) {
    if (err instanceof Unsupported) return Yaml.stringify(object);
    throw err;
  }
}
