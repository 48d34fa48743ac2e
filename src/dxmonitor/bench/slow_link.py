"""A slow mobile link between the browser and the server, for the entry bench.

A TCP relay on a local port: every chunk waits half the round trip in its direction and the
bytes are paced to the link's rate, and the bytes each way are counted. Unlike the DevTools
protocol's throttling of one page, it slows and counts everything the browser sends and
receives, the service worker's requests too.
"""

import asyncio
import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

# Chrome DevTools' "Slow 3G" preset: 2 s round trip, 400 kbit/s down and up.
SLOW_3G = {"round_trip_ms": 2000, "down_bytes_per_s": 50_000, "up_bytes_per_s": 50_000}
CHUNK = 16 * 1024


@dataclass
class Counts:
    down: int = 0
    up: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *, down: int = 0, up: int = 0) -> None:
        with self.lock:
            self.down += down
            self.up += up

    def take(self) -> tuple[int, int]:
        with self.lock:
            found = (self.down, self.up)
            self.down = self.up = 0
            return found


class SlowLink:
    """`with SlowLink(target_port=…) as link:` the browser opens http://127.0.0.1:{link.port}/.
    `link.slow = False` lets bytes through at full speed (still counted)."""

    def __init__(self, *, target_port: int, host: str = "127.0.0.1", profile: dict = SLOW_3G) -> None:
        self.target = (host, target_port)
        self.host = host
        self.profile = profile
        self.slow = True
        self.counts = Counts()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((host, 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server = None

    def __enter__(self) -> "SlowLink":
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc) -> None:
        async def stop() -> None:
            self._server.close()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self):
        return await asyncio.start_server(self._connection, self.host, self.port)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pipe(reader, upstream_writer, "up"),
            self._pipe(upstream_reader, writer, "down"),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, way: str) -> None:
        """Bytes one way: a chunk leaves half a round trip after it arrived, once the link has
        carried the chunks before it at the link's rate."""
        rate = self.profile["down_bytes_per_s" if way == "down" else "up_bytes_per_s"]
        half = self.profile["round_trip_ms"] / 2000
        queue: asyncio.Queue = asyncio.Queue()

        async def receive() -> None:
            free_at = 0.0  # when the link has carried what is already on it
            try:
                while data := await reader.read(CHUNK):
                    self.counts.add(**{way: len(data)})
                    now = time.monotonic()
                    if self.slow:
                        free_at = max(free_at, now) + len(data) / rate
                        queue.put_nowait((free_at + half, data))
                    else:
                        queue.put_nowait((now, data))
            except (ConnectionError, OSError):
                pass
            queue.put_nowait((0.0, b""))

        receiving = asyncio.ensure_future(receive())
        try:
            while True:
                leaves, data = await queue.get()
                if not data:
                    break
                await asyncio.sleep(max(0.0, leaves - time.monotonic()))
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            receiving.cancel()
            with contextlib.suppress(ConnectionError, OSError):
                writer.close()
