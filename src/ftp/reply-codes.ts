/**
 * Which replies a command can get (RFC 959 §5.4, RFC 2428 §2-3, RFC 3659, RFC 4217), used to pair
 * replies with commands again after bytes were lost: a reply that cannot answer the oldest pending
 * command answers a later one, and the commands before it lost their replies to the gap.
 */

/** Replies any command may get: service closing, syntax errors, not implemented, bad sequence, not logged in. */
const ANY = [421, 500, 501, 502, 503, 504, 530];

const TRANSFER = [110, 125, 150, 226, 250, 425, 426, 450, 451, 452, 532, 550, 551, 552, 553];

const specific: Record<string, number[]> = {
  USER: [230, 331, 332],
  PASS: [202, 230, 332],
  ACCT: [202, 230],
  PASV: [227, 229],
  EPSV: [229, 227, 200, 522],
  LPSV: [228, 521],
  PORT: [200],
  EPRT: [200, 522],
  LPRT: [200, 521],
  RETR: TRANSFER,
  STOR: TRANSFER,
  STOU: TRANSFER,
  APPE: TRANSFER,
  LIST: TRANSFER,
  NLST: TRANSFER,
  MLSD: TRANSFER,
  SIZE: [213, 550],
  MDTM: [213, 550],
  TYPE: [200],
  MODE: [200],
  STRU: [200],
  CWD: [250, 550],
  CDUP: [200, 250, 550],
  PWD: [257, 550],
  MKD: [257, 550],
  QUIT: [221],
  AUTH: [234, 334, 431, 534],
  FEAT: [211],
  SYST: [215],
};

/** True when `code` can answer `verb`; commands not in the table accept any reply. */
export function replyFits(verb: string, code: number): boolean {
  const codes = specific[verb];
  return codes === undefined || ANY.includes(code) || codes.includes(code);
}

/**
 * Whether `code` is a reply RFC 959 gives `verb`: true when it is one of the verb's own replies,
 * false when it cannot answer it, undefined when that says nothing (a verb not in the table, or a
 * reply any command may get). Used to tell FTP from other protocols by its exchanges.
 */
export function replyExpected(verb: string, code: number): boolean | undefined {
  const codes = specific[verb];
  if (codes === undefined || ANY.includes(code)) return undefined;
  return codes.includes(code);
}
