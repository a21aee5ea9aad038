/**
 * A small, strict argument parser for the project's commands: `--flag value`,
 * `--flag=value`, boolean `--switch`, repeatable flags, and positionals.
 * Unknown flags and missing values are UserErrors that show the usage.
 */
import { UserError } from '../errors';

export interface FlagSpec {
  /** Takes a value (`--env local`) rather than being a switch (`--dry-run`). */
  readonly value: boolean;
  /** May be given more than once. */
  readonly repeat?: boolean;
}

export interface ParsedArgs {
  readonly flags: Record<string, string[]>;
  readonly switches: Set<string>;
  readonly positionals: string[];
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>, usage: string): ParsedArgs {
  const flags: Record<string, string[]> = {};
  const switches = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = spec[name];
    if (!flag) throw new UserError({ message: `unknown option --${name}`, fix: usage });
    if (!flag.value) {
      if (eq >= 0) throw new UserError({ message: `--${name} takes no value`, fix: usage });
      switches.add(name);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) {
      throw new UserError({ message: `--${name} needs a value`, fix: usage });
    }
    if (flags[name] && !flag.repeat) throw new UserError({ message: `--${name} is given twice`, fix: usage });
    (flags[name] ??= []).push(value);
  }
  return { flags, switches, positionals };
}

/** The single value of a required flag. */
export function required(args: ParsedArgs, name: string, usage: string): string {
  const v = args.flags[name]?.[0];
  if (v === undefined) throw new UserError({ message: `--${name} is required`, fix: usage });
  return v;
}
