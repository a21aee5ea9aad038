/**
 * `npm run preflight -- --env <env>`: prints what the cluster needs before
 * the environment's bootstrap, each item with its reason and a command that
 * checks it. Reads only the environment file.
 */
import { UserError } from '../errors';
import { buildPlatform } from '../platform';
import { formatPreflight, preflight } from '../preflight';
import { parseArgs, required } from './args';
import { readPlatformInputs, selectEnvironments } from './environments';
import { runCli } from './run';

const USAGE = `Usage: npm run preflight -- --env <env>

Prints what the cluster must have before environments/<env>.yaml can come up on it.`;

export async function main(argv: readonly string[], root = process.cwd(), log: (text: string) => void = console.log): Promise<number> {
  const args = parseArgs(argv, { env: { value: true }, help: { value: false } }, USAGE);
  if (args.switches.has('help')) {
    log(USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new UserError({ message: `unexpected argument ${args.positionals[0]}`, fix: USAGE });
  const env = required(args, 'env', USAGE);
  selectEnvironments(root, [env]);
  // Lenient: missing sealed values do not change what the cluster needs.
  const platform = buildPlatform(readPlatformInputs(root, env), { lenient: true });
  log(formatPreflight(env, preflight(platform.config, platform.components.map((c) => c.info.name))));
  return 0;
}

if (require.main === module) runCli(main);
