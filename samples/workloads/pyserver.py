#!/usr/bin/env python3
"""A small web service and its test: an HTTP server on loopback in a thread,
several client threads, JSON handling and a temporary file. Usage:
pyserver.py [PORT]"""
import http.server
import json
import os
import sys
import tempfile
import threading
import urllib.request

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 40180


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path, "pid": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    results = []

    def client(i):
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/item/{i}", timeout=10) as r:
            results.append(json.loads(r.read())["path"])

    clients = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    with tempfile.NamedTemporaryFile("w", delete=True) as f:
        json.dump(sorted(results), f)
        f.flush()
        size = os.path.getsize(f.name)
    srv.shutdown()
    srv.server_close()
    print(f"pyserver: {len(results)} requests, {size} bytes of results")
    return 0 if len(results) == 4 else 1


if __name__ == "__main__":
    sys.exit(main())
