/**
 * Errors a user can cause and fix. The CLI prints them without a stack trace
 * and exits with code 1; anything else is a bug and keeps its stack.
 */

/** One problem, located as precisely as we know. */
export interface Problem {
  /** File the problem is in, relative to the project root where possible. */
  readonly file?: string;
  /** JSON pointer of the field, e.g. `/components/mlflow/replicas`. */
  readonly path?: string;
  /** 1-based line (and column) in `file`, when known. */
  readonly line?: number;
  readonly column?: number;
  /** What is wrong and what was expected. */
  readonly message: string;
  /** How to fix it: a value to use, or the exact command to run. */
  readonly fix?: string;
}

/** Formats one problem as `file:line:col: path: message (fix: ...)`. */
export function formatProblem(p: Problem): string {
  let where = p.file ?? '';
  if (p.file && p.line !== undefined) where += `:${p.line}${p.column !== undefined ? `:${p.column}` : ''}`;
  const parts: string[] = [];
  if (where) parts.push(where);
  if (p.path !== undefined) parts.push(p.path === '' ? '(top level)' : p.path);
  let text = `${parts.join(': ')}${parts.length ? ': ' : ''}${p.message}`;
  if (p.fix) text += `\n    fix: ${p.fix}`;
  return text;
}

/** `1 problem`, `3 problems`. */
export function countProblems(n: number): string {
  return n === 1 ? '1 problem' : `${n} problems`;
}

/** A user's mistake: bad input, a missing value, a wrong flag. */
export class UserError extends Error {
  public readonly problems: readonly Problem[];

  constructor(problems: Problem | readonly Problem[], heading?: string) {
    const list = Array.isArray(problems) ? (problems as readonly Problem[]) : [problems as Problem];
    const body = list.map((p) => `  - ${formatProblem(p).replace(/\n/g, '\n  ')}`).join('\n');
    super(`${heading ?? countProblems(list.length)}:\n${body}`);
    this.name = 'UserError';
    this.problems = list;
  }
}
