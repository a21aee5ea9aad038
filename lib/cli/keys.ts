/**
 * `npm run keys`: makes an environment's sealing key pair offline. The
 * certificate (public) is committed and used by `npm run seal`; the private
 * key becomes a Secret manifest that is applied to the cluster before the
 * sealed-secrets controller starts, and never committed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import {
  applyKeyCommand,
  generateSealingKeyPair,
  keySecretManifest,
  keySecretName,
  restartControllerCommand,
} from '../sealing/keys';
import { parseSealedValues } from '../sealing/sealed-values';
import { FlagSpec, parseArgs, required } from './args';
import { runCli } from './run';
import { environmentSealingFiles, noPositionals, projectRoot, wantsHelp, writeFileAtomic } from './sealing-project';

export const USAGE = `Usage:
  npm run keys -- --env <env> [--force] [--key-size <bits>]

Makes the sealing key pair of an environment, like the one the sealed-secrets
controller would make for itself (RSA 4096, self-signed, valid 10 years):
  environments/certs/<env>.pem       the certificate: public, commit it;
                                     \`npm run seal\` seals with it
  environments/keys/<env>.key.yaml   the private key as a Secret manifest: NEVER
                                     commit it (the folder is git-ignored); apply it
                                     to the cluster before the controller starts

Flags:
  --env <env>         environment; environments/<env>.yaml must exist
  --force             replace an existing key pair: every value sealed with the old
                      certificate must then be sealed again
  --key-size <bits>   RSA key size (default 4096)
  --root <dir>        project root (default: the current directory)
  -h, --help          show this help
`;

const FLAGS: Record<string, FlagSpec> = {
  env: { value: true },
  force: { value: false },
  'key-size': { value: true },
  root: { value: true },
};

const HELP = 'see `npm run keys -- --help`';

function parseKeySize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) {
    throw new UserError({ message: `--key-size ${JSON.stringify(value)} is not a number of bits`, fix: 'use --key-size 4096 (the default)' });
  }
  return Number(value);
}

/** True when the project's .gitignore ignores environments/keys/. */
function keysAreGitIgnored(root: string): boolean {
  const gitignore = path.join(root, '.gitignore');
  if (!fs.existsSync(gitignore)) return false;
  return fs
    .readFileSync(gitignore, 'utf8')
    .split('\n')
    .some((line) => /^\/?environments\/keys(\/(\*\*?)?)?\s*$/.test(line));
}

/** How many sealed values the environment has (they are invalid after a new key pair). */
function sealedValueCount(root: string, file: string): number {
  const full = path.join(root, file);
  if (!fs.existsSync(full)) return 0;
  try {
    const values = parseSealedValues(fs.readFileSync(full, 'utf8'), file);
    return Object.values(values.secrets).reduce((n, entry) => n + Object.keys(entry.data).length, 0);
  } catch {
    return 0; // only used for a warning; `npm run seal` reports a broken file
  }
}

/** Runs `npm run keys`; a user's mistake throws a UserError (runCli prints it and exits 1). */
export async function main(argv: readonly string[], print: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  if (wantsHelp(argv)) {
    print(USAGE);
    return 0;
  }
  const args = parseArgs(argv, FLAGS, HELP);
  noPositionals(args, 'keys');
  const env = required(args, 'env', `add --env <environment>; ${HELP}`);
  const keySize = parseKeySize(args.flags['key-size']?.[0]);
  const force = args.switches.has('force');
  const files = environmentSealingFiles(projectRoot(args), env);
  const at = (file: string) => path.join(files.root, file);

  const existing = [files.certificateFile, files.keyFile].filter((f) => fs.existsSync(at(f)));
  if (existing.length > 0 && !force) {
    throw new UserError({
      file: existing[0],
      message:
        `environment "${env}" already has a sealing key (${existing.join(', ')}); every value in ` +
        `${files.sealedValuesFile} is sealed with it`,
      fix:
        `nothing to do: keep using it. To replace it anyway, run \`npm run keys -- --env ${env} --force\`: this invalidates every ` +
        `sealed value of "${env}", which must all be sealed again, and the new key must be applied to the cluster`,
    });
  }
  const invalidated = existing.length > 0 ? sealedValueCount(files.root, files.sealedValuesFile) : 0;

  const { certificatePem, privateKeyPem } = await generateSealingKeyPair({ ...(keySize !== undefined ? { keySize } : {}) });
  const manifest = keySecretManifest(certificatePem, privateKeyPem, {
    namespace: files.controllerNamespace,
    name: keySecretName(certificatePem),
    environment: env,
    file: files.keyFile,
  });
  // The private key first: a certificate must never exist without its key.
  fs.mkdirSync(path.dirname(at(files.keyFile)), { recursive: true, mode: 0o700 });
  writeFileAtomic(at(files.keyFile), manifest, 0o600);
  writeFileAtomic(at(files.certificateFile), certificatePem);

  const out = [
    `Wrote ${files.certificateFile} (certificate: public, commit it).`,
    `Wrote ${files.keyFile} (PRIVATE key: never commit it; keep a copy in a password manager or vault).`,
    '',
    'Apply the key before the sealed-secrets controller starts:',
    `  ${applyKeyCommand(files.keyFile, files.controllerNamespace)}`,
    'If the controller is already running, restart it so that it loads the key:',
    `  ${restartControllerCommand(files.controllerNamespace)}`,
  ];
  if (!keysAreGitIgnored(files.root)) {
    out.push('', 'WARNING: .gitignore does not list environments/keys/: add it before committing anything.');
  }
  if (invalidated > 0) {
    out.push(
      '',
      `WARNING: the ${invalidated} value(s) in ${files.sealedValuesFile} were sealed with the old certificate: only a ` +
        `controller that still has the old key can decrypt them. Seal each of them again with \`npm run seal\` ` +
        `(or \`npm run secrets -- --env ${env} --rotate <namespace>/<name>\` for generated values).`,
    );
  }
  print(`${out.join('\n')}\n`);
  return 0;
}

if (require.main === module) runCli(main);
