/** Process entry point: runs the CLI and turns unexpected failures into one clear line. */
import { processIo, run } from './main';

run(process.argv, processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`ftpcap: internal error: ${message}\nPlease report it with the command line and, if you can, the capture.\n`);
    if (process.env.FTPCAP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 70;
  },
);
