/**
 * `npm run new-env -- <name> [--from <env>] [--domain <domain>] [--key-size <bits>]`:
 * a new environment in one step: `environments/<name>.yaml` started from
 * another environment's file (comments kept), its sealing key pair, and every
 * generated credential sealed with it; then the next steps. Nothing is left
 * behind when a step fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEnvironment } from '../config/load';
import { PATTERNS } from '../config/schema';
import { UserError } from '../errors';
import { parseArgs } from './args';
import { listEnvironments, sealedValuesFile } from './environments';
import { main as keysMain } from './keys';
import { runCli } from './run';
import { fillSecrets } from './secrets';

const USAGE = `Usage: npm run new-env -- <name> [--from <env>] [--domain <domain>] [--key-size <bits>]

Creates environments/<name>.yaml from environments/<env>.yaml (default: local),
with its cluster name, domain and certificate path changed; its sealing key pair
(npm run keys); and every generated credential, sealed (npm run secrets).
  --from <env>       the environment to start from (default local)
  --domain <domain>  the new environment's domain (default: <name>.<the other's
                     domain without its own name>)
  --key-size <bits>  RSA key size of the sealing key (default 4096)
  --root <dir>       project root (default: the current directory)`;

/**
 * The new environment file's text: the other's, with cluster name, domain, description and certificate
 * changed, every comment and line ending kept. The caller checks the result by loading it.
 */
export function newEnvironmentText(source: string, from: string, name: string, domain?: string): string {
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const lines = source.split('\n').map((l) => l.replace(/\r$/, ''));
  let inCluster = false;
  let clusterIndent: number | undefined;
  let renamed = false;
  const out = lines.map((line) => {
    const content = line.trim() !== '' && !line.trimStart().startsWith('#');
    if (content && /^\S/.test(line)) {
      inCluster = /^cluster:\s*(#.*)?$/.test(line);
      clusterIndent = undefined;
      // Flow style: cluster: {name: local, ...}
      const flow = /^cluster:\s*\{/.test(line) ? line.replace(/([{,]\s*)name:\s*[^,}]+/, `$1name: ${name}`) : line;
      if (flow !== line) {
        renamed = true;
        return flow;
      }
    } else if (inCluster && content) {
      const indent = line.length - line.trimStart().length;
      clusterIndent ??= indent;
      if (!renamed && indent === clusterIndent && /^\s*name:\s/.test(line)) {
        renamed = true;
        return line.replace(/name:\s*(["']?)[^\s#"']*\1/, `name: ${name}`);
      }
    }
    const d = /^domain:\s*(["']?)([^\s#"']+)\1(\s+#.*)?$/.exec(line);
    if (d) {
      const old = d[2]!;
      return `domain: ${domain ?? (old.startsWith(`${from}.`) ? `${name}.${old.slice(from.length + 1)}` : `${name}.${old}`)}${d[3] ?? ''}`;
    }
    if (/^description:/.test(line)) return `description: Environment ${name}, started from ${from}.`;
    return line.replace(`environments/certs/${from}.pem`, `environments/certs/${name}.pem`);
  });
  return [`# Started from environments/${from}.yaml by npm run new-env.`, ...out].join(eol);
}

export async function main(argv: readonly string[], print: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const log = (...lines: string[]) => lines.forEach((l) => print(l));
  const args = parseArgs(argv, { from: { value: true }, domain: { value: true }, 'key-size': { value: true }, root: { value: true }, help: { value: false } }, USAGE);
  if (args.switches.has('help')) {
    log(USAGE);
    return 0;
  }
  const root = path.resolve(args.flags.root?.[0] ?? process.cwd());
  if (args.positionals.length !== 1) throw new UserError({ message: args.positionals.length ? `one environment name, not ${args.positionals.length}` : 'the new environment\'s name is missing', fix: USAGE });
  const name = args.positionals[0]!;
  if (!new RegExp(PATTERNS.dnsLabel.pattern).test(name) || name.length > 40) {
    throw new UserError({ message: `${JSON.stringify(name)} is not a usable environment name`, fix: 'use lower-case letters, digits and dashes, starting with a letter (it names Argo CD Applications and dist/<name>/)' });
  }
  const from = args.flags.from?.[0] ?? 'local';
  const known = listEnvironments(root);
  if (known.includes(name)) throw new UserError({ file: `environments/${name}.yaml`, message: `environment ${name} already exists`, fix: 'pick another name, or edit that file' });
  if (!known.includes(from)) throw new UserError({ message: `--from ${from}: no environments/${from}.yaml`, fix: `use one of: ${known.join(', ')}` });

  const file = `environments/${name}.yaml`;
  const fromFile = ['yaml', 'yml'].map((ext) => `environments/${from}.${ext}`).find((f) => fs.existsSync(path.join(root, f)))!;
  const text = newEnvironmentText(fs.readFileSync(path.join(root, fromFile), 'utf8'), from, name, args.flags.domain?.[0]);
  const config = loadEnvironment(text, file); // a bad --domain and the like: nothing written yet
  if (config.cluster.name !== name || (args.flags.domain && config.domain !== args.flags.domain[0])) {
    throw new UserError({
      file: fromFile,
      message: `could not set ${config.cluster.name !== name ? 'cluster.name' : 'domain'} in a copy of this file (an unusual layout)`,
      fix: `copy ${fromFile} to ${file} and edit it by hand, then run npm run keys -- --env ${name} and npm run secrets -- --env ${name}`,
    });
  }
  // Left over from an earlier environment of that name: sealed with another key, or that key itself.
  const leftover = [config.sealing.certificate, `environments/keys/${name}.key.yaml`, sealedValuesFile(name)].filter((f) => fs.existsSync(path.join(root, f)));
  if (leftover.length > 0) {
    throw new UserError({
      file: leftover[0],
      message: `${leftover.join(', ')} already exist${leftover.length === 1 ? 's' : ''}, left from an earlier environment ${name}: the new key pair would not open its sealed values`,
      fix: `remove ${leftover.join(' and ')} (or restore environments/${name}.yaml), then run new-env again`,
    });
  }
  const created = [file, config.sealing.certificate, `environments/keys/${name}.key.yaml`, sealedValuesFile(name)];
  const keysDirExisted = fs.existsSync(path.join(root, 'environments', 'keys'));
  try {
    fs.writeFileSync(path.join(root, file), text);
    const keySize = args.flags['key-size']?.[0];
    // npm run keys prints its own instructions; they are part of the next steps below.
    const keyLines: string[] = [];
    await keysMain(['--env', name, '--root', root, ...(keySize ? ['--key-size', keySize] : [])], (t) => keyLines.push(t));
    const secrets = fillSecrets(root, name);
    log(`Created ${file} (from ${from}: cluster name ${name}, domain ${config.domain}).`);
    log(keyLines.join('').trimEnd());
    log(`Sealed ${secrets.generated.length} generated credential(s) into ${sealedValuesFile(name)}.`);
    if (secrets.toProvide.length) {
      log('', 'Values only you can give (seal each with the command shown):', ...secrets.toProvide.map((c) => `  ${c}`));
    }
    log(
      '',
      'Next steps:',
      `  1. Review ${file}: cluster (server, distribution, storage and ingress classes), domain, gitops, sizes.`,
      `  2. npm run synth -- ${name}    (renders dist/${name}/), then npm run preflight -- --env ${name}`,
      `  3. Commit ${file}, ${config.sealing.certificate}, ${sealedValuesFile(name)} and dist/${name}/ (never environments/keys/).`,
      `  4. Bootstrap the cluster: README, "Bootstrap", with dist/${name}/bootstrap/ and the key above.`,
    );
    return 0;
  } catch (err) {
    for (const f of created) fs.rmSync(path.join(root, f), { force: true });
    if (!keysDirExisted) fs.rmSync(path.join(root, 'environments', 'keys'), { recursive: true, force: true });
    throw err;
  }
}

if (require.main === module) runCli((argv) => main(argv));
