#!/usr/bin/env python3
"""Drive one FTP session with Python's standard ftplib, for the ftpcap samples.

    ftplib-client.py HOST [--port N] [--user U --password P] ACTION...

Actions run in order inside ONE control session (which logs in with --user and
--password first, unless a login action is given):
    login:USER:PASS   USER + PASS; a 4xx/5xx reply is printed, the session goes on
                      (so a failed login can be followed by a good one)
    raw:COMMAND       send COMMAND as is (ftplib sendcmd), print the reply;
                      a 4xx/5xx reply is printed, the session goes on
    active            set_pasv(False): PORT on IPv4, EPRT on IPv6
    passive           set_pasv(True):  PASV on IPv4, EPSV on IPv6 (ftplib's default)
    list[:PATH]       LIST (retrlines)
    nlst[:PATH]       NLST
    retr:REMOTE       RETR into a local temporary file, discarded
    stor:LOCAL:REMOTE STOR a local file
    sleep:SECONDS     pause (keeps the session open)

--block-delay S sleeps S seconds after every 8 KiB block of RETR/STOR, to
stretch a transfer in time (used for the overlapping sessions of vsftpd-mixed).
Every reply from the server is printed (debug level 1). The exit status is 0
when every transfer (list, nlst, retr, stor) succeeded. Used by the core,
other-server and files families.
"""
import argparse
import ftplib
import sys
import tempfile
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("--port", type=int, default=21)
    ap.add_argument("--user", default="anonymous")
    ap.add_argument("--password", default="")
    ap.add_argument("--block-delay", type=float, default=0.0)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("actions", nargs="+")
    a = ap.parse_args()

    def pace(_data: bytes) -> None:
        if a.block_delay:
            time.sleep(a.block_delay)

    ftp = ftplib.FTP(timeout=a.timeout)
    ftp.set_debuglevel(1)
    print(ftp.connect(a.host, a.port), file=sys.stderr)
    if not any(act.startswith("login:") for act in a.actions):
        ftp.login(a.user, a.password)
    for act in a.actions:
        verb, _, arg = act.partition(":")
        if verb == "login":
            user, _, password = arg.partition(":")
            try:
                print(ftp.login(user, password), file=sys.stderr)
            except ftplib.error_perm as e:
                print(f"login refused (expected for a wrong password): {e}", file=sys.stderr)
        elif verb == "raw":
            try:
                print(ftp.sendcmd(arg), file=sys.stderr)
            except (ftplib.error_perm, ftplib.error_temp) as e:
                print(f"refused: {e}", file=sys.stderr)
        elif verb == "active":
            ftp.set_pasv(False)
        elif verb == "passive":
            ftp.set_pasv(True)
        elif verb == "list":
            ftp.retrlines("LIST " + arg if arg else "LIST", lambda line: None)
        elif verb == "nlst":
            ftp.nlst(*([arg] if arg else []))
        elif verb == "retr":
            with tempfile.TemporaryFile() as out:
                def sink(data: bytes) -> None:
                    out.write(data)
                    pace(data)
                ftp.retrbinary("RETR " + arg, sink, blocksize=8192)
        elif verb == "stor":
            local, _, remote = arg.partition(":")
            with open(local, "rb") as f:
                ftp.storbinary("STOR " + remote, f, blocksize=8192, callback=pace)
        elif verb == "sleep":
            time.sleep(float(arg))
        else:
            print("unknown action " + act, file=sys.stderr)
            return 2
    ftp.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
