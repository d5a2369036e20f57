/**
 * The input summary of one classic pcap (Ethernet) holding `packets` frames, for tests that build
 * a report straight from frames they made, without reading a file.
 */
import type { InputSummary } from '../../src/capture/types';

export function pcapInput(packets: number): InputSummary {
  return {
    file: 'test.pcap',
    input: 0,
    format: 'pcap',
    compressed: null,
    linkType: 1,
    linkTypeName: 'EN10MB',
    snapLength: 65535,
    packets,
    bytes: 0,
    truncatedPackets: 0,
    problems: [],
    fatal: false,
  };
}
