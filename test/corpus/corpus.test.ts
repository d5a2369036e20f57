/**
 * Regression inputs from peers: public FTP captures from Suricata's and Zeek's test suites (and one
 * VLAN-tagged capture from aliawa/saved_pcaps), analyzed by the real CLI, compared with what those
 * projects expect and with tshark. Where every file comes from, and its licence:
 * test/fixtures/corpus/README.md.
 *
 * Every expected value below is written out literally. They were taken, once, from:
 * - tshark 4.0.17: `tshark -r F -Y 'ftp.request.command in {"PORT", "EPRT"} or ftp.response.code in {227, 229}'`
 *   for the announcements, `-Y 'tcp.flags.syn==1 && tcp.flags.ack==0'` for the SYN frames, and
 *   `-Y ftp` for the requests and replies; a channel's data connection is the first SYN after the
 *   announcement from the expected side to the announced port, its bytes the sum of `tcp.len` the
 *   sender put on that stream;
 * - Zeek's baselines next to its traces (`ftp.log` data_channel.*, `conn.log` byte counts);
 * - Suricata's `test.yaml` next to its captures (ftp / ftp_data events, ftpbounce alert).
 * Nothing here runs tshark or reads the peers' files at test time.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ChannelStatus, Report, ReportChannel, ReportSession } from '../../src/report/build';
import { runCli } from '../e2e/run-cli';

const corpusDir = join('test', 'fixtures', 'corpus');

/** One data channel as the capture shows it. */
interface ChannelRow {
  method: 'PORT' | 'EPRT' | 'PASV' | 'EPSV';
  mode: 'active' | 'passive';
  /** Frame of the announcing line: the PORT/EPRT command, or the 227/229 reply. */
  frame: number;
  /** Frame of the PORT/EPRT/PASV/EPSV command. */
  request: number;
  /** Reply code and its frame (null when the capture has none). */
  reply: [number, number] | null;
  /** Announced address (null for EPSV, which names only a port) and port; null when nothing was announced. */
  announced: [string | null, number] | null;
  /** SYN frame of the data connection that answered, null when none is in the capture. */
  syn: number | null;
  /** That connection as `orig ip:port -> resp ip:port`. */
  connection: string | null;
  /** Transfer command, its argument and frame, its final reply code and frame (null when the capture has none). */
  transfer: [string, string, number, number | null, number | null] | null;
  /** Payload bytes the transfer's sender put on the data connection. */
  bytes: number | null;
  status: ChannelStatus;
}

interface SessionRow {
  /** Control connection client and server, `ip:port`. */
  client: string;
  server: string;
  user: string | null;
  tls?: boolean;
  channels: ChannelRow[];
  /** Codes of the session's findings, in order; left out where a BUG block below owns them. */
  findings?: string[];
}

interface CaptureRow {
  name: string;
  /** Path under test/fixtures/corpus/. */
  file: string;
  sessions: SessionRow[];
}

// biome-ignore format: a table, one row a line
const captures: CaptureRow[] = [
  {
    // Suricata test.yaml: ftp USER from 172.23.0.3 to 172.23.0.2; ftp_data RETR index.html from 172.23.0.2 to 172.23.0.3.
    name: 'suricata ftp-download-active (PORT, server connects from port 20)',
    file: 'suricata-verify/tests/ftp/ftp-download-active/input.pcap',
    sessions: [
      {
        client: '172.23.0.3:58252',
        server: '172.23.0.2:21',
        user: 'bob',
        findings: ['cleartext-credentials'],
        channels: [
          { method: 'PORT', mode: 'active', frame: 13, request: 13, reply: [200, 14], announced: ['172.23.0.3', 44671], syn: 16, connection: '172.23.0.2:20 -> 172.23.0.3:44671', transfer: ['NLST', '', 15, 226, 25], bytes: 25, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 29, request: 29, reply: [200, 30], announced: ['172.23.0.3', 43585], syn: 32, connection: '172.23.0.2:20 -> 172.23.0.3:43585', transfer: ['RETR', 'index.html', 31, 226, 41], bytes: 39, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 45, request: 45, reply: [200, 46], announced: ['172.23.0.3', 43439], syn: 48, connection: '172.23.0.2:20 -> 172.23.0.3:43439', transfer: ['NLST', '', 47, 226, 57], bytes: 25, status: 'completed' },
        ],
      },
    ],
  },
  {
    // Suricata test.yaml: ftp_data RETR index.html from 172.23.0.3 to 172.23.0.2. Channels 2 and 3 announce the same port.
    name: 'suricata ftp-download-passive (PASV, a port announced twice)',
    file: 'suricata-verify/tests/ftp/ftp-download-passive/input.pcap',
    sessions: [
      {
        client: '172.23.0.3:41790',
        server: '172.23.0.2:21',
        user: 'bob',
        findings: ['cleartext-credentials'],
        channels: [
          { method: 'PASV', mode: 'passive', frame: 14, request: 13, reply: [227, 14], announced: ['172.23.0.2', 21001], syn: 15, connection: '172.23.0.3:41928 -> 172.23.0.2:21001', transfer: ['NLST', '', 18, 226, 25], bytes: 25, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 30, request: 29, reply: [227, 30], announced: ['172.23.0.2', 21008], syn: 31, connection: '172.23.0.3:46274 -> 172.23.0.2:21008', transfer: ['RETR', 'index.html', 34, 226, 41], bytes: 39, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 46, request: 45, reply: [227, 46], announced: ['172.23.0.2', 21008], syn: 47, connection: '172.23.0.3:46280 -> 172.23.0.2:21008', transfer: ['NLST', '', 50, 226, 57], bytes: 25, status: 'completed' },
        ],
      },
    ],
  },
  {
    // Suricata test.yaml: ftp_data STOR index.html from 172.23.0.2 to 172.23.0.3 (the server opens it, the client sends).
    name: 'suricata ftp-upload-active (PORT, STOR)',
    file: 'suricata-verify/tests/ftp/ftp-upload-active/input.pcap',
    sessions: [
      {
        client: '172.23.0.3:44550',
        server: '172.23.0.2:21',
        user: 'alice',
        findings: ['cleartext-credentials'],
        channels: [
          { method: 'PORT', mode: 'active', frame: 13, request: 13, reply: [200, 14], announced: ['172.23.0.3', 35627], syn: 16, connection: '172.23.0.2:20 -> 172.23.0.3:35627', transfer: ['NLST', '', 15, 226, 25], bytes: 25, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 29, request: 29, reply: [200, 30], announced: ['172.23.0.3', 44133], syn: 32, connection: '172.23.0.2:20 -> 172.23.0.3:44133', transfer: ['STOR', 'index.html', 31, 226, 41], bytes: 39, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 45, request: 45, reply: [200, 46], announced: ['172.23.0.3', 40173], syn: 48, connection: '172.23.0.2:20 -> 172.23.0.3:40173', transfer: ['NLST', '', 47, 226, 57], bytes: 25, status: 'completed' },
        ],
      },
    ],
  },
  {
    // Suricata test.yaml: ftp_data STOR index.html from 172.23.0.3 to 172.23.0.2. Channels 1 and 2 announce the same port.
    name: 'suricata ftp-upload-passive (PASV, STOR)',
    file: 'suricata-verify/tests/ftp/ftp-upload-passive/input.pcap',
    sessions: [
      {
        client: '172.23.0.3:43234',
        server: '172.23.0.2:21',
        user: 'alice',
        findings: ['cleartext-credentials'],
        channels: [
          { method: 'PASV', mode: 'passive', frame: 14, request: 13, reply: [227, 14], announced: ['172.23.0.2', 21003], syn: 15, connection: '172.23.0.3:49330 -> 172.23.0.2:21003', transfer: ['NLST', '', 18, 226, 25], bytes: 25, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 30, request: 29, reply: [227, 30], announced: ['172.23.0.2', 21003], syn: 31, connection: '172.23.0.3:49336 -> 172.23.0.2:21003', transfer: ['STOR', 'index.html', 34, 226, 41], bytes: 39, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 46, request: 45, reply: [227, 46], announced: ['172.23.0.2', 21001], syn: 47, connection: '172.23.0.3:37978 -> 172.23.0.2:21001', transfer: ['NLST', '', 50, 226, 57], bytes: 25, status: 'completed' },
        ],
      },
    ],
  },
  {
    // Suricata test.yaml: src_port 33112 PORT dynamic_port 59549 and src_port 58316 PORT dynamic_port 80, both
    // mode active with reply_received; no data connection in the capture (tshark: SYNs only to port 21).
    name: 'suricata ftp-bounce (PORT to a third host)',
    file: 'suricata-verify/tests/ftp/ftp-bounce/test.pcap',
    sessions: [
      {
        client: '1.1.1.2:33112',
        server: '2.2.2.1:21',
        user: 'anonymous',
        findings: [],
        channels: [
          { method: 'PORT', mode: 'active', frame: 10, request: 10, reply: [200, 12], announced: ['1.1.1.2', 59549], syn: null, connection: null, transfer: null, bytes: null, status: 'unused' },
        ],
      },
      {
        // Findings: see the BUG block for the bounce below.
        client: '1.1.1.2:58316',
        server: '2.2.2.1:21',
        user: 'anonymous',
        channels: [
          { method: 'PORT', mode: 'active', frame: 27, request: 27, reply: [200, 29], announced: ['2.2.2.3', 80], syn: null, connection: null, transfer: null, bytes: null, status: 'unused' },
        ],
      },
    ],
  },
  {
    // Zeek ftp-ipv4 baseline; bytes from its conn.log (resp_bytes 342/77 for the passive, orig_bytes 342/77 for the
    // active connections). The server's active connections come from ephemeral ports 61920 and 61918, not 20.
    name: 'zeek ipv4.pcap (PASV ×2, PORT ×2)',
    file: 'zeek/testing/btest/Traces/ftp/ipv4.pcap',
    sessions: [
      {
        client: '141.142.220.235:50003',
        server: '199.233.217.249:21',
        user: 'anonymous',
        findings: [],
        channels: [
          { method: 'PASV', mode: 'passive', frame: 20, request: 19, reply: [227, 20], announced: ['199.233.217.249', 56666], syn: 22, connection: '141.142.220.235:37604 -> 199.233.217.249:56666', transfer: ['LIST', '', 25, 226, 32], bytes: 342, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 39, request: 38, reply: [227, 39], announced: ['199.233.217.249', 56667], syn: 40, connection: '141.142.220.235:59378 -> 199.233.217.249:56667', transfer: ['RETR', 'robots.txt', 44, 226, 52], bytes: 77, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 57, request: 57, reply: [200, 58], announced: ['141.142.220.235', 33582], syn: 60, connection: '199.233.217.249:61920 -> 141.142.220.235:33582', transfer: ['LIST', '', 59, 226, 70], bytes: 342, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 75, request: 75, reply: [200, 76], announced: ['141.142.220.235', 37835], syn: 78, connection: '199.233.217.249:61918 -> 141.142.220.235:37835', transfer: ['RETR', 'robots.txt', 77, 226, 88], bytes: 77, status: 'completed' },
        ],
      },
    ],
  },
  {
    // Zeek ftp-ipv6 baseline; bytes from its conn.log (342, 43, 77 to the client; 77, 342 from the server).
    name: 'zeek ipv6.pcap (EPSV ×3, EPRT ×2)',
    file: 'zeek/testing/btest/Traces/ftp/ipv6.pcap',
    sessions: [
      {
        client: '2001:470:1f11:81f:c999:d94:aa7c:2e3e:49185',
        server: '2001:470:4867:99::21:21',
        user: 'anonymous',
        findings: [],
        channels: [
          { method: 'EPSV', mode: 'passive', frame: 28, request: 27, reply: [229, 28], announced: [null, 57086], syn: 30, connection: '2001:470:1f11:81f:c999:d94:aa7c:2e3e:49186 -> 2001:470:4867:99::21:57086', transfer: ['LIST', '', 33, 226, 41], bytes: 342, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 45, request: 44, reply: [229, 45], announced: [null, 57087], syn: 47, connection: '2001:470:1f11:81f:c999:d94:aa7c:2e3e:49187 -> 2001:470:4867:99::21:57087', transfer: ['NLST', '', 50, 226, 58], bytes: 43, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 68, request: 67, reply: [229, 68], announced: [null, 57088], syn: 70, connection: '2001:470:1f11:81f:c999:d94:aa7c:2e3e:49188 -> 2001:470:4867:99::21:57088', transfer: ['RETR', 'robots.txt', 73, 226, 81], bytes: 77, status: 'completed' },
          { method: 'EPRT', mode: 'active', frame: 90, request: 90, reply: [200, 91], announced: ['2001:470:1f11:81f:c999:d94:aa7c:2e3e', 49189], syn: 94, connection: '2001:470:4867:99::21:55785 -> 2001:470:1f11:81f:c999:d94:aa7c:2e3e:49189', transfer: ['RETR', 'robots.txt', 93, 226, 104], bytes: 77, status: 'completed' },
          { method: 'EPRT', mode: 'active', frame: 113, request: 113, reply: [200, 114], announced: ['2001:470:1f11:81f:c999:d94:aa7c:2e3e', 49190], syn: 117, connection: '2001:470:4867:99::21:55647 -> 2001:470:1f11:81f:c999:d94:aa7c:2e3e:49190', transfer: ['LIST', '', 116, 226, 127], bytes: 342, status: 'completed' },
        ],
      },
    ],
  },
  {
    // No peer baseline: tshark only. 802.1Q tags (VLAN 20 client to server, 601 back).
    name: 'saved_pcaps ftp_passive.pcap (802.1Q VLAN, PASV ×2)',
    file: 'saved_pcaps/ftp_passive.pcap',
    sessions: [
      {
        client: '100.90.27.1:54739',
        server: '10.65.4.122:21',
        user: 'svc_backup_vosko',
        findings: ['cleartext-credentials'],
        channels: [
          { method: 'PASV', mode: 'passive', frame: 27, request: 26, reply: [227, 27], announced: ['10.65.4.122', 63134], syn: 29, connection: '100.90.27.1:54740 -> 10.65.4.122:63134', transfer: ['LIST', '-a', 28, 226, 36], bytes: 343, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 48, request: 47, reply: [227, 48], announced: ['10.65.4.122', 63135], syn: 50, connection: '100.90.27.1:54741 -> 10.65.4.122:63135', transfer: ['LIST', '-a', 49, 226, 57], bytes: 511, status: 'completed' },
        ],
      },
    ],
  },
  {
    // Suricata test.yaml: ftp EPSV dynamic_port 58612. The data connections were not captured (tshark: the only SYN
    // is frame 1, to port 21), so every transfer lacks its connection.
    name: 'suricata ftp-epsv (EPSV ×4, data connections not captured)',
    file: 'suricata-verify/tests/ftp-epsv/input.pcap',
    sessions: [
      {
        client: '192.168.1.182:62014',
        server: '192.168.1.231:21',
        user: 'ftp',
        findings: ['data-connection-missing', 'data-connection-missing', 'data-connection-missing', 'data-connection-missing'],
        channels: [
          { method: 'EPSV', mode: 'passive', frame: 29, request: 27, reply: [229, 29], announced: [null, 58612], syn: null, connection: null, transfer: ['LIST', '', 31, 226, 34], bytes: null, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 44, request: 42, reply: [229, 44], announced: [null, 37100], syn: null, connection: null, transfer: ['RETR', 'resume.doc', 46, 226, 50], bytes: null, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 66, request: 64, reply: [229, 66], announced: [null, 36986], syn: null, connection: null, transfer: ['STOR', 'README', 68, 226, 72], bytes: null, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 94, request: 93, reply: [229, 94], announced: [null, 35656], syn: null, connection: null, transfer: ['LIST', '', 96, 226, 100], bytes: null, status: 'completed' },
        ],
      },
    ],
  },
  {
    // Suricata test.yaml: one ftp_data event each for APPE and STOU (passive and active), two each for LIST and MLSD.
    // In the active session the server connects (frames 141, 157, ...) before it answers the PORT (144, 160, ...).
    name: 'suricata firewall-116 (every transfer command over PASV, then PORT)',
    file: 'suricata-verify/tests/firewall/ruletype-firewall-116-ftp-all-data-ipv4/input.pcap',
    sessions: [
      {
        client: '172.23.0.3:59968',
        server: '172.23.0.2:21',
        user: 'alice',
        findings: ['cleartext-credentials'],
        channels: [
          { method: 'PASV', mode: 'passive', frame: 14, request: 13, reply: [227, 14], announced: ['172.23.0.2', 21008], syn: 15, connection: '172.23.0.3:60478 -> 172.23.0.2:21008', transfer: ['STOR', 'all-data-ipv4-passive-stor-appe.txt', 18, 226, 25], bytes: 83, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 30, request: 29, reply: [227, 30], announced: ['172.23.0.2', 21003], syn: 31, connection: '172.23.0.3:33748 -> 172.23.0.2:21003', transfer: ['APPE', 'all-data-ipv4-passive-stor-appe.txt', 34, 226, 41], bytes: 44, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 46, request: 45, reply: [227, 46], announced: ['172.23.0.2', 21006], syn: 47, connection: '172.23.0.3:35168 -> 172.23.0.2:21006', transfer: ['STOU', 'all-data-ipv4-passive-stou.txt', 50, 226, 57], bytes: 44, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 62, request: 61, reply: [227, 62], announced: ['172.23.0.2', 21008], syn: 63, connection: '172.23.0.3:60484 -> 172.23.0.2:21008', transfer: ['LIST', '', 66, 226, 71], bytes: 693, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 78, request: 77, reply: [227, 78], announced: ['172.23.0.2', 21007], syn: 79, connection: '172.23.0.3:56392 -> 172.23.0.2:21007', transfer: ['NLST', '', 82, 226, 87], bytes: 253, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 94, request: 93, reply: [227, 94], announced: ['172.23.0.2', 21009], syn: 95, connection: '172.23.0.3:58530 -> 172.23.0.2:21009', transfer: ['MLSD', '', 98, 226, 103], bytes: 833, status: 'completed' },
          { method: 'PASV', mode: 'passive', frame: 110, request: 109, reply: [227, 110], announced: ['172.23.0.2', 21005], syn: 111, connection: '172.23.0.3:41648 -> 172.23.0.2:21005', transfer: ['RETR', 'index.html', 114, 226, 121], bytes: 39, status: 'completed' },
        ],
      },
      {
        client: '172.23.0.3:59982',
        server: '172.23.0.2:21',
        user: 'alice',
        findings: ['cleartext-credentials'],
        channels: [
          { method: 'PORT', mode: 'active', frame: 140, request: 140, reply: [200, 144], announced: ['172.23.0.3', 45809], syn: 141, connection: '172.23.0.2:20 -> 172.23.0.3:45809', transfer: ['STOR', 'all-data-ipv4-active-stor-appe.txt', 145, 226, 152], bytes: 83, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 156, request: 156, reply: [200, 160], announced: ['172.23.0.3', 37783], syn: 157, connection: '172.23.0.2:20 -> 172.23.0.3:37783', transfer: ['APPE', 'all-data-ipv4-active-stor-appe.txt', 161, 226, 168], bytes: 44, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 172, request: 172, reply: [200, 176], announced: ['172.23.0.3', 36011], syn: 173, connection: '172.23.0.2:20 -> 172.23.0.3:36011', transfer: ['STOU', 'all-data-ipv4-active-stou.txt', 177, 226, 184], bytes: 44, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 188, request: 188, reply: [200, 192], announced: ['172.23.0.3', 33975], syn: 189, connection: '172.23.0.2:20 -> 172.23.0.3:33975', transfer: ['LIST', '', 193, 226, 198], bytes: 879, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 204, request: 204, reply: [200, 208], announced: ['172.23.0.3', 40169], syn: 205, connection: '172.23.0.2:20 -> 172.23.0.3:40169', transfer: ['NLST', '', 209, 226, 214], bytes: 329, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 220, request: 220, reply: [200, 224], announced: ['172.23.0.3', 39459], syn: 221, connection: '172.23.0.2:20 -> 172.23.0.3:39459', transfer: ['MLSD', '', 225, 226, 230], bytes: 1054, status: 'completed' },
          { method: 'PORT', mode: 'active', frame: 236, request: 236, reply: [200, 240], announced: ['172.23.0.3', 35495], syn: 237, connection: '172.23.0.2:20 -> 172.23.0.3:35495', transfer: ['RETR', 'index.html', 241, 226, 247], bytes: 39, status: 'completed' },
        ],
      },
    ],
  },
  {
    // Suricata test.yaml: as firewall-116, over IPv6. The 229 replies end with text after the parenthesis.
    name: 'suricata firewall-117 (every transfer command over EPSV, then EPRT, IPv6)',
    file: 'suricata-verify/tests/firewall/ruletype-firewall-117-ftp-all-data-ipv6/input.pcap',
    sessions: [
      {
        client: 'fd00:10:16:1::3:41256',
        server: 'fd00:10:16:1::2:21',
        user: 'alice',
        findings: ['cleartext-credentials'],
        channels: [
          { method: 'EPSV', mode: 'passive', frame: 14, request: 13, reply: [229, 14], announced: [null, 21008], syn: 15, connection: 'fd00:10:16:1::3:52200 -> fd00:10:16:1::2:21008', transfer: ['STOR', 'all-data-ipv6-passive-stor-appe.txt', 18, 226, 25], bytes: 83, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 30, request: 29, reply: [229, 30], announced: [null, 21003], syn: 31, connection: 'fd00:10:16:1::3:48224 -> fd00:10:16:1::2:21003', transfer: ['APPE', 'all-data-ipv6-passive-stor-appe.txt', 34, 226, 41], bytes: 44, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 46, request: 45, reply: [229, 46], announced: [null, 21006], syn: 47, connection: 'fd00:10:16:1::3:54998 -> fd00:10:16:1::2:21006', transfer: ['STOU', 'all-data-ipv6-passive-stou.txt', 50, 226, 57], bytes: 44, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 62, request: 61, reply: [229, 62], announced: [null, 21008], syn: 63, connection: 'fd00:10:16:1::3:52214 -> fd00:10:16:1::2:21008', transfer: ['LIST', '', 66, 226, 73], bytes: 2113, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 80, request: 79, reply: [229, 80], announced: [null, 21002], syn: 81, connection: 'fd00:10:16:1::3:55932 -> fd00:10:16:1::2:21002', transfer: ['NLST', '', 84, 226, 89], bytes: 848, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 96, request: 95, reply: [229, 96], announced: [null, 21009], syn: 97, connection: 'fd00:10:16:1::3:35958 -> fd00:10:16:1::2:21009', transfer: ['MLSD', '', 100, 226, 107], bytes: 2511, status: 'completed' },
          { method: 'EPSV', mode: 'passive', frame: 114, request: 113, reply: [229, 114], announced: [null, 21009], syn: 115, connection: 'fd00:10:16:1::3:35968 -> fd00:10:16:1::2:21009', transfer: ['RETR', 'index.html', 118, 226, 124], bytes: 39, status: 'completed' },
        ],
      },
      {
        client: 'fd00:10:16:1::3:41258',
        server: 'fd00:10:16:1::2:21',
        user: 'alice',
        findings: ['cleartext-credentials'],
        channels: [
          { method: 'EPRT', mode: 'active', frame: 144, request: 144, reply: [200, 148], announced: ['fd00:10:16:1::3', 40467], syn: 145, connection: 'fd00:10:16:1::2:20 -> fd00:10:16:1::3:40467', transfer: ['STOR', 'all-data-ipv6-active-stor-appe.txt', 149, 226, 156], bytes: 83, status: 'completed' },
          { method: 'EPRT', mode: 'active', frame: 160, request: 160, reply: [200, 164], announced: ['fd00:10:16:1::3', 40547], syn: 161, connection: 'fd00:10:16:1::2:20 -> fd00:10:16:1::3:40547', transfer: ['APPE', 'all-data-ipv6-active-stor-appe.txt', 165, 226, 172], bytes: 44, status: 'completed' },
          { method: 'EPRT', mode: 'active', frame: 176, request: 176, reply: [200, 180], announced: ['fd00:10:16:1::3', 36713], syn: 177, connection: 'fd00:10:16:1::2:20 -> fd00:10:16:1::3:36713', transfer: ['STOU', 'all-data-ipv6-active-stou.txt', 181, 226, 188], bytes: 44, status: 'completed' },
          { method: 'EPRT', mode: 'active', frame: 192, request: 192, reply: [200, 196], announced: ['fd00:10:16:1::3', 42219], syn: 193, connection: 'fd00:10:16:1::2:20 -> fd00:10:16:1::3:42219', transfer: ['LIST', '', 197, 226, 204], bytes: 2208, status: 'completed' },
          { method: 'EPRT', mode: 'active', frame: 210, request: 210, reply: [200, 214], announced: ['fd00:10:16:1::3', 39099], syn: 211, connection: 'fd00:10:16:1::2:20 -> fd00:10:16:1::3:39099', transfer: ['NLST', '', 215, 226, 220], bytes: 888, status: 'completed' },
          { method: 'EPRT', mode: 'active', frame: 226, request: 226, reply: [200, 230], announced: ['fd00:10:16:1::3', 46525], syn: 227, connection: 'fd00:10:16:1::2:20 -> fd00:10:16:1::3:46525', transfer: ['MLSD', '', 231, 226, 238], bytes: 2623, status: 'completed' },
          { method: 'EPRT', mode: 'active', frame: 244, request: 244, reply: [200, 248], announced: ['fd00:10:16:1::3', 37533], syn: 245, connection: 'fd00:10:16:1::2:20 -> fd00:10:16:1::3:37533', transfer: ['RETR', 'index.html', 249, 226, 256], bytes: 39, status: 'completed' },
        ],
      },
    ],
  },
  {
    // Zeek ftp-auth-tls baseline: <init> 220, AUTH TLS 234, nothing after (the rest is TLS 1.3). Findings: BUG block below.
    name: 'zeek ftp-auth-tls.pcap (AUTH TLS, then TLS on the control connection)',
    file: 'zeek/testing/btest/Traces/ftp/ftp-auth-tls.pcap',
    sessions: [{ client: '127.0.0.1:40284', server: '127.0.0.1:21', user: null, tls: true, channels: [] }],
  },
];

/** `data_channel.*` of every ftp.log row that has one, in log order (the order of the announcements). */
interface ZeekDataChannel {
  passive: boolean;
  orig_h: string;
  resp_h: string;
  resp_p: number;
}

const zeekDataChannels: Array<{ file: string; baseline: string; rows: ZeekDataChannel[] }> = [
  {
    file: 'zeek/testing/btest/Traces/ftp/ipv4.pcap',
    baseline: 'zeek/testing/btest/Baseline/scripts.base.protocols.ftp.ftp-ipv4/ftp.log',
    rows: [
      { passive: true, orig_h: '141.142.220.235', resp_h: '199.233.217.249', resp_p: 56666 },
      { passive: true, orig_h: '141.142.220.235', resp_h: '199.233.217.249', resp_p: 56667 },
      { passive: false, orig_h: '199.233.217.249', resp_h: '141.142.220.235', resp_p: 33582 },
      { passive: false, orig_h: '199.233.217.249', resp_h: '141.142.220.235', resp_p: 37835 },
    ],
  },
  {
    file: 'zeek/testing/btest/Traces/ftp/ipv6.pcap',
    baseline: 'zeek/testing/btest/Baseline/scripts.base.protocols.ftp.ftp-ipv6/ftp.log',
    rows: [
      { passive: true, orig_h: '2001:470:1f11:81f:c999:d94:aa7c:2e3e', resp_h: '2001:470:4867:99::21', resp_p: 57086 },
      { passive: true, orig_h: '2001:470:1f11:81f:c999:d94:aa7c:2e3e', resp_h: '2001:470:4867:99::21', resp_p: 57087 },
      { passive: true, orig_h: '2001:470:1f11:81f:c999:d94:aa7c:2e3e', resp_h: '2001:470:4867:99::21', resp_p: 57088 },
      { passive: false, orig_h: '2001:470:4867:99::21', resp_h: '2001:470:1f11:81f:c999:d94:aa7c:2e3e', resp_p: 49189 },
      { passive: false, orig_h: '2001:470:4867:99::21', resp_h: '2001:470:1f11:81f:c999:d94:aa7c:2e3e', resp_p: 49190 },
    ],
  },
];

/** Suricata `ftp_data` events its test.yaml expects: `count` data connections used by `command` (and `filename`), opened from `src` to `dest`. */
interface SuricataDataEvent {
  command: string;
  filename?: string;
  src?: string;
  dest?: string;
  count: number;
}

const suricataDataEvents: Array<{ file: string; events: SuricataDataEvent[] }> = [
  {
    file: 'suricata-verify/tests/ftp/ftp-download-active/input.pcap',
    events: [{ command: 'RETR', filename: 'index.html', src: '172.23.0.2', dest: '172.23.0.3', count: 1 }],
  },
  {
    file: 'suricata-verify/tests/ftp/ftp-download-passive/input.pcap',
    events: [{ command: 'RETR', filename: 'index.html', src: '172.23.0.3', dest: '172.23.0.2', count: 1 }],
  },
  {
    file: 'suricata-verify/tests/ftp/ftp-upload-active/input.pcap',
    events: [{ command: 'STOR', filename: 'index.html', src: '172.23.0.2', dest: '172.23.0.3', count: 1 }],
  },
  {
    file: 'suricata-verify/tests/ftp/ftp-upload-passive/input.pcap',
    events: [{ command: 'STOR', filename: 'index.html', src: '172.23.0.3', dest: '172.23.0.2', count: 1 }],
  },
  {
    file: 'suricata-verify/tests/firewall/ruletype-firewall-116-ftp-all-data-ipv4/input.pcap',
    events: [
      { command: 'APPE', filename: 'all-data-ipv4-passive-stor-appe.txt', count: 1 },
      { command: 'APPE', filename: 'all-data-ipv4-active-stor-appe.txt', count: 1 },
      { command: 'STOU', filename: 'all-data-ipv4-passive-stou.txt', count: 1 },
      { command: 'STOU', filename: 'all-data-ipv4-active-stou.txt', count: 1 },
      { command: 'LIST', count: 2 },
      { command: 'MLSD', count: 2 },
    ],
  },
  {
    file: 'suricata-verify/tests/firewall/ruletype-firewall-117-ftp-all-data-ipv6/input.pcap',
    events: [
      { command: 'APPE', filename: 'all-data-ipv6-passive-stor-appe.txt', count: 1 },
      { command: 'APPE', filename: 'all-data-ipv6-active-stor-appe.txt', count: 1 },
      { command: 'STOU', filename: 'all-data-ipv6-passive-stou.txt', count: 1 },
      { command: 'STOU', filename: 'all-data-ipv6-active-stou.txt', count: 1 },
      { command: 'LIST', count: 2 },
      { command: 'MLSD', count: 2 },
    ],
  },
];

const reports = new Map<string, Promise<Report>>();

/** The JSON report for a corpus file (analyzed once per run). */
function analyze(file: string): Promise<Report> {
  let report = reports.get(file);
  if (report === undefined) {
    report = runCli('analyze', join(corpusDir, file), '--format', 'json').then((result) => {
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as Report;
    });
    reports.set(file, report);
  }
  return report;
}

function endpoint(e: { ip: string; port: number }): string {
  return `${e.ip}:${e.port}`;
}

/** Our channel in the shape of a ChannelRow. */
function channelRow(channel: ReportChannel): ChannelRow {
  const c = channel.connection;
  const t = channel.transfer;
  return {
    method: channel.method as ChannelRow['method'],
    mode: channel.mode,
    frame: channel.frame,
    request: channel.request.frame,
    reply: channel.reply ? [channel.reply.code, channel.reply.frame] : null,
    announced: channel.announced ? [channel.announced.ip, channel.announced.port] : null,
    syn: c ? c.synFrame : null,
    connection: c ? `${endpoint(c.from)} -> ${endpoint(c.to)}` : null,
    transfer: t ? [t.command, t.arg, t.frame, t.replyCode, t.replyFrame] : null,
    bytes: c ? c.bytes : null,
    status: channel.status,
  };
}

/** Our channel in the shape of Zeek's ftp.log data_channel fields. */
function zeekDataChannel(session: ReportSession, channel: ReportChannel): ZeekDataChannel {
  const announced = channel.announced;
  if (announced === null) throw new Error(`channel ${channel.index} announced nothing`);
  return {
    passive: channel.mode === 'passive',
    orig_h: channel.expected.from,
    // EPSV names only a port: the control connection's server address applies (RFC 2428 section 3).
    resp_h: announced.ip ?? session.server.ip,
    resp_p: announced.port,
  };
}

describe.each(captures)('$name', (row) => {
  test('sessions match', async () => {
    const report = await analyze(row.file);
    expect(report.inputs[0].linkType).toBe('EN10MB');
    expect(report.sessions.map((s) => [endpoint(s.client), endpoint(s.server), s.user])).toEqual(row.sessions.map((s) => [s.client, s.server, s.user]));
  });

  test.each(row.sessions.map((session, i) => ({ ...session, i })))('session $client: data channels match', async (session) => {
    const ours = (await analyze(row.file)).sessions[session.i];
    expect(ours.dataChannels.map(channelRow)).toEqual(session.channels);
    if (session.tls !== undefined) expect(ours.tls).toBe(session.tls);
    if (session.findings !== undefined) expect(ours.findings.map((f) => f.code)).toEqual(session.findings);
  });
});

describe.each(zeekDataChannels)('Zeek $baseline', ({ file, rows }) => {
  test('data_channel passive/orig_h/resp_h/resp_p match our announcements', async () => {
    const report = await analyze(file);
    const ours = report.sessions.flatMap((s) => s.dataChannels.map((c) => zeekDataChannel(s, c)));
    expect(ours).toEqual(rows);
  });

  test('each data connection runs from orig_h to resp_h:resp_p', async () => {
    const report = await analyze(file);
    const connections = report.sessions.flatMap((s) => s.dataChannels.map((c) => c.connection));
    expect(connections.map((c) => (c ? { orig_h: c.from.ip, resp_h: c.to.ip, resp_p: c.to.port } : null))).toEqual(
      rows.map((r) => ({ orig_h: r.orig_h, resp_h: r.resp_h, resp_p: r.resp_p })),
    );
  });
});

describe.each(suricataDataEvents)('Suricata ftp_data events of $file', ({ file, events }) => {
  test.each(events.map((e) => ({ ...e, what: e.filename ?? '(any file)' })))('$count × $command $what', async (event) => {
    const report = await analyze(file);
    const matching = report.sessions
      .flatMap((s) => s.dataChannels)
      .filter((c) => c.connection !== null && c.transfer !== null)
      .filter((c) => c.transfer?.command === event.command)
      .filter((c) => event.filename === undefined || c.transfer?.arg === event.filename)
      .filter((c) => event.src === undefined || c.connection?.from.ip === event.src)
      .filter((c) => event.dest === undefined || c.connection?.to.ip === event.dest);
    expect(matching).toHaveLength(event.count);
  });
});

// Suricata ftp-bounce test.yaml: PORT 1,1,1,2,232,157 on src_port 33112 raises no alert; PORT 2,2,2,3,0,80 on
// src_port 58316 raises the `ftpbounce` alert. tshark -V on frame 27: sent by 1.1.1.2 (the control client) and
// naming 2.2.2.3, a third host; RFC 2577 section 3 calls this the bounce attack. Ours reports channel 1 of
// session 2 with no finding at all, and its timeline says "client listens on 2.2.2.3:80": 2.2.2.3 is not the client.
describe('a PORT naming a host other than the control client (FTP bounce) is flagged and explained', () => {
  const file = 'suricata-verify/tests/ftp/ftp-bounce/test.pcap';

  test('session 2 has findings on the PORT at frame 27: a third host, and a privileged port (80)', async () => {
    const session = (await analyze(file)).sessions[1];
    expect(session.findings.filter((f) => f.frame === 27).map((f) => [f.code, f.severity])).toEqual([
      ['third-party-data-target', 'error'],
      ['privileged-data-port', 'error'],
    ]);
  });

  test('session 1 (PORT naming the client itself) has none', async () => {
    expect((await analyze(file)).sessions[0].findings).toEqual([]);
  });

  test('the timeline does not call the third host the client', async () => {
    const session = (await analyze(file)).sessions[1];
    const entry = session.timeline.find((e) => e.frame === 27 && e.kind === 'announcement');
    expect(entry?.text).not.toMatch(/client listens on 2\.2\.2\.3/);
  });
});

// Zeek ftp-auth-tls baseline: ftp.log ends with AUTH TLS -> 234; Zeek hands the rest of the connection to its SSL
// analyzer (ssl.log: TLSv13). tshark decodes frame 22 on as TLS (Client Hello, Server Hello, ...). Ours marks the
// session tls, then still splits the TLS records into "lines" and reports 33 invalid-command / invalid-reply
// findings (frames 22-82) whose messages quote binary ciphertext.
describe('after AUTH TLS -> 234 the encrypted control connection is not parsed as FTP lines', () => {
  const file = 'zeek/testing/btest/Traces/ftp/ftp-auth-tls.pcap';

  test('no finding about lines after the 234 reply (frame 21)', async () => {
    const session = (await analyze(file)).sessions[0];
    expect(session.findings.filter((f) => f.frame !== null && f.frame > 21)).toEqual([]);
  });

  test('the text report quotes no ciphertext as a line', async () => {
    const result = await runCli('analyze', join(corpusDir, file), '--no-color');
    expect(result.stdout).not.toMatch(/not an FTP (command|reply)/);
  });
});
