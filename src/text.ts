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
