"""Django's WSGI application behind an ASGI server, with the whole request read first.

Django's views are synchronous and run on a bounded pool of threads. A WSGI server hands a
connection to such a thread as soon as its headers arrive, and the thread then waits for the
body: 100 clients sending one byte a second hold 100 threads and nobody else is served. Here
the body is read on the event loop (granian's worker processes run it), where a waiting client
costs a few kilobytes and no thread, under two limits:

- time: a body must arrive within `body_timeout` seconds plus one second per `min_rate` bytes
  received (a slow but honest upload of 20 MB at 64 KB/s is fine; a trickle is cut off with
  408 Request Timeout). Headers have granian's own timeout (`--http1-header-read-timeout`).
- size: beyond `max_body` bytes the answer is 413 before a thread sees anything.

Only then does a thread run Django, the body spooled (in memory up to 1 MB, then a temporary
file). The answer is streamed back chunk by chunk, each sent before the next is made, so a
download of any size keeps memory flat.
"""

import asyncio
import io
import logging
import sys
import tempfile
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

logger = logging.getLogger(__name__)

SPOOL_IN_MEMORY = 1024 * 1024


class BufferedWSGI:
    def __init__(
        self,
        app: Callable,
        *,
        threads: int = 8,
        max_body: int = 256 * 1024 * 1024,
        body_timeout: float = 20.0,
        min_rate: float = 1024.0,
    ) -> None:
        self.app = app
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dxm-web")
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.min_rate = min_rate

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here
        body = await self._read_body(scope, receive, send)
        if body is None:
            return
        await self._respond(scope, body, send)

    async def _lifespan(self, receive: Callable, send: Callable) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.executor.shutdown(wait=False, cancel_futures=True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- the request ---------------------------------------------------------------------------

    async def _read_body(self, scope: dict, receive: Callable, send: Callable) -> tuple[Any, int] | None:
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _plain(send, 413, f"request body over {self.max_body} bytes")
            return None
        loop = asyncio.get_running_loop()
        started = loop.time()
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (handed to the thread)
        received = 0
        try:
            while True:
                remaining = started + self.body_timeout + received / self.min_rate - loop.time()
                try:
                    if remaining <= 0:
                        raise TimeoutError
                    message = await asyncio.wait_for(receive(), remaining)
                except TimeoutError:
                    logger.info("request body too slow from %s: %d bytes", scope.get("client"), received)
                    await _plain(send, 408, "request body too slow", close=True)
                    spool.close()
                    return None
                if message["type"] == "http.disconnect":
                    spool.close()
                    return None
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > self.max_body:
                    await _plain(send, 413, f"request body over {self.max_body} bytes", close=True)
                    spool.close()
                    return None
                if chunk:
                    spool.write(chunk)
                if not message.get("more_body", False):
                    break
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool, received

    async def _respond(self, scope: dict, body: tuple[Any, int], send: Callable) -> None:
        loop = asyncio.get_running_loop()
        stream, length = body
        environ = build_environ(scope, stream, length)
        started: dict[str, Any] = {}

        async def deliver(message: dict) -> None:
            await send(message)

        def push(message: dict) -> None:
            # From Django's thread; the server's send runs on its own loop.
            asyncio.run_coroutine_threadsafe(deliver(message), loop).result()

        def start() -> None:
            if "sent" in started:
                return
            started["sent"] = True
            push({"type": "http.response.start", "status": started["status"], "headers": started["headers"]})

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            if exc_info is not None and "sent" in started:
                raise exc_info[1].with_traceback(exc_info[2])
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]

            def write(data: bytes) -> None:
                start()
                push({"type": "http.response.body", "body": bytes(data), "more_body": True})

            return write

        def run() -> None:
            result: Iterable[bytes] | None = None
            try:
                result = self.app(environ, start_response)
                for chunk in result:
                    if chunk:
                        start()
                        push({"type": "http.response.body", "body": bytes(chunk), "more_body": True})
                if "status" not in started:
                    raise RuntimeError("the application did not start a response")
                start()
                push({"type": "http.response.body", "body": b"", "more_body": False})
            finally:
                if result is not None and hasattr(result, "close"):
                    result.close()
                stream.close()

        try:
            await loop.run_in_executor(self.executor, run)
        except Exception:
            logger.exception("request %s %s failed", scope.get("method"), scope.get("path"))
            if "sent" not in started:
                await _plain(send, 500, "internal server error")


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _plain(send: Callable, status: int, text: str, *, close: bool = False) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": (text + "\n").encode(), "more_body": False})


def build_environ(scope: dict, stream: io.IOBase, length: int) -> dict[str, Any]:
    """The WSGI environ of an ASGI request whose body was read whole (PEP 3333)."""
    root = scope.get("root_path", "")
    raw = scope.get("raw_path")
    if raw:
        path = urllib.parse.unquote_to_bytes(raw.split(b"?", 1)[0]).decode("latin-1")
    else:
        path = scope["path"].encode("utf-8").decode("latin-1")
    script = root.encode("utf-8").decode("latin-1")
    if script and path.startswith(script):
        path = path[len(script) :]
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script,
        "PATH_INFO": path,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]) if server[1] is not None else "80",
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(length),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": stream,
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for key, value in scope.get("headers", ()):
        name = key.decode("latin-1").upper().replace("-", "_")
        text = value.decode("latin-1")
        if name == "CONTENT_LENGTH":
            continue
        if name == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = text
            continue
        name = f"HTTP_{name}"
        if name in environ:
            # HTTP/2 sends each cookie as its own header; elsewhere repeats are a list.
            text = f"{environ[name]}{'; ' if name == 'HTTP_COOKIE' else ','}{text}"
        environ[name] = text
    return environ
