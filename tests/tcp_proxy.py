"""A TCP forwarder on loopback that a test can cut, to put a real server out of reach.

``Proxy(host, port)`` listens on a free port of 127.0.0.1 and forwards every
connection to ``host:port``. ``cut("refuse")`` closes the connections it carries and
closes each new one at once (the server has gone away); ``cut("silent")`` leaves new
connections open and unanswered (a server cut off by the network: the client waits
for its socket timeout); ``restore()`` forwards again. The server behind keeps its
data, as through a network partition. ``accepted`` counts the connections made to it.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Proxy:
    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode = "forward"
        self.accepted = 0
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                self.accepted += 1
                mode = self.mode
                if mode == "refuse":
                    client.close()
                    continue
                self._open.append(client)
            if mode == "forward":
                upstream = socket.create_connection(self.target)
                with self._lock:
                    self._open.append(upstream)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(
                        target=self._pump, args=(a, b), daemon=True
                    ).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def _drop_connections(self) -> None:
        with self._lock:
            connections, self._open = self._open, []
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def cut(self, mode: str = "refuse") -> None:
        assert mode in ("refuse", "silent")
        with self._lock:
            self.mode = mode
        self._drop_connections()

    def restore(self) -> None:
        with self._lock:
            self.mode = "forward"

    def close(self) -> None:
        self.listener.close()
        self._drop_connections()
