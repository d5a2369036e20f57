/**
 * A data connection's payload in sequence order, per direction: reassembled (retransmissions once,
 * out-of-order segments buffered up to a cap, holes marked as gaps), digested (src/transfer/
 * content.ts), parsed when it is a listing, and handed to an injected consumer (the CLI's
 * `--extract` writer) chunk by chunk. Synchronous and free of I/O, like the rest of the core;
 * nothing is kept of the payload but the out-of-order buffer, the first bytes for the type and the
 * line of a listing being read.
 */
import { transferSender } from '../correlate/channels';
import type { DataChannel, FtpSession } from '../model';
import { ListingParser, type ListingCommand } from '../ftp/listing';
import type { FindingCode } from '../finding-codes';
import { isEstablished, payloadBytes, type Connection, type PayloadFollower } from '../tcp/connections';
import { StreamReassembler, type ReassembledChunk } from '../tcp/reassembly';
import { TcpFlag, type Direction, type FrameEvent, type FrameRef, type PayloadContent } from '../types';
import { PayloadDigest } from './content';

/** One direction of a data connection whose payload a consumer receives. */
export interface PayloadStream {
  session: FtpSession;
  /** The announcement the connection answered; null for a connection found between the hosts of a TLS or gapped session. */
  channel: DataChannel | null;
  connection: Connection;
  direction: Direction;
}

/** Receives the bytes of one stream in order; `bytes` is valid only during the call. */
export interface PayloadWriter {
  data(bytes: Buffer): void;
  /** `length` bytes the capture lacks (zeros in an extracted file). */
  gap(length: number): void;
  /** The stream is over; what it carried. */
  end(content: PayloadContent): void;
}

/** What the analyzer's caller injects to receive data connections' payloads (e.g. to write them to disk). */
export interface PayloadConsumer {
  /** A stream's first byte (or its end, for a transfer of no bytes): a writer for it, or null to skip it. */
  start(stream: PayloadStream): PayloadWriter | null;
}

export interface ContentOptions {
  /** Compute MD5, SHA-1 and SHA-256. */
  hashes: boolean;
  /** Out-of-order bytes buffered per direction before the hole before them is given up. */
  maxOutOfOrderBytes: number;
  /** Listing entries kept per data connection. */
  maxListingEntries: number;
  /** Longest listing line parsed. */
  maxLineLength: number;
}

const LISTING_COMMANDS = new Set<string>(['LIST', 'NLST', 'MLSD']);

interface DirectionState {
  reassembler: StreamReassembler;
  digest: PayloadDigest;
  listing: ListingParser | null;
  writer: PayloadWriter | null;
  firstFrame: FrameRef | null;
  lastFrame: FrameRef | null;
}

/** The content of one data connection, both directions, each started at its first byte. */
export class DataContentTracker implements PayloadFollower {
  private readonly directions: { orig: DirectionState | null; resp: DirectionState | null } = { orig: null, resp: null };
  private ended = false;

  constructor(
    private readonly connection: Connection,
    private readonly session: FtpSession,
    private readonly channel: DataChannel | null,
    private readonly options: ContentOptions,
    /** Raises a finding on the session (listed once, repeats counted). */
    private readonly anomaly: (code: FindingCode, message: string, at: FrameEvent) => void,
    private readonly consumer: PayloadConsumer | null,
  ) {}

  /**
   * A segment of the connection, after its record was updated (`observe`): its flags, sequence
   * and acknowledgement numbers and captured payload (valid only during the call).
   */
  segment(direction: Direction, flags: number, seq: number, ack: number, bytes: Buffer, start: number, end: number, ref: FrameRef, timeMicros: number): void {
    if (this.ended || flags & TcpFlag.RST) return;
    if (flags & TcpFlag.ACK) {
      // What this side acknowledges tells whether the other side's holes will ever be filled.
      const other = this.directions[direction === 'orig' ? 'resp' : 'orig'];
      if (other !== null) other.reassembler.acknowledge(ack);
    }
    if (end <= start) return;
    const state = this.directions[direction] ?? this.open(direction);
    const first = flags & TcpFlag.SYN ? (seq + 1) >>> 0 : seq;
    // The common case, in order with no one else to feed: no view of the frame is made.
    if (state.listing === null && state.writer === null && state.reassembler.continuesAt(first)) {
      state.reassembler.advance(end - start);
      state.digest.range(bytes, start, end);
      state.firstFrame ??= ref;
      state.lastFrame = ref;
      return;
    }
    state.reassembler.push(first, bytes.subarray(start, end), ref, timeMicros);
  }

  /**
   * The connection is over, or its session is handed out, or the capture ended: gives up on the
   * holes, counts the bytes the capture lacks at the end, and files what each direction carried
   * on the connection (`connection.content`). Later segments are not looked at.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const sender = this.channel ? transferSender(this.channel) : null;
    // A transfer of no bytes is still a file: its sender gets an (empty) content.
    if (sender !== null && this.directions[sender] === null && this.connection.payload[sender].base !== null && isEstablished(this.connection))
      this.open(sender);
    const content: Partial<Record<Direction, PayloadContent>> = {};
    for (const direction of ['orig', 'resp'] as const) {
      const state = this.directions[direction];
      if (state === null) continue;
      state.reassembler.flush();
      const lacking = payloadBytes(this.connection, direction) - state.digest.offset;
      if (lacking > 0) this.gap(state, lacking);
      const c = this.connection;
      const startUnknown = (direction === 'orig' ? c.syn : c.synAck) === null;
      const endSeen = c.rst !== null || (direction === 'orig' ? c.finOrig : c.finResp) !== null;
      const result: PayloadContent = {
        ...state.digest.summary({ startUnknown, endSeen }),
        listing: state.listing?.summary() ?? null,
        firstFrame: state.firstFrame,
        lastFrame: state.lastFrame,
      };
      content[direction] = result;
      state.writer?.end(result);
    }
    this.connection.content = content;
  }

  private open(direction: Direction): DirectionState {
    const { options } = this;
    const state: DirectionState = {
      reassembler: new StreamReassembler(
        (chunk) => this.deliver(state, chunk),
        options.maxOutOfOrderBytes,
        {
          overflow: (buffered, frame, timeMicros) => {
            const where = this.channel ? `data channel ${this.channel.index}` : 'a data connection';
            this.anomaly(
              'reorder-buffer-full',
              `${buffered} bytes of ${where} arrived ahead of a hole, more than the ${options.maxOutOfOrderBytes}-byte out-of-order buffer (--max-data-reorder-bytes): the hole is given up as missing`,
              { ref: frame, timeMicros },
            );
          },
        },
        0,
      ),
      digest: new PayloadDigest(options.hashes),
      listing: null,
      writer: null,
      firstFrame: null,
      lastFrame: null,
    };
    const base = this.connection.payload[direction].base;
    if (base !== null) state.reassembler.start(base);
    const transfer = this.channel?.transfer ?? null;
    if (transfer !== null && LISTING_COMMANDS.has(transfer.command.verb) && transferSender(this.channel!) === direction) {
      state.listing = new ListingParser(transfer.command.verb as ListingCommand, options.maxListingEntries, options.maxLineLength);
    }
    this.directions[direction] = state;
    state.writer = this.consumer?.start({ session: this.session, channel: this.channel, connection: this.connection, direction }) ?? null;
    return state;
  }

  private deliver(state: DirectionState, chunk: ReassembledChunk): void {
    if (chunk.kind === 'gap') {
      this.gap(state, chunk.length);
      return;
    }
    state.firstFrame ??= chunk.frame;
    state.lastFrame = chunk.frame;
    state.digest.data(chunk.bytes);
    state.listing?.push(chunk.bytes);
    state.writer?.data(chunk.bytes);
  }

  private gap(state: DirectionState, length: number): void {
    state.digest.gap(length);
    state.listing?.gap();
    state.writer?.gap(length);
  }
}
