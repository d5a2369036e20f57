#!/usr/bin/env python3
"""The Python ftplib client of samples/hostile-names (make-hostile-samples.sh): a USER that is
markup (refused with 530), then anonymous PASV NLST, and an EPRT STOR whose file name is a script
tag, sent by hand because ftplib sends EPRT for IPv6 only.

    hostile-ftplib-client.py SERVER_ADDRESS
"""
import ftplib, io, sys
host = sys.argv[1]
ftp = ftplib.FTP()
ftp.connect(host, 21, timeout=10)
try:
    ftp.login('<img src=x onerror=alert(4)>', '<b>pw</b>')
except ftplib.error_perm as e:
    print('login refused:', e)
ftp.close()
ftp = ftplib.FTP()
ftp.connect(host, 21, timeout=10)
ftp.login()
ftp.set_pasv(True)
print(ftp.nlst())
ftp.set_pasv(False)
ftp.af = 2  # ftplib sends EPRT for IPv6 only; ask for it explicitly below
ftp.cwd('incoming')
conn_host, conn_port = ftp.sock.getsockname()[0], 0
import socket
listener = socket.create_server((conn_host, 0))
port = listener.getsockname()[1]
print(ftp.sendcmd(f'EPRT |1|{conn_host}|{port}|'))
ftp.putcmd('STOR <script>alert(5)<\\script>.bin')
data, _ = listener.accept()
print(ftp.getresp())
data.sendall(b'x' * 4096)
data.close()
print(ftp.getresp())
ftp.quit()
