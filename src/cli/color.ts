/**
 * Whether text output is coloured: `--color` / `--no-color` decide; otherwise only on a terminal,
 * never into a file, and not when NO_COLOR is set to anything but the empty string (no-color.org).
 * One rule for every command that prints text (analyze, firewall, watch).
 */
export interface Terminal {
  isTty: boolean;
  env?: Record<string, string | undefined>;
}

export function useColor(option: boolean | undefined, terminal: Terminal, toFile: boolean): boolean {
  if (option !== undefined) return option && !toFile;
  const env = terminal.env ?? process.env;
  return terminal.isTty && !toFile && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}
