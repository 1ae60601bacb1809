"""A real local HTTP server that plays an OpenAI-compatible completions endpoint."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def completions_server(answer: str | None = None, status: int = 200, chunk: int = 5, answer_for=None):
    """Yields (base_url, requests). Streams ``answer`` (or ``answer_for(body)``) as SSE events."""
    requests: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
            if status != 200:
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b'{"error": "model not loaded"}')
                return
            text = answer_for(body) if answer_for else answer
            if not body.get("stream"):
                payload = {"choices": [{"text": text, "message": {"content": text}}]}
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            for stop in body.get("stop") or []:
                text = text.split(stop)[0]
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for i in range(0, len(text), chunk):
                event = {"choices": [{"text": text[i : i + chunk], "index": 0}]}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1", requests
    finally:
        server.shutdown()
        server.server_close()
