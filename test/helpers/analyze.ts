/**
 * Frames a test made, through the analyzer and into the report, as if they were one classic pcap
 * (Ethernet) file: for tests that check the report of scripted or generated traffic.
 */
import { Analyzer, type AnalysisResult } from '../../src/analyzer';
import type { CapturedFrame } from '../../src/types';
import type { AnalyzerOptions } from '../../src/options';
import { buildReport, type Report } from '../../src/report/build';
import { pcapInput } from './inputs';

export function analyzeFrames(frames: readonly CapturedFrame[], options: Partial<AnalyzerOptions> = {}): { result: AnalysisResult; report: Report } {
  const analyzer = new Analyzer(options);
  for (const frame of frames) analyzer.ingest(frame);
  const result = analyzer.finish();
  return { result, report: buildReport(result, [pcapInput(frames.length)], 'test') };
}
