#!/usr/bin/env python3
"""Send hand-picked FTP commands with Python's standard ftplib, for the
protocol-level ftpcap samples (samples/tools/make-protocol-samples.sh).

    proto-ftp-client.py HOST [--port N] [--user U --password P] STEP...

One control session; the steps run in order and every command and reply is
printed to stdout. A refused command (4xx/5xx) does not stop the script.

    cmd:LINE          send LINE as it is (ftplib sendcmd) and print the reply
    listen[:ADDR]     open a listening socket on the client (on ADDR, default
                      the control connection's local address; kernel-chosen
                      port); later LINEs may use {p1},{p2} (PORT octets),
                      {port}, {ip4} (the address with commas)
    dial              connect to the port of the last 227/229 reply, at the
                      control connection's server address (as ftplib does:
                      the address inside a 227 is ignored)
    dial-late[:S]     the same, but only S seconds (default 1) after the next
                      transfer command was sent (the server waits for it)
    xfer:LINE[:HOW]   a transfer command: send LINE, read its replies; data
                      goes over the socket set up by the last listen (accept)
                      or dial. HOW limits the download:
                        abor@N   read N bytes, then abort with Telnet IP +
                                 Synch + ABOR; read what still arrives
                        close@N  read N bytes, then close the data socket
                      Without a data socket (the server was told to connect
                      elsewhere) only the replies are read.
    sleep:S           pause S seconds
    login:USER:PASS   USER/PASS (again) on the same connection; failures are
                      printed, not fatal

Without --user no login is done at connect time (use login: steps).
"""
import argparse
import ftplib
import re
import socket
import sys
import time


def out(*a: object) -> None:
    print(*a, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("--port", type=int, default=21)
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("steps", nargs="*")
    a = ap.parse_intermixed_args()

    ftp = ftplib.FTP(timeout=a.timeout)
    out("<", ftp.connect(a.host, a.port))
    if a.user is not None:
        out(">", "USER", a.user, "/ PASS ****")
        out("<", ftp.login(a.user, a.password))

    lsock = None       # listening socket (active)
    dial_to = None     # (host, port) for the next passive connection
    dsock = None       # ... and the connection, once made
    wait = 0.0
    last_reply = ""
    fmt = {}

    def send(line: str) -> str:
        nonlocal last_reply
        out(">", line)
        try:
            r = ftp.sendcmd(line)
        except ftplib.error_reply as e:  # unexpected 1xx-3xx
            r = str(e)
        except (ftplib.error_temp, ftplib.error_perm) as e:
            r = str(e)
        out("<", r.replace("\n", "\n< "))
        last_reply = r
        return r

    try:
        for step in a.steps:
            verb, _, arg = step.partition(":")
            if verb == "cmd":
                send(arg.format(**fmt))
            elif verb == "login":
                user, _, pw = arg.partition(":")
                try:
                    out(">", "USER", user, "/ PASS ****")
                    out("<", ftp.login(user, pw))
                except ftplib.all_errors as e:
                    out("<", e)
            elif verb == "listen":
                family = ftp.sock.family
                addr = arg or ftp.sock.getsockname()[0]
                if ":" in addr:
                    family = socket.AF_INET6
                elif "." in addr:
                    family = socket.AF_INET
                if lsock:
                    lsock.close()
                lsock = socket.create_server((addr, 0), family=family, backlog=1)
                port = lsock.getsockname()[1]
                fmt = dict(port=port, p1=port >> 8, p2=port & 255, addr=addr,
                           ip4=addr.replace(".", ","))
                out(f"# listening on {addr} port {port}")
            elif verb in ("dial", "dial-late"):
                m = re.search(r"\((.)\1\1(\d+)\1\)", last_reply) if last_reply.startswith("229") else None
                if m:
                    port = int(m.group(2))
                else:
                    g = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", last_reply)
                    if not last_reply.startswith("227") or not g:
                        out("# nothing to dial: last reply was", last_reply)
                        return 1
                    port = int(g.group(5)) * 256 + int(g.group(6))
                dial_to = (ftp.sock.getpeername()[0], port)
                dsock = None
                if verb == "dial":
                    out(f"# connecting to {dial_to[0]} port {port}")
                    dsock = socket.create_connection(dial_to, timeout=a.timeout)
                else:
                    wait = float(arg or 1)
                    out(f"# will connect to {dial_to[0]} port {port} {wait} s after the transfer command")
            elif verb == "xfer":
                line, how = arg, ""
                m = re.match(r"(.*):((?:abor|close)@\d+)$", arg)
                if m:
                    line, how = m.group(1), m.group(2)
                line = line.format(**fmt)
                conn = None
                if dial_to and dsock:
                    conn = dsock
                    dial_to = None
                out(">", line)
                ftp.putcmd(line)
                if dial_to:  # dial-late: the server waits for the connection
                    time.sleep(wait)
                    out(f"# connecting to {dial_to[0]} port {dial_to[1]}")
                    conn = socket.create_connection(dial_to, timeout=a.timeout)
                    dial_to = None
                r = ftp.getmultiline()
                out("<", r)
                if r[:1] != "1":
                    if lsock:
                        lsock.close()
                        lsock = None
                    if conn:
                        conn.close()
                    continue
                if conn is None and lsock:
                    conn, peer = lsock.accept()
                    out(f"# server connected from {peer[0]} port {peer[1]}")
                    lsock.close()
                    lsock = None
                if conn is None:
                    out("<", ftp.getmultiline())
                    continue
                limit = int(how.split("@")[1]) if how else None
                n = 0
                while True:
                    want = 8192 if limit is None else min(8192, limit - n)
                    if want <= 0:
                        break
                    chunk = conn.recv(want)
                    if not chunk:
                        break
                    n += len(chunk)
                out(f"# {n} bytes received on the data connection")
                if how.startswith("abor"):
                    # RFC 959 section 4.1.3: Telnet "Interrupt Process" (IAC IP),
                    # then the Telnet "Synch" (IAC as TCP urgent data, DM), then
                    # ABOR -- the way inetutils ftp and tnftp abort a transfer.
                    # (ftplib's own abort() sends "ABOR\r\n" as urgent data
                    # without the Telnet bytes, which vsftpd answers with
                    # "500 Unknown command." and lets the transfer run on.)
                    out("> IAC IP, IAC DM (urgent), ABOR")
                    ftp.sock.sendall(b"\xff\xf4\xff", socket.MSG_OOB)
                    ftp.sock.sendall(b"\xf2ABOR\r\n")
                    conn.settimeout(10)
                    m = 0
                    try:
                        while True:
                            chunk = conn.recv(65536)
                            if not chunk:
                                break
                            m += len(chunk)
                    except OSError as e:
                        out("# data connection:", e)
                    out(f"# {m} more bytes arrived after the ABOR, {n + m} in all")
                    conn.close()
                    r = ftp.getmultiline()
                    out("<", r)
                    if r.startswith("426"):  # then the reply to ABOR itself
                        out("<", ftp.getmultiline())
                    continue
                if how.startswith("close"):
                    out("# closing the data connection early")
                conn.close()
                try:
                    out("<", ftp.getmultiline())
                except ftplib.all_errors as e:
                    out("<", e)
            elif verb == "sleep":
                time.sleep(float(arg))
            else:
                out("unknown step", step)
                return 2
    except (OSError, EOFError, ftplib.Error) as e:
        # e.g. vsftpd ends the session with "500 OOPS: ..."
        out(f"# control connection lost: {e!r}")
        ftp.close()
        return 0
    try:
        out(">", "QUIT")
        out("<", ftp.quit())
    except ftplib.all_errors as e:
        out("<", e)
        ftp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
