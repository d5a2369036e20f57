/** Small text helpers shared by the timeline, the findings and the reports. */

/** `ip:port`, with IPv6 addresses in brackets (RFC 3986 style). */
export function formatEndpoint(endpoint: { ip: string; port: number }): string {
  return endpoint.ip.includes(':') ? `[${endpoint.ip}]:${endpoint.port}` : `${endpoint.ip}:${endpoint.port}`;
}

/** The first line of a (possibly multi-line) reply text. */
export function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

/**
 * A reply in one line for the timeline: the code and its first line, and for a multi-line reply
 * also its last line (where servers often put what matters: `226 2 matches total`).
 */
export function replyLine(code: number, text: string): string {
  const first = firstLine(text);
  const end = text.lastIndexOf('\n');
  if (end < 0) return `${code} ${first}`;
  const last = text.slice(end + 1).trim();
  return last === '' || last === first.trim() ? `${code} ${first}` : `${code} ${first} … ${last}`;
}

/** A duration in words: `85 µs`, `1.4 ms`, `12 ms`, `3.2 s`. */
export function formatDelay(micros: number): string {
  if (micros < 1000) return `${Math.round(micros)} µs`;
  if (micros < 10_000) return `${(micros / 1000).toFixed(1)} ms`;
  if (micros < 1_000_000) return `${Math.round(micros / 1000)} ms`;
  return `${(micros / 1e6).toFixed(1)} s`;
}

/** Bytes in words: `0 bytes`, `1,048,576 bytes`. */
export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} byte${bytes === 1 ? '' : 's'}`;
}

/** Bytes per second in words: `812 B/s`, `95 kB/s`, `1.4 MB/s`. */
export function formatThroughput(bytesPerSecond: number): string {
  if (bytesPerSecond < 10_000) return `${Math.round(bytesPerSecond)} B/s`;
  if (bytesPerSecond < 10_000_000) return `${Math.round(bytesPerSecond / 1000)} kB/s`;
  return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
}
