/**
 * `npm run synth` (and `cdk8s synth`): renders every environment in
 * environments/ into dist/<env>/. See lib/cli/synth.ts.
 *
 * V8's code cache (lib/cli/compile-cache.ts) is turned on before the
 * generator loads, so the generator is required after it.
 */
import * as path from 'node:path';
import { enableCompileCache } from './lib/cli/compile-cache';

enableCompileCache(path.join(__dirname, '.compile-cache'));
/* eslint-disable @typescript-eslint/no-require-imports */
const { main } = require('./lib/cli/synth') as typeof import('./lib/cli/synth');
const { runCli } = require('./lib/cli/run') as typeof import('./lib/cli/run');
/* eslint-enable @typescript-eslint/no-require-imports */

runCli((argv) => main(argv, process.cwd()));
