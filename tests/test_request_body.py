"""A request body Django answers without reading is read all the same
(``yantai.middleware.DrainRequestBodyMiddleware``), so that gunicorn closes the
connection cleanly and the client — nginx, in production — gets Django's answer.

Through a real gunicorn started as ``./run`` starts it: its sync worker closes the
socket after each answer, and closing with unread data makes the kernel reset the
connection, so that a client still sending (nginx passing on a buffered upload) gets
the reset instead of the answer and nginx answers 502 (tests/test_nginx.py checks the
same through nginx).
"""

from __future__ import annotations

import socket

from tests.test_two_servers import (  # noqa: F401
    ROOT,
    Server,
    env,
    free_port,
    gunicorn_command,
)

# Larger than the sockets' buffers: the sender is still sending when Django answers.
BODY_BYTES = 21 * 1024 * 1024


def post_whole(port: int, path: str, length: int) -> bytes:
    """A POST of ``length`` bytes sent whole to ``port``, then the answer read to
    the connection's end; or the error that stopped it, as text."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    chunk = b"x" * 65536
    answer = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(head.encode())
            for start in range(0, length, len(chunk)):
                sock.sendall(chunk[: length - start])
            while data := sock.recv(65536):
                answer += data
    except OSError as error:
        return f"{type(error).__name__}: {error}".encode()
    return answer


def status_and_body(answer: bytes) -> tuple[bytes, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0], body


def test_an_answer_given_before_the_body_is_read_reaches_the_sender(env):  # noqa: F811
    app = Server(gunicorn_command((ROOT / "run").read_text()), free_port(), env)
    try:
        # Refused by the CSRF check (anonymous, no cookie) before the form is read.
        status, body = status_and_body(
            post_whole(app.port, "/admin/quality/observation/bulk-import/", BODY_BYTES)
        )
        assert status == b"HTTP/1.1 403 Forbidden", status or body[:200]
        assert b"CSRF" in body, body[:200]
        # A path that names nothing: the 404 page, body unread by any view.
        status, body = status_and_body(
            post_whole(app.port, "/no-such-page/", BODY_BYTES)
        )
        assert status == b"HTTP/1.1 404 Not Found", status or body[:200]
        assert body.rstrip().endswith(b"</html>"), body[-200:]
    finally:
        app.stop()
