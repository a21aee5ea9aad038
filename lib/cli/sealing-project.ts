/**
 * What the `seal` and `keys` commands share: where an environment's sealing
 * files are, reading files named on the command line, and safe writes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { ParsedArgs } from './args';
import { readEnvironment, sealedValuesFile, selectEnvironments } from './environments';

/** The files of one environment that sealing reads and writes. */
export interface EnvironmentSealingFiles {
  readonly env: string;
  /** Project root, absolute. */
  readonly root: string;
  /** The rest are relative to `root`, as shown to users. */
  readonly environmentFile: string;
  /** Sealing certificate: `sealing.certificate` of the environment (default `environments/certs/<env>.pem`). */
  readonly certificateFile: string;
  readonly sealedValuesFile: string;
  /** The private key Secret manifest, `environments/keys/<env>.key.yaml` (git-ignored). */
  readonly keyFile: string;
  /** `components.sealedSecrets.namespace` of the environment (default `sealed-secrets`). */
  readonly controllerNamespace: string;
}

/** Finds an environment's sealing files; the environment file must exist and be valid. */
export function environmentSealingFiles(root: string, env: string): EnvironmentSealingFiles {
  selectEnvironments(root, [env]); // an unknown environment: UserError listing the known ones
  const config = readEnvironment(root, env);
  return {
    env,
    root,
    environmentFile: config.file,
    certificateFile: config.sealing.certificate,
    sealedValuesFile: sealedValuesFile(env),
    keyFile: `environments/keys/${env}.key.yaml`,
    controllerNamespace: config.components.sealedSecrets.namespace,
  };
}

/** The project root: `--root`, or the current directory (npm runs scripts from the package root). */
export function projectRoot(args: ParsedArgs): string {
  return path.resolve(args.flags.root?.[0] ?? process.cwd());
}

/** True when the command line asks for help. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Rejects positional arguments: every value of these commands has a flag. */
export function noPositionals(args: ParsedArgs, command: string): void {
  if (args.positionals.length === 0) return;
  throw new UserError({
    message: `unexpected argument ${JSON.stringify(args.positionals[0])}: every value needs its flag`,
    fix: `run \`npm run ${command} -- --help\`; with npm, put the flags after \`--\`: npm run ${command} -- --env <env> ...`,
  });
}

/**
 * Resolves a file named on the command line. `npm run` starts scripts in the
 * package root but records where the user was in INIT_CWD: relative paths
 * start from there, as the user expects.
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
