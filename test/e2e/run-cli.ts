/** Runs the CLI in-process and captures what it prints. */
import { run, type Io } from '../../src/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(...args: string[]): Promise<CliResult> {
  return runCliWith({}, ...args);
}

/** As runCli, with parts of the terminal changed: a TTY, its columns, the environment. */
export async function runCliWith(io: Partial<Io>, ...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(['node', 'ftpcap', ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTty: false,
    env: {},
    ...io,
  });
  return { code, stdout, stderr };
}
