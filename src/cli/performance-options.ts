/**
 * The command-line options that set when a transfer's performance becomes a finding (README:
 * transfer performance): seconds and percentages on the command line, the analyzer's units inside.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { defaultOptions, type PerformanceThresholds } from '../options';

/** As commander parses them (absent for commands that do not take them: the defaults apply). */
export interface PerformanceCliOptions {
  stall?: number;
  zeroWindow?: number;
  loss?: number;
  lossSegments?: number;
  controlIdle?: number;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0) throw new InvalidArgumentError(`"${value}" is not a number of seconds above 0`);
  return seconds;
}

function parsePercent(value: string): number {
  const percent = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || percent <= 0 || percent > 100) throw new InvalidArgumentError(`"${value}" is not a percentage above 0 and at most 100`);
  return percent;
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`"${value}" is not a whole number above 0`);
  return Number(value);
}

/** Adds --stall, --zero-window, --loss, --loss-segments and --control-idle to a command. */
export function addPerformanceOptions(command: Command): Command {
  const d = defaultOptions;
  return command
    .option('--stall <seconds>', 'transfer-stalled: no new data on a data connection for this long', parseSeconds, d.stallMicros / 1e6)
    .option('--zero-window <seconds>', 'zero-window: the receiver kept its window closed this long in all', parseSeconds, d.zeroWindowMicros / 1e6)
    .option('--loss <percent>', "heavy-loss: this share of a transfer's bytes sent again ...", parsePercent, d.heavyLossPercent)
    .option('--loss-segments <n>', '... in at least this many retransmitted segments', parseCount, d.heavyLossMinSegments)
    .option(
      '--control-idle <seconds>',
      'control-idle-drop: the control connection silent this long during a transfer, then dropped',
      parseSeconds,
      d.controlIdleMicros / 1e6,
    );
}

/** The analyzer's thresholds from the parsed options. */
export function performanceThresholds(options: PerformanceCliOptions): PerformanceThresholds {
  const d = defaultOptions;
  return {
    stallMicros: options.stall === undefined ? d.stallMicros : Math.round(options.stall * 1e6),
    zeroWindowMicros: options.zeroWindow === undefined ? d.zeroWindowMicros : Math.round(options.zeroWindow * 1e6),
    heavyLossPercent: options.loss ?? d.heavyLossPercent,
    heavyLossMinSegments: options.lossSegments ?? d.heavyLossMinSegments,
    controlIdleMicros: options.controlIdle === undefined ? d.controlIdleMicros : Math.round(options.controlIdle * 1e6),
  };
}
