"""The entry bench's slow link: it carries the bytes both ways, counts them, and holds them back."""

import http.server
import threading
import time
import urllib.request

from dxmonitor.bench.slow_link import SlowLink

BODY = b"x" * 30_000


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args) -> None:
        pass


def test_the_link_counts_and_slows_what_it_carries():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    profile = {"round_trip_ms": 400, "down_bytes_per_s": 100_000, "up_bytes_per_s": 100_000}
    try:
        with SlowLink(target_port=server.server_address[1], profile=profile) as link:
            started = time.monotonic()
            with urllib.request.urlopen(f"http://127.0.0.1:{link.port}/", timeout=30) as answer:
                assert answer.read() == BODY
            elapsed = time.monotonic() - started
            down, up = link.counts.take()
    finally:
        server.shutdown()
    assert down > len(BODY) and 0 < up < 1000
    # At least a round trip and the body at the link's rate: a lower bound, whatever the machine.
    assert elapsed >= 0.4 + len(BODY) / 100_000
