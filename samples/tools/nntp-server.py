#!/usr/bin/env python3
"""A small scripted NNTP server (RFC 3977) for the ftpcap not-FTP samples.

    nntp-server.py ADDR:PORT [ADDR:PORT ...]

Greets with 200, answers CAPABILITIES, MODE READER, LIST, GROUP, ARTICLE, HEAD, STAT and QUIT for
one group (misc.test, three articles); anything else gets 500. One thread per connection.
"""
import socket
import socketserver
import sys
import threading

ARTICLES = {
    n: (
        f"Path: news.example!not-for-mail\r\nFrom: alice@example.org\r\nNewsgroups: misc.test\r\n"
        f"Subject: test {n}\r\nMessage-ID: <{n}@news.example>\r\nDate: Wed, 02 Dec 2026 10:00:0{n} GMT\r\n\r\n"
        f"Article {n} of misc.test.\r\n"
    )
    for n in (1, 2, 3)
}


class Handler(socketserver.StreamRequestHandler):
    def send(self, text: str) -> None:
        self.wfile.write(text.encode("ascii"))
        self.wfile.flush()

    def handle(self) -> None:
        self.send("200 news.example InterNetNews-like server ready (posting ok)\r\n")
        current = None
        for raw in self.rfile:
            line = raw.decode("latin1").rstrip("\r\n")
            word, _, arg = line.partition(" ")
            verb = word.upper()
            if verb == "CAPABILITIES":
                self.send("101 Capability list:\r\nVERSION 2\r\nREADER\r\nLIST ACTIVE NEWSGROUPS\r\n.\r\n")
            elif verb == "MODE":
                self.send("200 Posting allowed\r\n")
            elif verb == "LIST":
                self.send("215 list of newsgroups follows\r\nmisc.test 0000000003 0000000001 y\r\nalt.test 0000000000 0000000001 y\r\n.\r\n")
            elif verb == "GROUP":
                current = arg
                self.send(f"211 3 1 3 {arg}\r\n")
            elif verb in ("ARTICLE", "HEAD", "BODY", "STAT"):
                n = int(arg) if arg.isdigit() else 1
                if current is None or n not in ARTICLES:
                    self.send("423 No article with that number\r\n")
                elif verb == "STAT":
                    self.send(f"223 {n} <{n}@news.example>\r\n")
                else:
                    head, _, body = ARTICLES[n].partition("\r\n\r\n")
                    text = {"ARTICLE": ARTICLES[n], "HEAD": head + "\r\n", "BODY": body}[verb]
                    self.send(f"{ {'ARTICLE': 220, 'HEAD': 221, 'BODY': 222}[verb] } {n} <{n}@news.example>\r\n{text}.\r\n")
            elif verb == "QUIT":
                self.send("205 closing connection\r\n")
                return
            else:
                self.send("500 Unknown command\r\n")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main() -> int:
    servers = []
    for spec in sys.argv[1:]:
        addr, _, port = spec.rpartition(":")
        server = Server((addr, int(port)), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("listening", flush=True)
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
