"""A TCP proxy in front of PostgreSQL that counts what clients send (the frontend protocol).

For counting round trips of a code path without touching its code: point its Database at
``proxy.url(dbname)`` and read ``proxy.counts()``. After the start-up packet, every frontend
message is a type byte and a length; the proxy forwards the bytes as they come and parses a
copy. A client waits for the server once per Sync (extended protocol: Parse/Bind/Execute...
then Sync; a pipeline sends several statements before one Sync) and once per simple Query
(``Q``: psycopg sends BEGIN, SAVEPOINT, RELEASE and COMMIT that way), so the round trips are
``S + Q`` and the statements ``E + Q``. The simple queries' texts are kept by first word.
The proxied URL turns SSL and GSS encryption off, so the stream stays readable.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections import Counter

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102


class WireCounter:
    """Listens on 127.0.0.1 (a free port) and forwards each client to ``host:port``."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._lock = threading.Lock()
        self._types: Counter[str] = Counter()
        self._simple: Counter[str] = Counter()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.listen_port: int = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="wire-count").start()

    def url(self, dbname: str, user: str = "postgres") -> str:
        """A URL through the proxy (no SSL, no GSS encryption)."""
        return (
            f"postgresql://{user}@127.0.0.1:{self.listen_port}/{dbname}"
            "?sslmode=disable&gssencmode=disable"
        )

    def reset(self) -> None:
        """Forget what was counted so far."""
        with self._lock:
            self._types.clear()
            self._simple.clear()

    def counts(self) -> tuple[Counter[str], Counter[str]]:
        """Messages by type byte, and simple queries by their first word, since the reset."""
        with self._lock:
            return Counter(self._types), Counter(self._simple)

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection((self.host, self.port))
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._upstream, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _upstream(self, client: socket.socket, server: socket.socket) -> None:
        """Client to server: forward, and count every complete message."""
        buffer = bytearray()
        started = False
        try:
            while chunk := client.recv(65536):
                server.sendall(chunk)
                buffer += chunk
                started = self._parse(buffer, started)
        except OSError:
            pass
        finally:
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _parse(self, buffer: bytearray, started: bool) -> bool:
        """Consume the complete messages at the head of ``buffer``; whether start-up is over."""
        while True:
            if not started:  # untyped packets: length, then a code or the protocol version
                if len(buffer) < 8:
                    return started
                (length,) = struct.unpack("!i", buffer[:4])
                if len(buffer) < length:
                    return started
                (code,) = struct.unpack("!i", buffer[4:8])
                del buffer[:length]
                started = code not in (SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST)
                continue
            if len(buffer) < 5:
                return started
            kind = chr(buffer[0])
            (length,) = struct.unpack("!i", buffer[1:5])
            if len(buffer) < 1 + length:
                return started
            body = bytes(buffer[5 : 1 + length])
            del buffer[: 1 + length]
            with self._lock:
                self._types[kind] += 1
                if kind == "Q":
                    text = body.rstrip(b"\0").decode(errors="replace").split()
                    self._simple[(text[0] if text else "").upper()] += 1
