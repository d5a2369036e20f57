/**
 * The first stage a captured frame meets in the analysis: copies are dropped, the TCP segment is
 * located (or IP fragments are held until their datagram is whole), frames that are not TCP are
 * counted by what they are, and what is left goes down to the connection layer: a located segment
 * (numbers and offsets into the frame, nothing built), a segment decoded from a reassembled
 * datagram, or an ICMP error quoting a segment. Nothing here knows about connections or FTP; what
 * the frames themselves say about the capture (copies, undecodable frames, lost fragments) is kept
 * as counts and first frames for src/diagnose/capture.ts.
 */
import { DuplicateFilter, type TimeReversal } from '../capture/duplicates';
import type { LimitCounter } from '../limits';
import type { AnalyzerOptions } from '../options';
import { TcpFlag, type CapturedFrame, type FrameRef, type TcpSegment } from '../types';
import { FragmentTable } from './fragments';
import type { IcmpUnreachable } from './icmp';
import { decodeReassembled, linkTypeName, locateTcpFrame } from './index';
import type { DecodeResult } from './result';
import { TcpLocation } from './tcp';

/** Counters over the frames dispatched (the frame part of the analysis's stats). */
export interface FrameCounts {
  frames: number;
  tcpSegments: number;
  /** Frames that are not TCP (other protocols), skipped. */
  otherFrames: number;
  /** IP fragments of TCP datagrams held for reassembly (the frame completing a datagram is not counted). */
  fragments: number;
  /** Frames whose headers could not be decoded. */
  malformedFrames: number;
  /** TCP segments cut short by the capture's snap length. */
  cutSegments: number;
  /** Frames that could not be decoded, by reason (malformed headers, unsupported link types and encapsulations). */
  undecodedFrames: Record<string, number>;
  /** Frames that were exact copies of a frame close in time: not analyzed again. */
  duplicateFrames: number;
}

/** A frame whose headers could not be decoded: the layer at fault, the byte offset in the frame, why. */
export interface MalformedFrame {
  ref: FrameRef;
  layer: string;
  offset: number;
  reason: string;
}

/** What the frames said about the capture, as counted while they went in. */
export interface CaptureFacts {
  /** The malformed frames reported, in capture order. */
  malformed: readonly MalformedFrame[];
  /** Frames that could not be decoded, by reason (`malformed ...`, `link type ...`, or an encapsulation). */
  undecodedFrames: Readonly<Record<string, number>>;
  /** The first frame of an encapsulation that could not be decoded. */
  firstUnsupported: FrameRef | null;
  /** Link types no decoder handles, with their frame counts. */
  unsupportedLinkTypes: ReadonlyMap<number, number>;
  /** IP datagrams whose fragments were never all there. */
  fragmentsLost: number;
  /** Frames that were exact copies of a frame close in time, and the first of them. */
  duplicates: number;
  firstDuplicate: FrameRef | null;
  /** Where time went backwards, per input. */
  reversals: Iterable<TimeReversal>;
  /** TCP segments cut short by the snap length. */
  cutSegments: number;
}

/** Where the dispatcher sends what it found in a frame (the connection layer). */
export interface FrameConsumer {
  /** A TCP segment located in the frame; `location` is valid until the next frame. */
  located(location: TcpLocation, ref: FrameRef, timeMicros: number): void;
  /** A TCP segment decoded from an IP datagram reassembled from fragments. */
  segment(segment: TcpSegment, ref: FrameRef, timeMicros: number): void;
  /** An ICMP/ICMPv6 destination unreachable that quotes a TCP segment. */
  unreachable(error: IcmpUnreachable, ref: FrameRef, timeMicros: number): void;
}

/** At most this many reasons are counted apart in `undecodedFrames`; the rest as one. */
const MAX_UNDECODED_REASONS = 256;

export class FrameDispatcher {
  readonly duplicates: DuplicateFilter;
  readonly fragments: FragmentTable;
  /** Link types seen that no decoder handles, with their frame counts. */
  readonly unsupportedLinkTypes = new Map<number, number>();
  /** The first frame of an encapsulation that could not be decoded. */
  firstUnsupported: FrameRef | null = null;
  /** The malformed frames reported (at most `maxMalformedReports`; later ones reach that limit). */
  readonly malformed: MalformedFrame[] = [];
  /** Where the TCP segment of the frame being dispatched is; reused for every frame. */
  private readonly location = new TcpLocation();

  constructor(
    private readonly options: Pick<
      AnalyzerOptions,
      | 'duplicateWindowMicros'
      | 'maxDuplicateFingerprints'
      | 'timeReversalToleranceMicros'
      | 'maxFragmentedDatagrams'
      | 'fragmentTimeoutMicros'
      | 'maxMalformedReports'
    >,
    private readonly counts: FrameCounts,
    private readonly limits: LimitCounter,
    private readonly consumer: FrameConsumer,
  ) {
    this.duplicates = new DuplicateFilter(options.duplicateWindowMicros, options.maxDuplicateFingerprints, options.timeReversalToleranceMicros);
    this.fragments = new FragmentTable(options.maxFragmentedDatagrams, options.fragmentTimeoutMicros);
  }

  dispatch(frame: CapturedFrame): void {
    const counts = this.counts;
    counts.frames++;
    const location = this.location;
    const located = locateTcpFrame(frame.linkType, frame.data, frame.originalLength, location);
    this.duplicates.watchTime(frame);
    // Identical bare RSTs are what a host sends for every stray segment, not copies.
    const bareRst = located.kind === 'located' && (location.flags & TcpFlag.RST) !== 0 && location.payloadLength === 0;
    if (!bareRst && this.duplicates.isDuplicate(frame)) {
      counts.duplicateFrames++;
      return;
    }
    if (located.kind === 'located') {
      counts.tcpSegments++;
      if (location.missingPayload > 0) counts.cutSegments++;
      this.consumer.located(location, frame.ref, frame.timeMicros);
      return;
    }
    let decoded: DecodeResult = located;
    if (decoded.kind === 'fragment' && decoded.fragment.protocol === 17 && decoded.fragment.offset > 0 && !this.fragments.has(decoded.fragment)) {
      // A later fragment of a UDP datagram whose first fragment was no VXLAN or GENEVE (or not seen).
      counts.otherFrames++;
      return;
    }
    if (decoded.kind === 'fragment') {
      const f = decoded.fragment;
      const datagram = this.fragments.add(f, frame.timeMicros);
      if (datagram === null) {
        counts.fragments++;
        return;
      }
      // The datagram is complete in this frame: decode its TCP segment.
      decoded = decodeReassembled(f, datagram);
    }
    if (decoded.kind === 'tcp') {
      counts.tcpSegments++;
      if (decoded.segment.missingPayload > 0) counts.cutSegments++;
      this.consumer.segment(decoded.segment, frame.ref, frame.timeMicros);
    } else if (decoded.kind === 'unreachable') {
      counts.otherFrames++;
      this.consumer.unreachable(decoded.error, frame.ref, frame.timeMicros);
    } else if (decoded.kind === 'malformed') {
      counts.malformedFrames++;
      this.undecoded(`malformed ${decoded.layer}`);
      if (counts.malformedFrames > this.options.maxMalformedReports) this.limits.reached('maxMalformedReports', frame.ref);
      else this.malformed.push({ ref: frame.ref, layer: decoded.layer, offset: decoded.offset, reason: decoded.reason });
    } else {
      counts.otherFrames++;
      if (decoded.kind === 'other' && decoded.note === 'unsupported-link-type') {
        this.unsupportedLinkTypes.set(frame.linkType, (this.unsupportedLinkTypes.get(frame.linkType) ?? 0) + 1);
        this.undecoded(`link type ${frame.linkType} (${linkTypeName(frame.linkType)})`);
      } else if (decoded.kind === 'other' && decoded.unsupported) {
        this.undecoded(decoded.note ?? 'unsupported');
        this.firstUnsupported ??= frame.ref;
      }
    }
  }

  /** What the frames dispatched so far said about the capture. */
  facts(): CaptureFacts {
    return {
      malformed: this.malformed,
      undecodedFrames: this.counts.undecodedFrames,
      firstUnsupported: this.firstUnsupported,
      unsupportedLinkTypes: this.unsupportedLinkTypes,
      // Datagrams dropped from the full table, or still incomplete.
      fragmentsLost: this.fragments.stats.dropped + this.fragments.size,
      duplicates: this.duplicates.duplicates,
      firstDuplicate: this.duplicates.firstDuplicate,
      reversals: this.duplicates.reversals.values(),
      cutSegments: this.counts.cutSegments,
    };
  }

  /** Counts a frame that could not be decoded, by reason. */
  private undecoded(reason: string): void {
    const counts = this.counts.undecodedFrames;
    const key = reason in counts || Object.keys(counts).length < MAX_UNDECODED_REASONS ? reason : 'other reasons';
    counts[key] = (counts[key] ?? 0) + 1;
  }
}
