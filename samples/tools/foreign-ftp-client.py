#!/usr/bin/env python3
"""Raw FTP command sequences with Python's ftplib, for the ftpcap samples of
make-foreign-samples.sh.

    foreign-ftp-client.py HOST SCENARIO

Scenarios (anonymous login; every reply is printed):
    refused-then-list   PORT -> 200, RETR / -> 550 (no 1xx, no connection),
                        then LIST over the same PORT -> 150, 226
    refused-pasv        PASV -> 227, RETR / -> 550, then LIST -> 150, 226
                        (the client connects after sending each transfer command)
    nlst-port           PORT -> 200, NLST -> 150 ... 226 (the data connection's
                        handshake is later cut out of the capture)
"""
import ftplib
import socket
import sys


def port_listener(ftp: ftplib.FTP) -> socket.socket:
    sock = socket.create_server((ftp.sock.getsockname()[0], 0), backlog=1)
    host, port = sock.getsockname()[:2]
    print(ftp.sendport(host, port))
    return sock


def read_all(conn: socket.socket) -> int:
    n = 0
    while chunk := conn.recv(65536):
        n += len(chunk)
    conn.close()
    return n


def main() -> int:
    host, scenario = sys.argv[1], sys.argv[2]
    ftp = ftplib.FTP(host, timeout=10)
    print(ftp.getwelcome())
    print(ftp.login())
    print(ftp.sendcmd("TYPE A"))
    if scenario == "refused-then-list":
        listener = port_listener(ftp)
        try:
            ftp.sendcmd("RETR /")
        except ftplib.error_perm as e:
            print(e)
        print(ftp.sendcmd("LIST"))
        conn, _ = listener.accept()
        print(read_all(conn), "bytes")
        print(ftp.voidresp())
    elif scenario == "refused-pasv":
        reply = ftp.sendcmd("PASV")
        print(reply)
        address = ftplib.parse227(reply)
        try:
            ftp.sendcmd("RETR /")
        except ftplib.error_perm as e:
            print(e)
        conn = socket.create_connection(address, timeout=10)
        print(ftp.sendcmd("LIST"))
        print(read_all(conn), "bytes")
        print(ftp.voidresp())
    elif scenario == "nlst-port":
        listener = port_listener(ftp)
        print(ftp.sendcmd("NLST"))
        conn, _ = listener.accept()
        print(read_all(conn), "bytes")
        print(ftp.voidresp())
    print(ftp.quit())
    return 0


if __name__ == "__main__":
    sys.exit(main())
