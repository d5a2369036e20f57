#!/usr/bin/env python3
"""transfer-client.py — Python ftplib clients that make a transfer go badly on purpose, for the
transfer samples (samples/tools/make-transfer-samples.sh). Each prints ftplib's debug dialogue.

  transfer-client.py zero-window HOST FILE      passive RETR with a small receive buffer; stops
                                                reading for PAUSE seconds after the first READ bytes
  transfer-client.py abort HOST FILE            passive RETR; after READ bytes closes the data
                                                connection and sends ABOR (ftplib's abort():
                                                Telnet IP and Synch, then ABOR)
  transfer-client.py retr HOST FILE             passive RETR, every byte read as it comes; the
                                                control and data sockets time out after TIMEOUT s
  transfer-client.py pause-upload HOST NAME     passive STOR of SIZE seeded bytes as NAME; the
                                                client stops sending for PAUSE seconds after READ bytes

Environment: READ (bytes, default 65536), PAUSE (seconds, default 8), RCVBUF (bytes, default 4096),
SIZE (bytes, default 262144), TIMEOUT (seconds, default 60). Anonymous login.
"""
import ftplib
import os
import random
import socket
import sys
import time

READ = int(os.environ.get("READ", "65536"))
PAUSE = float(os.environ.get("PAUSE", "8"))
RCVBUF = int(os.environ.get("RCVBUF", "4096"))
SIZE = int(os.environ.get("SIZE", "262144"))
TIMEOUT = float(os.environ.get("TIMEOUT", "60"))


def connect(host: str) -> ftplib.FTP:
    ftp = ftplib.FTP(timeout=TIMEOUT)
    ftp.set_debuglevel(1)
    print(ftp.connect(host, 21))
    print(ftp.login())
    print(ftp.voidcmd("TYPE I"))
    return ftp


def small_receive_buffer() -> None:
    """Data connections (ftplib dials them with socket.create_connection) get a small SO_RCVBUF,
    set before connect so the window the client offers stays small."""
    def create(address, timeout=None, source_address=None):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        if timeout is not None:
            s.settimeout(timeout)
        s.connect(address)
        return s

    ftplib.socket.create_connection = create  # type: ignore[attr-defined]


def zero_window(host: str, name: str) -> None:
    ftp = connect(host)
    small_receive_buffer()
    conn = ftp.transfercmd(f"RETR {name}")
    got = 0
    paused = False
    while True:
        if not paused and got >= READ:
            print(f"read {got} bytes; not reading for {PAUSE} s", flush=True)
            time.sleep(PAUSE)
            paused = True
        chunk = conn.recv(1024)
        if not chunk:
            break
        got += len(chunk)
    conn.close()
    print(ftp.voidresp())
    print(f"received {got} bytes")
    print(ftp.quit())


def retr(host: str, name: str) -> None:
    ftp = connect(host)
    got = 0

    def count(chunk: bytes) -> None:
        nonlocal got
        got += len(chunk)

    try:
        print(ftp.retrbinary(f"RETR {name}", count))
    except (TimeoutError, socket.timeout) as error:
        print(f"received {got} bytes; no final reply: {error!r}; closing the connection")
        ftp.close()
        sys.exit(1)
    print(f"received {got} bytes")
    print(ftp.quit())


def abort(host: str, name: str) -> None:
    """Reads READ bytes, closes the data connection with bytes still unread (the kernel answers the
    server's next segments with RST), then sends ABOR the way ftplib's abort() does."""
    ftp = connect(host)
    conn = ftp.transfercmd(f"RETR {name}")
    got = 0
    while got < READ:
        chunk = conn.recv(8192)
        if not chunk:
            break
        got += len(chunk)
    print(f"read {got} bytes; closing the data connection and aborting", flush=True)
    conn.close()
    try:
        print(ftp.abort())
    except ftplib.Error as error:
        print(f"abort: {error}")
    try:
        print(ftp.quit())
    except ftplib.Error as error:
        print(f"quit: {error}")


class PausingReader:
    """SIZE seeded bytes that stop coming for PAUSE seconds after READ of them were read."""

    def __init__(self) -> None:
        self.data = random.Random(4151).randbytes(SIZE)
        self.at = 0
        self.paused = False

    def read(self, n: int) -> bytes:
        if not self.paused and self.at >= READ:
            print(f"sent {self.at} bytes; pausing {PAUSE} s", flush=True)
            time.sleep(PAUSE)
            self.paused = True
        chunk = self.data[self.at : self.at + min(n, 8192)]
        self.at += len(chunk)
        return chunk


def pause_upload(host: str, name: str) -> None:
    ftp = connect(host)
    print(ftp.storbinary(f"STOR {name}", PausingReader(), blocksize=8192))
    print(ftp.quit())


def main() -> None:
    modes = {"zero-window": zero_window, "retr": retr, "abort": abort, "pause-upload": pause_upload}
    if len(sys.argv) != 4 or sys.argv[1] not in modes:
        sys.exit(__doc__)
    mode, host, name = sys.argv[1:]
    modes[mode](host, name)


if __name__ == "__main__":
    main()
