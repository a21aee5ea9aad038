/**
 * `npm run versions [-- --json]`: every pinned chart, image and other version
 * in one table: the components that deploy it (in any environment of the
 * project), the pinned version, its key in lib/config/versions.ts and where
 * upstream publishes new ones.
 */
import { versionRows, versionsMarkdown } from '../versions-table';
import { parseArgs } from './args';
import { listEnvironments } from './environments';
import { runCli } from './run';
import { renderEnvironments } from './synth';

const USAGE = `Usage: npm run versions [-- --json]

Prints every pinned chart, image and other version as a Markdown table
(or JSON with --json), with the components that deploy it.`;

export async function main(argv: readonly string[], root = process.cwd()): Promise<number> {
  const args = parseArgs(argv, { json: { value: false }, help: { value: false } }, USAGE);
  if (args.switches.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const files = renderEnvironments(root, listEnvironments(root)).flatMap((r) => r.files);
  const rows = versionRows(files);
  process.stdout.write(args.switches.has('json') ? JSON.stringify(rows, null, 2) + '\n' : versionsMarkdown(rows));
  return 0;
}

if (require.main === module) runCli((argv) => main(argv));
