/**
 * Runs a CLI entry point: a user's mistake (UserError) prints its message and
 * exits 1 without a stack trace; anything else is a bug and keeps its stack.
 */
import { UserError } from '../errors';

export function runCli(main: (argv: readonly string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UserError) {
        console.error(`error: ${err.message}`);
        process.exitCode = 1;
      } else {
        console.error(err);
        process.exitCode = 2;
      }
    },
  );
}
