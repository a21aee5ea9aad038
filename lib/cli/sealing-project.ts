/**
 * What the `seal` and `keys` commands share: flag parsing, the run wrapper
 * that turns a UserError into a message and exit code 1, and where an
 * environment's sealing files are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../errors';
import { parseYamlSource } from '../config/yaml-source';
import { DEFAULT_CONTROLLER_NAMESPACE } from '../sealing/keys';

type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
type Flags<S extends FlagSpec> = { [K in keyof S]?: S[K]['type'] extends 'string' ? string : boolean };

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag`. Anything else
 * (unknown flags, a missing value, positional arguments) is a UserError that
 * points to `npm run <command> -- --help`.
 */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S, command: string): Flags<S> {
  const help = `run \`npm run ${command} -- --help\` for the flags`;
  try {
    return parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false }).values as Flags<S>;
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const message = (e as Error).message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
      throw new UserError({ message: `unknown flag ${flag}`, fix: help });
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const flag = /'(--?[\w-]+)/.exec(message)?.[1] ?? 'a flag';
      throw new UserError({
        message: `${flag} needs a value`,
        fix: `write ${flag} <value> (or ${flag}=<value> for a value that starts with "-")`,
      });
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']*)'/.exec(message)?.[1] ?? message;
      throw new UserError({
        message: `unexpected argument ${JSON.stringify(arg)}: every value needs its flag`,
        fix: `${help}; with npm, put the flags after \`--\`: npm run ${command} -- --env <env> ...`,
      });
    }
    throw e;
  }
}

/** The value of a required string flag. */
export function requireFlag(value: string | undefined, flag: string, example: string): string {
  if (value === undefined || value === '') {
    throw new UserError({ message: `missing --${flag}`, fix: `add --${flag} ${example}` });
  }
  return value;
}

/**
 * Runs a command's main() as the process: sets the exit code it returns.
 * main() reports UserErrors itself (see {@link reportUserErrors}); anything
 * else is a bug and keeps its stack trace.
 */
export function runAsProcess(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** Runs `body`; a UserError is printed to stderr (no stack trace) and gives exit code 1. */
export async function reportUserErrors(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
}

/**
 * Resolves a file named on the command line. `npm run` starts scripts in the
 * package root, but records where the user was in INIT_CWD: relative paths are
 * taken from there, as the user expects.
 */
export function userPath(file: string): string {
  const base = process.env.npm_lifecycle_event !== undefined && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
  return path.resolve(base, file);
}

/** Reads a file named by a flag; a missing or unreadable file is a UserError. */
export function readUserFile(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(userPath(file));
  } catch (e) {
    throw new UserError({
      message: `cannot read ${file} (given with ${flag}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      fix: `check the path; relative paths start from ${userPath('.')}`,
    });
  }
}

/** The files of one environment that sealing reads and writes. */
export interface EnvironmentSealingFiles {
  readonly env: string;
  /** Project root, absolute. */
  readonly root: string;
  /** The rest are relative to `root`, with forward slashes, as shown to users. */
  readonly environmentFile: string;
  /** Sealing certificate: `sealing.certificate` of the environment, default `environments/certs/<env>.pem`. */
  readonly certificateFile: string;
  readonly sealedValuesFile: string;
  /** The private key Secret manifest (git-ignored). */
  readonly keyFile: string;
  /** `components.sealedSecrets.namespace` of the environment, default `sealed-secrets`. */
  readonly controllerNamespace: string;
}

const ENV_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Finds an environment's sealing files. `environments/<env>.yaml` must exist;
 * only the two settings sealing needs are read from it, leniently (synth
 * validates the whole file).
 */
export function environmentSealingFiles(root: string, env: string): EnvironmentSealingFiles {
  const environmentFile = `environments/${env}.yaml`;
  if (!ENV_NAME.test(env) || !fs.existsSync(path.join(root, environmentFile))) {
    const dir = path.join(root, 'environments');
    const available = fs.existsSync(dir)
      ? fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort()
      : [];
    throw new UserError({
      file: environmentFile,
      message: `no environment ${JSON.stringify(env)}: ${environmentFile} does not exist`,
      fix: available.length
        ? `use one of: ${available.map((e) => `--env ${e}`).join(', ')}`
        : 'create environments/<env>.yaml first (see the README), or pass --root with the project root',
    });
  }
  const data = parseYamlSource(fs.readFileSync(path.join(root, environmentFile), 'utf8'), environmentFile).data as {
    sealing?: { certificate?: unknown };
    components?: { sealedSecrets?: { namespace?: unknown } };
  } | null;
  const certificate = data?.sealing?.certificate;
  const namespace = data?.components?.sealedSecrets?.namespace;
  return {
    env,
    root,
    environmentFile,
    certificateFile: typeof certificate === 'string' ? certificate : `environments/certs/${env}.pem`,
    sealedValuesFile: `environments/sealed/${env}.yaml`,
    keyFile: `environments/keys/${env}.key.yaml`,
    controllerNamespace: typeof namespace === 'string' ? namespace : DEFAULT_CONTROLLER_NAMESPACE,
  };
}

/** The project root: `--root`, or the current directory (npm runs scripts from the package root). */
export function projectRoot(rootFlag: string | undefined): string {
  return path.resolve(rootFlag ?? process.cwd());
}

/**
 * Writes a file so that readers never see half of it: a temporary file in the
 * same folder, then a rename. `mode` applies to new and replaced files alike.
 */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temporary, text, { mode });
    fs.chmodSync(temporary, mode); // writeFileSync's mode is filtered by the umask
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}
