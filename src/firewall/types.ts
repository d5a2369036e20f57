/**
 * The firewall model: what the FTP traffic in a capture needs a firewall to let through, in terms
 * every dialect can render. Derivation (plan.ts) and rendering (one file per dialect) meet here.
 *
 * Every explanation of active and passive FTP lists four permissions per mode: the connection that
 * opens (client:>1023 → server:21; server:20 → client:>1023 in active mode; client:>1023 → server
 * passive range in passive mode) and the replies that come back on it. Here each such connection
 * class is a `Flow`; its opening packets and its replies are the two permissions. Stateful dialects
 * accept the opening packets and let connection tracking carry the replies; stateless ones name
 * both.
 */

/** An inclusive range of TCP ports. */
export interface PortRange {
  min: number;
  max: number;
}

/** Where the rules are loaded: the FTP server host, an FTP client host, or a router between them. */
export type Side = 'server' | 'client' | 'router';

/** With the kernel's FTP helper (stateful) or without any connection tracking (stateless). */
export type Style = 'helper' | 'stateless';

/** The rule languages ftpcap writes. */
export const dialects = ['nftables', 'iptables', 'firewalld', 'pf', 'cisco-ios', 'comware', 'aws'] as const;
export type Dialect = (typeof dialects)[number];

export type AddressFamily = 'ipv4' | 'ipv6';

/** Which connection of FTP a flow is. */
export type FlowRole = 'control' | 'passive-data' | 'active-data';

/** One end of a flow: its addresses (null: any address) and its ports. */
export interface FlowEnd {
  /** Canonical text addresses; null when any address is allowed (e.g. any client). */
  addresses: string[] | null;
  ports: PortRange[];
}

/**
 * A class of TCP connections the FTP traffic needs: who opens them (initiator) to whom
 * (responder). Its opening packets go initiator → responder; its replies come back.
 */
export interface Flow {
  role: FlowRole;
  family: AddressFamily;
  initiator: FlowEnd;
  responder: FlowEnd;
  /** Session ids (as in the report) whose traffic needs this flow. */
  sessions: number[];
  /**
   * True for a data flow that the kernel FTP helper opens by itself (RELATED) on every session
   * that needs it; false for the control flow and for data flows the helper cannot follow
   * (TLS, an announced address that is not the sender's, a line the helper does not read...):
   * a helper ruleset must open those explicitly.
   */
  helperCovers: boolean;
  /** Plain words: what the flow is for, and when the helper cannot cover it, why. */
  purpose: string;
}

/** Where a server's passive range comes from. */
export interface PassiveRange {
  range: PortRange;
  /** `given`: --passive-range; `observed`: the lowest to highest port the capture saw (not the server's real range). */
  source: 'given' | 'observed';
  /** Ports the capture saw (announced, or dialled under TLS). */
  seen: number[];
  /** Ports seen outside a given range (always empty for an observed range). */
  outside: number[];
  /** Passive data connections that were attempted and did not complete the handshake. */
  failures: number;
}

/** Whether Linux's nf_conntrack_ftp, bound to the control port, would have followed one session. */
export interface HelperPrediction {
  session: number;
  /** True when the helper would have created an expectation for every data channel of the session that was used. */
  follows: boolean;
  /** Why it would not (one plain sentence each), empty when it follows. */
  reasons: string[];
  /** Per data channel (index in the session): followed, and why not. */
  channels: Array<{ index: number; follows: boolean; reason: string | null }>;
}

/** The FTP server software, guessed from its 220 greeting. */
export type ServerSoftware = 'vsftpd' | 'proftpd' | 'pure-ftpd' | 'filezilla' | 'iis' | 'unknown';

/** What one FTP server (address and control port) needs, from every session with it. */
export interface ServerPlan {
  ip: string;
  family: AddressFamily;
  controlPort: number;
  /** Control port 990: implicit FTPS. */
  implicitTls: boolean;
  /** Some session switched to TLS (or was TLS from the start): no helper can read it. */
  tls: boolean;
  software: ServerSoftware;
  /** The 220 greeting that named it, if any. */
  banner: string | null;
  sessions: number[];
  /** Client addresses seen on the control port. */
  clients: string[];
  /** Passive mode seen (an accepted PASV/EPSV/LPSV, or data connections to the server under TLS). */
  passive: PassiveRange | null;
  /** Active mode seen (an accepted PORT/EPRT/LPRT used by a transfer, or data connections from the server under TLS). */
  active: {
    /** Source ports the server connected from; empty when no SYN of the server was captured. */
    sourcePorts: number[];
    /** True when those are fixed ports (20, or control port − 1): named; false: the server uses ephemeral ports. */
    fixedSource: boolean;
    /** Client addresses the server connected (or was told to connect) to. */
    clients: string[];
    /** Client ports the capture saw announced (informational: the next transfer uses another). */
    clientPortsSeen: number[];
    /** Active data connections that were attempted and did not complete the handshake. */
    failures: number;
  } | null;
  /** Passive announcements naming an address other than the server's (NAT): the helper ignores those. */
  foreignPassiveAddresses: string[];
  /** Flows this server's traffic needs (see Flow). */
  flows: Flow[];
  /** Per session, whether the kernel helper would follow it. */
  helper: HelperPrediction[];
  /** Server configuration that makes the passive range and address real, for the software seen. */
  serverConfig: ServerConfigAdvice;
  /**
   * Sessions with this server beyond the first MAX_PLAN_SESSIONS (firewall/plan.ts), whose numbers
   * and helper predictions `sessions`, `helper` and the flows leave out; absent when none are.
   */
  sessionsOmitted?: number;
}

/** What the server configuration advice is derived from. */
export interface ServerConfigInput {
  software: ServerSoftware;
  /** The passive range to pin (given, or observed), null when passive mode was not seen. */
  passiveRange: PortRange | null;
  /** Addresses the server announced in passive replies that are not its own (a NAT's public address, or a wrong one). */
  foreignPassiveAddresses: string[];
  serverIp: string;
  controlPort: number;
  /** Active mode seen: true when the server connected from a fixed port (20), false from temporary ports; null when active mode was not seen. */
  activeFromPort20: boolean | null;
  tls: boolean;
}

/** Lines of server configuration, for the software the banner names (or for the common servers). */
export interface ServerConfigAdvice {
  software: ServerSoftware;
  /** Config lines (or command-line options) with the file they belong in, one entry per server software shown. */
  entries: Array<{ software: Exclude<ServerSoftware, 'unknown'>; where: string; lines: string[] }>;
}

/** The options of `ftpcap firewall` (and of analyze's firewall section). */
export interface FirewallOptions {
  /** The passive range the admin intends; null: use what the capture saw, and say so. */
  passiveRange: PortRange | null;
  /** Only this server (address, and control port when given). */
  server: { ip: string; port: number | null } | null;
  /** Name the client addresses seen instead of any client (server side and router). */
  clientsSeen: boolean;
}

/** Everything derived for the firewall, before any dialect. */
export interface FirewallPlan {
  servers: ServerPlan[];
  /** Plain-words notes that hold for the whole plan (why a helper is not enough, an observed range...). */
  notes: string[];
}

/** How a rule serves its flow. */
export type RulePart =
  /** The flow's opening packets (and, stateless, the rest of its packets that way). */
  | 'open'
  /** Stateless: the flow's packets coming back (not an opening SYN). */
  | 'replies'
  /** Stateful: packets of connections already accepted, or RELATED ones the helper expects. */
  | 'established'
  /** Binds the kernel helper to the control connection. */
  | 'helper'
  /** Infrastructure the host needs to talk at all (IPv6 neighbour discovery, ICMP errors, loopback). */
  | 'base'
  /** The default policy (drop), the table or chain declaration. */
  | 'policy';

/** One rule of a rendered set. */
export interface Rule {
  /** The rule as it appears on one line of `RuleSet.text`, without the line's indentation. */
  text: string;
  /** That line's number in `RuleSet.text` (1-based): the same text can stand in two chains. */
  line: number;
  part: RulePart;
  /** The flow it serves, for `open` and `replies`. */
  role: FlowRole | null;
  /** Server it belongs to (`ip` or `[ip]`:port), null for rules shared by all. */
  server: string | null;
  /** Session ids whose traffic needs it. */
  sessions: number[];
  /**
   * True when the captured transfers need it (removing it breaks one of them); false for rules kept
   * for robustness (loopback, ICMP errors for path MTU), which its `why` explains.
   */
  essential: boolean;
  /** Plain words: what it is for. Printed as a comment next to the rule where the dialect has comments. */
  why: string;
}

/** One ruleset in one dialect, for one side and style. */
export interface RuleSet {
  dialect: Dialect;
  side: Side;
  /** null for dialects that have no such choice (AWS security groups are stateful, Cisco IOS ACLs stateless...). */
  style: Style | null;
  /** A heading for people. */
  title: string;
  /** How to load or apply it, in one line. */
  apply: string;
  /** The whole text to load (a file for nft -f / pfctl -f / firewalld XML, commands for iptables and aws, a config block for routers). */
  text: string;
  rules: Rule[];
  /** What the set cannot do, what to check before loading. */
  notes: string[];
}
