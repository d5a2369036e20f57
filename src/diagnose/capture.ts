/**
 * Findings about the capture itself rather than any session: frames that could not be decoded
 * (malformed headers, encapsulations and link types ftpcap does not read), fragments never
 * reassembled, copies of frames and time going backwards, segments cut by the snap length. A pure
 * function of what the frame dispatcher (src/decode/dispatch.ts) counted (`FrameDispatcher.facts()`).
 */
import type { CaptureFacts } from '../decode/dispatch';
import { linkTypeName } from '../decode/linktypes';
import type { Finding } from '../types';

/**
 * The capture-level findings, in the order the report lists them. `limits` are the limit-reached
 * findings (src/diagnose/limits.ts), which go after those about undecodable frames.
 */
export function diagnoseCapture(facts: CaptureFacts, limits: readonly Finding[] = []): Finding[] {
  return [...undecodedFindings(facts), ...limits, ...fragmentFindings(facts), ...duplicateFindings(facts), ...truncationFindings(facts)];
}

/** Malformed frames, then encapsulations, then link types ftpcap could not decode. */
function undecodedFindings(facts: CaptureFacts): Finding[] {
  const findings: Finding[] = facts.malformed.map(({ ref, layer, offset, reason }) => ({
    code: 'malformed-packet',
    severity: 'warning',
    frame: ref,
    message: `${layer} header cannot be decoded at byte ${offset} of the frame: ${reason}`,
  }));
  const encapsulations = Object.entries(facts.undecodedFrames).filter(([reason]) => !reason.startsWith('malformed ') && !reason.startsWith('link type '));
  if (encapsulations.length > 0) {
    const frames = encapsulations.reduce((n, [, count]) => n + count, 0);
    findings.push({
      code: 'unsupported-encapsulation',
      severity: 'warning',
      frame: facts.firstUnsupported,
      message: `${frames} frames are in an encapsulation that could not be decoded (${encapsulations.map(([reason, count]) => `${reason}: ${count}`).join(', ')}): FTP inside them is not analyzed`,
      fix: 'capture inside the tunnel (on its inner interface), or decapsulate first (editcap, tshark)',
    });
  }
  for (const [linkType, frames] of facts.unsupportedLinkTypes) {
    findings.push({
      code: 'unsupported-link-type',
      severity: 'error',
      frame: null,
      message: `link type ${linkType} (${linkTypeName(linkType)}) is not supported: ${frames} frames could not be decoded and were skipped`,
      fix: 'convert or re-capture on an interface with a supported link type (Ethernet, Linux cooked, raw IP, loopback)',
    });
  }
  return findings;
}

function fragmentFindings(facts: CaptureFacts): Finding[] {
  if (facts.fragmentsLost === 0) return [];
  return [
    {
      code: 'fragments-dropped',
      severity: 'warning',
      frame: null,
      message: `${facts.fragmentsLost} fragmented IP datagrams could not be reassembled (fragments missing, cut by the snap length, or too many at once); the TCP segments or tunnelled packets in them are lost to the analysis`,
    },
  ];
}

/** What the capture's copies of frames and its backward steps in time mean for the analysis. */
function duplicateFindings(facts: CaptureFacts): Finding[] {
  const findings: Finding[] = [];
  if (facts.duplicates > 0) {
    findings.push({
      code: 'duplicate-frames',
      severity: 'warning',
      frame: facts.firstDuplicate,
      message: `${facts.duplicates} frames are exact copies of a frame close in time (same bytes): the capture holds packets twice (two mirror ports or interfaces on one path, or a file merged with itself); each was analyzed once`,
      fix: 'capture at one point only, or remove the copies (editcap -d) before comparing packet counts',
    });
  }
  for (const reversal of facts.reversals) {
    const seconds = (micros: number) => `${(micros / 1e6).toFixed(3)} s`;
    const more = reversal.count > 1 ? `; ${reversal.count} times in all, at most ${seconds(reversal.largestStepMicros)}` : '';
    findings.push({
      code: 'time-goes-backwards',
      severity: 'warning',
      frame: reversal.first,
      message: `time goes backwards by ${seconds(reversal.firstStepMicros)} here${more}: the file holds captures concatenated (perhaps a file with itself) or frames out of order, so delays measured across this point are wrong`,
      fix: 'merge captures by time (mergecap without -a), or give each capture as its own input',
    });
  }
  return findings;
}

function truncationFindings(facts: CaptureFacts): Finding[] {
  if (facts.cutSegments === 0) return [];
  return [
    {
      code: 'capture-truncated',
      severity: 'warning',
      frame: null,
      message: `${facts.cutSegments} TCP segments were cut short by the capture's snap length: control lines in them are lost (an announcement there cannot be matched), while data byte counts use the lengths in the IP headers and still hold`,
      fix: 'capture whole packets (tcpdump -s 0, dumpcap -s 0)',
    },
  ];
}
