"""Local stand-ins for what is outside the machine: a push service and the LINE Messaging API.

Both are real HTTP servers on 127.0.0.1 (threads); the push service decrypts what it receives with the
subscriber's private key (RFC 8291), so a test sees exactly what a browser would show."""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Browser:
    """A subscriber's keys, as a browser makes them."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64(self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                               serialization.PublicFormat.UncompressedPoint))

    @property
    def auth_b64(self) -> str:
        return b64(self.auth)

    def decrypt(self, body: bytes) -> dict:
        import http_ece

        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth,
                                           version="aes128gcm"))


class _Server:
    def __init__(self, handler_cls):
        self.requests: list[dict] = []
        self.responses: dict[str, tuple[int, dict]] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(handler_cls):
            owner = server

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Recording(BaseHTTPRequestHandler):
    owner: _Server

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with self.owner.lock:
            self.owner.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            status, headers = self.owner.responses.get(self.path, (self.default_status, {}))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


class _PushHandler(_Recording):
    default_status = 201


class _LineHandler(_Recording):
    default_status = 200


class FakePushService(_Server):
    def __init__(self):
        super().__init__(_PushHandler)

    def endpoint(self, name: str) -> str:
        return f"{self.base}/push/{name}"

    def received(self, name: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == f"/push/{name}"]


class FakeLine(_Server):
    TOKEN = "test-line-token"

    def __init__(self):
        super().__init__(_LineHandler)
