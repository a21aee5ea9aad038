/**
 * Parses YAML text and remembers where every value is, so that errors found
 * later (schema, semantics) can name the line of the field they are about.
 */
import * as yaml from 'js-yaml';
import { Problem, UserError } from '../errors';

/** Parsed YAML plus a map from JSON pointer to source position. */
export interface YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** Line and column (1-based) of the field at a JSON pointer, or of its nearest parent that has one. */
  locate(pointer: string): { line: number; column: number } | undefined;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The value a JSON pointer (RFC 6901, `''` for the whole) points at in `data`; undefined where it leads nowhere. */
export function valueAtPointer(data: unknown, pointer: string): unknown {
  let cur = data;
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

interface Frame {
  readonly kind: 'map' | 'seq';
  readonly pointer: string;
  index: number;
  /** For maps: the key whose value comes next, or undefined when a key comes next. */
  pendingKey?: string;
}

/** Maps each JSON pointer in the (first) document to the offset of its key, or of its value for list items. */
function offsetsOf(text: string, events: yaml.Event[]): Map<string, number> {
  const offsets = new Map<string, number>();
  const stack: Frame[] = [];
  // Returns the pointer of the value that starts now, and advances the parent.
  const enterValue = (offset: number): string => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      offsets.set('', offset);
      return '';
    }
    let pointer: string;
    if (parent.kind === 'seq') {
      pointer = `${parent.pointer}/${parent.index++}`;
      offsets.set(pointer, offset);
    } else {
      pointer = `${parent.pointer}/${pointerSegment(parent.pendingKey ?? '')}`;
      parent.pendingKey = undefined;
      if (!offsets.has(pointer)) offsets.set(pointer, offset);
    }
    return pointer;
  };
  for (const event of events) {
    if (event.type === yaml.EVENT_ID.DOCUMENT) {
      if (offsets.size > 0) break; // only the first document matters
      continue;
    }
    const top = stack[stack.length - 1];
    if (event.type === yaml.EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    if (event.type === yaml.EVENT_ID.SCALAR && top?.kind === 'map' && top.pendingKey === undefined) {
      // A mapping key: remember where the key is written.
      const key = yaml.getScalarValue(text, event);
      top.pendingKey = key;
      offsets.set(`${top.pointer}/${pointerSegment(key)}`, event.valueStart);
      continue;
    }
    if (event.type === yaml.EVENT_ID.SCALAR) {
      enterValue(event.valueStart);
    } else if (event.type === yaml.EVENT_ID.ALIAS) {
      enterValue(event.anchorStart);
    } else if (event.type === yaml.EVENT_ID.MAPPING || event.type === yaml.EVENT_ID.SEQUENCE) {
      const pointer = enterValue(event.start);
      stack.push({ kind: event.type === yaml.EVENT_ID.MAPPING ? 'map' : 'seq', pointer, index: 0 });
    }
  }
  return offsets;
}

/**
 * Parses one YAML document. A syntax error is a UserError with file, line and
 * column. Empty text yields `null` data.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  let data: unknown;
  let events: yaml.Event[];
  try {
    events = yaml.parseEvents(text, { filename: file });
    // A file of only blank lines and comments holds no document: null, like an empty one.
    data = events.some((e) => e.type !== yaml.EVENT_ID.DOCUMENT && e.type !== yaml.EVENT_ID.POP) ? yaml.load(text, { filename: file }) : null;
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const problem: Problem = {
        file,
        line: err.mark ? err.mark.line + 1 : undefined,
        column: err.mark ? err.mark.column + 1 : undefined,
        message: `YAML syntax error: ${err.reason}`,
        fix: 'correct the YAML syntax at that position (indentation, a missing ":" or an unclosed quote are common causes)',
      };
      throw new UserError(problem, `${file} is not valid YAML`);
    }
    throw err;
  }
  const offsets = offsetsOf(text, events);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const position = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };
  return {
    file,
    data,
    locate(pointer: string) {
      let p = pointer;
      for (;;) {
        const offset = offsets.get(p);
        if (offset !== undefined) return position(offset);
        if (p === '') return undefined;
        p = p.slice(0, p.lastIndexOf('/'));
      }
    },
  };
}
