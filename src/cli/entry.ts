/**
 * Process entry point: runs the CLI on the process's standard streams, and turns a report that
 * could not be written and unexpected failures into one clear line and their own exit statuses.
 */
import { ExitCode, processIo, run } from './main';
import { StandardOutput } from './output';

async function main(): Promise<number> {
  const stdout = new StandardOutput();
  if (stdout.closedAtStart()) {
    process.stderr.write('ftpcap: standard output is closed: there is nowhere to write the report\n');
    return ExitCode.output;
  }
  let code: number;
  try {
    code = await run(process.argv, { ...processIo, stdout: (text) => stdout.write(text), drain: () => stdout.drain() });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`ftpcap: internal error: ${message}\nPlease report it with the command line and, if you can, the capture.\n`);
    if (process.env.FTPCAP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return ExitCode.internal;
  }
  const outcome = await stdout.settle();
  if (outcome.kind === 'failed') {
    process.stderr.write(`ftpcap: cannot write the report to standard output: ${outcome.reason}\n`);
    return ExitCode.output;
  }
  // A reader that stopped reading ('| head') got what it wanted: the status is the analysis's.
  return code;
}

main().then((code) => {
  process.exitCode = code;
});
