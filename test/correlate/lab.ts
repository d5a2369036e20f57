/**
 * The scripted lab shared by the correlation and diagnosis tests: the sample lab's addresses
 * (client 198.51.100.20 / 2001:db8:1::20, server 192.0.2.10 / 2001:db8:2::10) and dialogue pieces
 * in vsftpd 3.0.3's wording, as in samples/*\/expected.txt.
 */
import { ack, c, data, fin, s, syn, synAck, type ControlPair, type Endpoint, type Step } from './script';

export const CLIENT_IP = '198.51.100.20';
export const SERVER_IP = '192.0.2.10';
export const CLIENT6_IP = '2001:db8:1::20';
export const SERVER6_IP = '2001:db8:2::10';

export const client = (port: number): Endpoint => ({ ip: CLIENT_IP, port });
export const server = (port: number): Endpoint => ({ ip: SERVER_IP, port });
export const client6 = (port: number): Endpoint => ({ ip: CLIENT6_IP, port });
export const server6 = (port: number): Endpoint => ({ ip: SERVER6_IP, port });

export const CONTROL: ControlPair = { client: client(50000), server: server(21) };
export const CONTROL6: ControlPair = { client: client6(50000), server: server6(21) };

export const SECOND = 1_000_000;

/**
 * Greeting, USER/PASS, TYPE I. The PASS line is labelled `passLabel`, by default `pass` for a
 * named user (not anonymous).
 */
export function login(user = 'anonymous', password = 'guest@', passLabel = user === 'anonymous' ? undefined : 'pass'): Step[] {
  return [
    s('220 (vsFTPd 3.0.3)'),
    c(`USER ${user}`),
    s('331 Please specify the password.'),
    c(`PASS ${password}`, passLabel),
    s('230 Login successful.'),
    c('TYPE I'),
    s('200 Switching to Binary mode.'),
  ];
}

/** Three-way handshake of a data connection dialled from `orig` to `resp`; its SYN is labelled `<name>.syn` when named. */
export function dial(orig: Endpoint, resp: Endpoint, name?: string): Step[] {
  return [syn(orig, resp, name === undefined ? undefined : `${name}.syn`), synAck(resp, orig), ack(orig, resp)];
}

/**
 * Payload segments of the given sizes from `from` to `to` (optionally labelled), then the sender's
 * FIN (labelled `finLabel`), the FIN back and the last ACK.
 */
export function sendAndClose(from: Endpoint, to: Endpoint, sizes: number[], labels: string[] = [], finLabel?: string): Step[] {
  return [...sizes.map((n, i) => data(from, to, n, labels[i])), fin(from, to, finLabel), fin(to, from), ack(from, to)];
}
