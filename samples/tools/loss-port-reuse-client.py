#!/usr/bin/env python3
"""The port-reuse sample's client (make-loss-samples.sh): two anonymous ftplib sessions one after the
other whose control connections both come from 198.51.100.20:50021 (the socket is bound with
SO_REUSEADDR; ftplib's socket.create_connection is replaced for the control connection only, data
connections are passive, from ephemeral ports); LIST in the first, RETR readme.txt in the second.

    loss-port-reuse-client.py SERVER_ADDRESS
"""
import ftplib
import socket
import sys
import time

SRC = ('198.51.100.20', 50021)
plain = socket.create_connection
def bound(address, timeout=None, source_address=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(timeout)
    s.bind(SRC)
    s.connect(address)
    return s
for n, cmd in ((1, 'LIST'), (2, 'RETR readme.txt')):
    ftp = ftplib.FTP(timeout=30)
    ftp.set_debuglevel(1)
    socket.create_connection = bound
    try:
        print(ftp.connect(sys.argv[1], 21))
    finally:
        socket.create_connection = plain
    print('control connection', n, 'from', ftp.sock.getsockname())
    ftp.login()
    if cmd == 'LIST':
        ftp.retrlines(cmd, lambda line: None)
    else:
        ftp.retrbinary(cmd, lambda data: None)
    ftp.quit()
    time.sleep(2)
