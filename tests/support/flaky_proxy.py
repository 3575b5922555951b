"""A TCP proxy between a client and a real server that breaks connections on purpose.

Faults are armed in a queue and each new connection takes the next one (or none):
- `cut_upload(after_bytes)`: forward that many bytes towards the server, then drop both sides
  (an upload cut in the middle: the server sees a truncated body);
- `drop_response(after_upload_bytes)`: once that many bytes went to the server, swallow its
  answer and drop the connection (the server may have stored the request; the client can't know);
- `answer(status)`: read one request and answer it ourselves (e.g. 503), `Connection: close`.
`delay` slows every answer from the server by that many seconds. Counters say what happened.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass

CHUNK = 16_384
SERVICE_UNAVAILABLE = (
    b'<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
    b'<message nature="error">proxy: service unavailable</message></OpenRosaResponse>'
)


@dataclass(frozen=True)
class Fault:
    kind: str  # "cut_upload" | "drop_response" | "answer"
    amount: int  # bytes, or the status to answer with


class FlakyProxy:
    def __init__(self, target_port: int, *, delay: float = 0.0) -> None:
        self.target = ("127.0.0.1", target_port)
        self.delay = delay
        self.faults: deque[Fault] = deque()
        self.lock = threading.Lock()
        self.connections = 0
        self.fired: list[Fault] = []
        self.posts = 0  # POST request lines seen going upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._closing = threading.Event()
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut_upload(self, after_bytes: int, times: int = 1) -> None:
        self._arm(Fault("cut_upload", after_bytes), times)

    def drop_response(self, after_upload_bytes: int, times: int = 1) -> None:
        self._arm(Fault("drop_response", after_upload_bytes), times)

    def answer(self, status: int, times: int = 1) -> None:
        self._arm(Fault("answer", status), times)

    def _arm(self, fault: Fault, times: int) -> None:
        with self.lock:
            self.faults.extend([fault] * times)

    def pending_faults(self) -> int:
        with self.lock:
            return len(self.faults)

    def close(self) -> None:
        self._closing.set()
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                fault = self.faults.popleft() if self.faults else None
            threading.Thread(target=self._serve, args=(client, fault), daemon=True).start()

    def _serve(self, client: socket.socket, fault: Fault | None) -> None:
        # Without NODELAY, Nagle's algorithm meets delayed ACKs: +40 ms per request.
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with client:
            if fault is not None and fault.kind == "answer":
                self._answer_itself(client, fault)
                return
            try:
                upstream = socket.create_connection(self.target, timeout=30)
            except OSError:
                return  # server down: the client sees the connection closed
            upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with upstream:
                _Pipe(self, client, upstream, fault).run()

    def _answer_itself(self, client: socket.socket, fault: Fault) -> None:
        _read_request(client)
        self._fired(fault)
        head = (
            f"HTTP/1.1 {fault.amount} Proxy Fault\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(SERVICE_UNAVAILABLE)}\r\nConnection: close\r\n\r\n"
        )
        client.sendall(head.encode() + SERVICE_UNAVAILABLE)

    def _fired(self, fault: Fault) -> None:
        with self.lock:
            self.fired.append(fault)

    def _count_posts(self, data: bytes) -> None:
        found = len(re.findall(rb"(?:^|\r\n)POST /", data))
        if found:
            with self.lock:
                self.posts += found


def _read_request(client: socket.socket) -> None:
    """Read one request (head and Content-Length body) so the client is not cut off mid-send."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(CHUNK)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    remaining = int(match.group(1)) - len(body) if match else 0
    while remaining > 0:
        chunk = client.recv(min(CHUNK, remaining))
        if not chunk:
            return
        remaining -= len(chunk)


class _Pipe:
    """Both directions of one proxied connection, with at most one fault."""

    def __init__(
        self, proxy: FlakyProxy, client: socket.socket, upstream: socket.socket, fault: Fault | None
    ) -> None:
        self.proxy, self.client, self.upstream, self.fault = proxy, client, upstream, fault
        self.uploaded = 0
        self.broken = threading.Event()

    def run(self) -> None:
        down = threading.Thread(target=self._downstream, daemon=True)
        down.start()
        self._upstream()
        down.join(timeout=60)

    def _break(self) -> None:
        self.broken.set()
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):  # the other side may have gone already
                sock.shutdown(socket.SHUT_RDWR)

    def _upstream(self) -> None:
        while not self.broken.is_set():
            try:
                data = self.client.recv(CHUNK)
            except OSError:
                data = b""
            if not data:
                self._break()
                return
            self.proxy._count_posts(data)
            if self.fault and self.fault.kind == "cut_upload":
                allowed = self.fault.amount - self.uploaded
                if len(data) >= allowed:
                    self._send(self.upstream, data[: max(allowed, 0)])
                    self.proxy._fired(self.fault)
                    self._break()
                    return
            self.uploaded += len(data)
            if not self._send(self.upstream, data):
                return

    def _downstream(self) -> None:
        while not self.broken.is_set():
            try:
                data = self.upstream.recv(CHUNK)
            except OSError:
                data = b""
            if not data:
                self._break()
                return
            fault = self.fault
            if fault and fault.kind == "drop_response" and self.uploaded >= fault.amount:
                self.proxy._fired(fault)
                self._break()
                return
            if self.proxy.delay:
                time.sleep(self.proxy.delay)
            if not self._send(self.client, data):
                return

    def _send(self, sock: socket.socket, data: bytes) -> bool:
        try:
            sock.sendall(data)
        except OSError:
            self._break()
            return False
        return True
