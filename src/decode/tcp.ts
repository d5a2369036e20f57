/**
 * TCP header (RFC 9293 section 3.1). Options are skipped, not parsed; the checksum is not checked
 * (capturing hosts with checksum offload record wrong ones).
 */
import type { DecodeResult } from './result';
import { malformed, truncated } from './result';

export const TCP_MIN_HEADER_LENGTH = 20;

/**
 * Decode the TCP header at `offset`. The IP layer bounds the segment: `end` is where the captured
 * IP payload ends in `bytes` (never past the IP length, so Ethernet padding is not payload) and
 * `wireEnd` where it ended on the wire; `wireEnd - end` payload bytes were cut by the snap length.
 * The header itself must be complete. `src`/`dst` are the IP addresses as text.
 */
export function decodeTcp(
  bytes: Buffer,
  offset: number,
  end: number,
  wireEnd: number,
  ipVersion: 4 | 6,
  src: string,
  dst: string,
): DecodeResult {
  const available = end - offset;
  if (available < TCP_MIN_HEADER_LENGTH) {
    return truncated('tcp', 'TCP header', TCP_MIN_HEADER_LENGTH, available, wireEnd - offset, offset);
  }
  const headerLength = (bytes[offset + 12] >> 4) * 4;
  if (headerLength < TCP_MIN_HEADER_LENGTH) {
    return malformed(
      'tcp',
      `data offset field says the header is ${headerLength} bytes, less than the 20-byte minimum`,
      offset + 12,
    );
  }
  if (headerLength > available) {
    return truncated('tcp', `TCP header with options (data offset ${headerLength / 4})`, headerLength, available, wireEnd - offset, offset);
  }
  return {
    kind: 'tcp',
    segment: {
      ipVersion,
      src,
      dst,
      srcPort: bytes.readUInt16BE(offset),
      dstPort: bytes.readUInt16BE(offset + 2),
      seq: bytes.readUInt32BE(offset + 4),
      ack: bytes.readUInt32BE(offset + 8),
      flags: bytes[offset + 13],
      window: bytes.readUInt16BE(offset + 14),
      payload: bytes.subarray(offset + headerLength, end),
      missingPayload: wireEnd - end,
    },
  };
}
