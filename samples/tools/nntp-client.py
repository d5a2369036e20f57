#!/usr/bin/env python3
"""One NNTP reader session with Python's nntplib (the client of the not-FTP samples).

    nntp-client.py HOST PORT

CAPABILITIES, MODE READER, LIST, GROUP misc.test, ARTICLE 1, HEAD 2, QUIT.
"""
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import nntplib  # noqa: E402  (deprecated since 3.11, still in Debian 12's Python)


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    with nntplib.NNTP(host, port, readermode=True, timeout=10) as news:
        print(news.getwelcome())
        news.list()
        _, count, first, last, name = news.group("misc.test")
        print(name, count, first, last)
        print(len(news.article(1)[1].lines), "lines in article 1")
        news.head(2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
