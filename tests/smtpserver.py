"""A minimal real SMTP server on loopback that records what it receives."""

from __future__ import annotations

import socketserver
import threading
from contextlib import contextmanager


@contextmanager
def smtp_server():
    received: list[dict] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            def say(line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            say("220 localhost ESMTP test")
            mail = {"rcpt": []}
            while True:
                line = self.rfile.readline().decode().strip()
                verb = line[:4].upper()
                if not line or verb == "QUIT":
                    say("221 bye")
                    return
                if verb in ("EHLO", "HELO"):
                    say("250 localhost")
                elif verb == "MAIL":
                    mail["from"] = line
                    say("250 ok")
                elif verb == "RCPT":
                    mail["rcpt"].append(line)
                    say("250 ok")
                elif verb == "DATA":
                    say("354 end with .")
                    data = []
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data.append(chunk)
                    mail["data"] = b"".join(data)
                    received.append(mail)
                    mail = {"rcpt": []}
                    say("250 queued")
                else:
                    say("250 ok")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()
