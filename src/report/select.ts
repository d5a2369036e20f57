/**
 * Which sessions a report shows: `--session N`, `--client ADDR`, `--server ADDR[:PORT]`. Applied to
 * the analysis before the report is built, so every format (text, JSON, diagram, HTML) and the
 * firewall plan see the same sessions; session ids stay those of the whole capture.
 */
import type { FtpSession } from '../model';

export interface SessionSelection {
  /** Session ids as the unfiltered report numbers them; empty: all. */
  ids: number[];
  /** Canonical client addresses; empty: all. */
  clients: string[];
  /** A server address, and its control port when given. */
  server: { ip: string; port: number | null } | null;
}

export function isSelecting(selection: SessionSelection): boolean {
  return selection.ids.length > 0 || selection.clients.length > 0 || selection.server !== null;
}

export function selectSessions(sessions: FtpSession[], selection: SessionSelection): FtpSession[] {
  if (!isSelecting(selection)) return sessions;
  return sessions.filter(
    (s) =>
      (selection.ids.length === 0 || selection.ids.includes(s.id)) &&
      (selection.clients.length === 0 || selection.clients.includes(s.client.ip)) &&
      (selection.server === null || (s.server.ip === selection.server.ip && (selection.server.port === null || s.server.port === selection.server.port))),
  );
}
