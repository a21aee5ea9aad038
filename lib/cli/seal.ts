/**
 * `npm run seal`: seals one value of one Secret offline, as `kubeseal --raw`
 * does, and stores the ciphertext in the environment's sealed values file
 * (or, with --raw, prints it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import {
  SEALING_SCOPES,
  SealingScope,
  assertSecretNames,
  isSealingScope,
  publicKeyFromCertificate,
  sealValue,
} from '../sealing/crypto';
import {
  assertSameScope,
  emptySealedValues,
  lookupSealedValue,
  parseSealedValues,
  serializeSealedValues,
  withSealedValue,
} from '../sealing/sealed-values';
import { FlagSpec, ParsedArgs, parseArgs, required } from './args';
import { runCli } from './run';
import {
  environmentSealingFiles,
  noPositionals,
  projectRoot,
  readUserFile,
  wantsHelp,
  writeFileAtomic,
} from './sealing-project';

export const USAGE = `Usage:
  npm run seal -- --env <env> --namespace <ns> --name <secret> --key <key> [--scope <scope>] [--from-file <file>]
  npm run seal -- --raw --cert <cert.pem> --namespace <ns> --name <secret> [--key <key>] [--scope <scope>] [--from-file <file>]

Seals one value of one Secret offline, exactly as \`kubeseal --raw\` does: only the
sealed-secrets controller holding the matching private key can decrypt it.

The first form stores the ciphertext in environments/sealed/<env>.yaml (ciphertext
only, safe to commit), sealed with the environment's certificate
environments/certs/<env>.pem (or \`sealing.certificate\` of environments/<env>.yaml).
The second form prints only the base64 ciphertext on stdout, like kubeseal --raw.

The value:
  with --from-file, the file's bytes exactly (nothing is stripped);
  otherwise standard input, with ONE trailing newline removed, so that
  \`echo 's3cret' | npm run seal -- ...\` and \`printf %s 's3cret' | npm run seal -- ...\`
  seal the same value. To seal a value that ends with a newline, use --from-file.

Flags:
  --env <env>         environment; environments/<env>.yaml must exist
  --namespace <ns>    namespace of the Secret
  --name <secret>     name of the Secret (and of its SealedSecret)
  --key <key>         key in the Secret's data (optional with --raw: it is not
                      part of the encryption)
  --scope <scope>     who may decrypt the value:
                        strict (default)  only this name in this namespace
                        namespace-wide    any Secret name in this namespace
                        cluster-wide      any namespace and name
                      All keys of one Secret share one scope.
  --from-file <file>  read the value from this file instead of standard input
  --raw               print the ciphertext instead of storing it (needs --cert)
  --cert <file>       certificate to seal with, only with --raw
                      (e.g. from \`kubeseal --fetch-cert > cert.pem\`)
  --root <dir>        project root (default: the current directory)
  -h, --help          show this help
`;

const FLAGS: Record<string, FlagSpec> = {
  env: { value: true },
  namespace: { value: true },
  name: { value: true },
  key: { value: true },
  scope: { value: true },
  'from-file': { value: true },
  raw: { value: false },
  cert: { value: true },
  root: { value: true },
};

const HELP = 'see `npm run seal -- --help`';

/** The value of a flag given at most once. */
function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags[name]?.[0];
}

function parseScope(value: string | undefined): SealingScope {
  if (value === undefined) return 'strict';
  if (!isSealingScope(value)) {
    throw new UserError({
      message: `--scope ${JSON.stringify(value)} is not a sealing scope`,
      fix: `use --scope ${SEALING_SCOPES.join(' | ')} (default strict)`,
    });
  }
  return value;
}

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) {
    process.stderr.write('Type the value, then press Ctrl-D (twice if the line is not empty):\n');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The value to seal: the file's bytes, or standard input less one trailing newline. */
async function readValue(fromFile: string | undefined): Promise<Buffer> {
  if (fromFile !== undefined) {
    const value = readUserFile(fromFile, '--from-file');
    if (value.length === 0) process.stderr.write(`warning: ${fromFile} is empty: sealing an empty value\n`);
    return value;
  }
  const input = await readStdin();
  const value = input.length > 0 && input[input.length - 1] === 0x0a ? input.subarray(0, -1) : input;
  if (value.length === 0) {
    throw new UserError({
      message: 'the value on standard input is empty',
      fix: "pipe the value in (printf %s 'value' | npm run seal -- ...) or use --from-file <file>",
    });
  }
  return value;
}

/** Runs `npm run seal`; a user's mistake throws a UserError (runCli prints it and exits 1). */
export async function main(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(USAGE);
    return 0;
  }
  const args = parseArgs(argv, FLAGS, HELP);
  noPositionals(args, 'seal');
  const scope = parseScope(flag(args, 'scope'));
  const namespace = required(args, 'namespace', `add --namespace <namespace of the Secret>; ${HELP}`);
  const name = required(args, 'name', `add --name <name of the Secret>; ${HELP}`);
  const key = flag(args, 'key');
  const fromFile = flag(args, 'from-file');

  if (args.switches.has('raw')) {
    if (args.flags.env) {
      throw new UserError({
        message: '--raw and --env do not go together',
        fix: 'use --raw --cert <file> to print the ciphertext, or --env <env> without --raw to store it',
      });
    }
    const certFile = required(args, 'cert', 'add --cert <certificate.pem>, e.g. --cert environments/certs/<env>.pem');
    assertSecretNames(namespace, name, key);
    const publicKey = publicKeyFromCertificate(readUserFile(certFile, '--cert').toString('utf8'), certFile);
    const value = await readValue(fromFile);
    process.stdout.write(sealValue(publicKey, value, { namespace, name, scope }));
    return 0;
  }

  if (args.flags.cert) {
    throw new UserError({
      message: '--cert is only used with --raw',
      fix: "without --raw the environment's certificate is used: environments/certs/<env>.pem, or sealing.certificate of environments/<env>.yaml",
    });
  }
  const env = required(args, 'env', `add --env <environment> (or --raw --cert <file> to print the ciphertext); ${HELP}`);
  if (key === undefined) throw new UserError({ message: '--key is required', fix: `add --key <key in the Secret's data>; ${HELP}` });
  assertSecretNames(namespace, name, key);
  const files = environmentSealingFiles(projectRoot(args), env);
  const at = (file: string) => path.join(files.root, file);

  if (!fs.existsSync(at(files.certificateFile))) {
    throw new UserError({
      file: files.certificateFile,
      message: `no sealing certificate for environment "${env}": ${files.certificateFile} does not exist`,
      fix:
        `make a key pair with \`npm run keys -- --env ${env}\`, or, if the cluster's controller already has its key, ` +
        `fetch its certificate: \`kubeseal --fetch-cert --controller-namespace ${files.controllerNamespace} > ${files.certificateFile}\``,
    });
  }
  const publicKey = publicKeyFromCertificate(fs.readFileSync(at(files.certificateFile), 'utf8'), files.certificateFile);
  const sealedPath = at(files.sealedValuesFile);
  const values = fs.existsSync(sealedPath)
    ? parseSealedValues(fs.readFileSync(sealedPath, 'utf8'), files.sealedValuesFile)
    : emptySealedValues();
  assertSameScope(values, namespace, name, scope); // before a value is typed

  const value = await readValue(fromFile);
  const ciphertext = sealValue(publicKey, value, { namespace, name, scope });
  const updated = withSealedValue(values, { namespace, name, key, scope, ciphertext });
  writeFileAtomic(sealedPath, serializeSealedValues(updated, env));

  const replaced = lookupSealedValue(values, namespace, name, key) !== undefined ? ', replacing the previous value' : '';
  const size = `${value.length} byte${value.length === 1 ? '' : 's'}`;
  process.stderr.write(`Sealed ${namespace}/${name} key "${key}" (${size}, scope ${scope}) into ${files.sealedValuesFile}${replaced}.\n`);
  return 0;
}

if (require.main === module) runCli(main);
