/**
 * How often each limit of the analyzer was reached (STYLE habit 8: every table, buffer and queue
 * has a cap in src/options.ts, and reaching it is a finding). The stage that holds a capped table
 * counts here when the cap turns something away; src/diagnose/limits.ts makes one `limit-reached`
 * finding per limit from the counts: counted, never repeated.
 */
import type { AnalyzerOptions } from './options';
import type { FrameRef } from './types';

/** The options that are limits reported when reached (each is documented in src/options.ts). */
export type LimitName = keyof Pick<
  AnalyzerOptions,
  | 'maxConnections'
  | 'maxExpectations'
  | 'maxDetectionCandidates'
  | 'maxHeldSegments'
  | 'maxHeldBytes'
  | 'maxDetectionLineLength'
  | 'maxDetectionPendingCommands'
  | 'maxHiddenConnections'
  | 'maxDataChannelsPerSession'
  | 'maxSizeAnswers'
  | 'maxReassemblyReports'
  | 'maxMalformedReports'
  | 'maxRememberedBytes'
  | 'maxSequenceRanges'
>;

/** One limit reached: how many times, and the first frame where it was (null when not known). */
export interface LimitReached {
  name: LimitName;
  count: number;
  first: FrameRef | null;
}

export class LimitCounter {
  private readonly counts = new Map<LimitName, LimitReached>();

  /** The limit turned something away `times` more times (at `at`, when known). */
  reached(name: LimitName, at: FrameRef | null = null, times = 1): void {
    if (times <= 0) return;
    const entry = this.counts.get(name);
    if (entry === undefined) this.counts.set(name, { name, count: times, first: at });
    else {
      entry.count += times;
      entry.first ??= at;
    }
  }

  /** How many times the limit was reached so far. */
  count(name: LimitName): number {
    return this.counts.get(name)?.count ?? 0;
  }

  /** Every limit reached, in the order they were first reached. */
  all(): LimitReached[] {
    return [...this.counts.values()];
  }
}
