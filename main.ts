/**
 * `npm run synth` (and `cdk8s synth`): renders every environment in
 * environments/ into dist/<env>/. See lib/cli/synth.ts.
 */
import { main } from './lib/cli/synth';
import { runCli } from './lib/cli/run';

runCli((argv) => main(argv, process.cwd()));
