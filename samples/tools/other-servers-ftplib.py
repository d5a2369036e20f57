#!/usr/bin/env python3
"""Drive one FTP session with Python's standard ftplib against ProFTPD or
Pure-FTPd, for the ftpcap samples made by make-other-server-samples.sh.

    other-servers-ftplib.py HOST [--port N] ACTION...

Like ftplib-client.py, but the control port can be chosen, the login is an
action (so a failed login can be followed by a good one in the same
session), and raw commands can be sent to see how a server answers them.
Actions run in order inside ONE control session:
    login:USER:PASS   USER + PASS; a 4xx/5xx reply is printed, the session goes on
    raw:COMMAND       send COMMAND as is (ftplib sendcmd), print the reply;
                      a 4xx/5xx reply is printed, the session goes on
    active            set_pasv(False): PORT on IPv4, EPRT on IPv6
    passive           set_pasv(True):  PASV on IPv4, EPSV on IPv6 (ftplib's default)
    list[:PATH]       LIST (retrlines)
    retr:REMOTE       RETR into a local temporary file, discarded
    stor:LOCAL:REMOTE STOR a local file
Every reply from the server is printed to stderr (debug level 1). The exit
status is 0 when every transfer (list, retr, stor) succeeded.
"""
import argparse
import ftplib
import sys
import tempfile


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("--port", type=int, default=21)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("actions", nargs="+")
    a = ap.parse_args()

    ftp = ftplib.FTP(timeout=a.timeout)
    ftp.set_debuglevel(1)
    print(ftp.connect(a.host, a.port), file=sys.stderr)
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
        elif verb == "retr":
            with tempfile.TemporaryFile() as out:
                ftp.retrbinary("RETR " + arg, out.write, blocksize=8192)
        elif verb == "stor":
            local, _, remote = arg.partition(":")
            with open(local, "rb") as f:
                ftp.storbinary("STOR " + remote, f, blocksize=8192)
        else:
            print("unknown action " + act, file=sys.stderr)
            return 2
    ftp.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
