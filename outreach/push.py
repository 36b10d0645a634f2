"""Web push: endpoint validation, VAPID settings and the HTTP session that talks to push services.

A subscription's endpoint is a URL a browser handed us, i.e. attacker-controlled input that makes this
server send POST requests. So: https only, a host name or a public address, never a loopback, private,
link-local, shared, reserved or cloud-metadata address, no redirects followed, no proxies from the
environment, and the address is checked again on every connection (the socket's peer), so a DNS answer
that changes after validation (rebinding) cannot reach the inside either.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from outreach import conf

MAX_ENDPOINT_LENGTH = 1000
METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"}


class BlockedAddress(ValueError):
    """The push endpoint resolved to an address this server must not call."""


def insecure_test_hosts() -> set[str]:
    """``host:port`` pairs allowed over plain http on any address: only for local fake push services in
    tests and benchmarks (OUTREACH_PUSH_TEST_HOSTS); empty in every real deployment."""
    return conf.push_test_hosts()


def is_public_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address) and ip.sixtofour is not None:
        ip = ip.sixtofour
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified or not ip.is_global
        or ip in ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return sorted({info[4][0] for info in infos})


def validate_endpoint(url: str, *, resolve: bool = True) -> str:
    """Return the endpoint if a push may be sent to it, else raise a translated ValidationError."""
    if not isinstance(url, str) or not url or len(url) > MAX_ENDPOINT_LENGTH:
        raise ValidationError(_("This push subscription is not valid."), code="endpoint")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(_("This push subscription is not valid."), code="endpoint") from None
    host = (parts.hostname or "").lower().rstrip(".")
    netloc_key = f"{host}:{port or (443 if parts.scheme == 'https' else 80)}"
    test_host = netloc_key in insecure_test_hosts()
    if parts.scheme != "https" and not (test_host and parts.scheme == "http"):
        raise ValidationError(_("Push endpoints must use https."), code="endpoint_scheme")
    if not host or parts.username or parts.password or any(c in url for c in "\r\n\t \\"):
        raise ValidationError(_("This push subscription is not valid."), code="endpoint")
    if test_host:
        return url
    if host in METADATA_HOSTS or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise ValidationError(_("Push endpoints must be on a public host."), code="endpoint_host")
    try:
        ipaddress.ip_address(host.strip("[]"))
        literal = True
    except ValueError:
        literal = False
    if literal:
        if not is_public_address(host.strip("[]")):
            raise ValidationError(_("Push endpoints must be on a public host."), code="endpoint_host")
        return url
    if "." not in host:
        raise ValidationError(_("Push endpoints must be on a public host."), code="endpoint_host")
    if resolve:
        addresses = _resolve(host, port or 443)
        if not addresses:
            raise ValidationError(_("The push service's host could not be found."), code="endpoint_dns")
        if not all(is_public_address(a) for a in addresses):
            raise ValidationError(_("Push endpoints must be on a public host."), code="endpoint_host")
    return url


# --- a requests session that cannot be pointed inside ------------------------------------------------


def _check_peer(conn, sock) -> None:
    host = (conn.host or "").lower()
    if f"{host}:{conn.port}" in insecure_test_hosts():
        return
    peer = sock.getpeername()[0]
    if not is_public_address(peer):
        sock.close()
        raise BlockedAddress(f"push endpoint {host} connected to a non-public address")


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _check_peer(self, sock)
        return sock


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        host = (self.host or "").lower()
        if f"{host}:{self.port}" not in insecure_test_hosts():
            sock.close()
            raise BlockedAddress("plain http push endpoint")
        return sock


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


class PushSession(requests.Session):
    """No redirects, no environment proxies, every connection's peer address checked."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.max_redirects = 0
        adapter = _CheckedAdapter(max_retries=0, pool_connections=8, pool_maxsize=16)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method, url, *args, **kwargs):
        kwargs["allow_redirects"] = False
        kwargs.setdefault("timeout", 10)
        return super().request(method, url, *args, **kwargs)


# --- VAPID ------------------------------------------------------------------------------------------


def vapid_configured() -> bool:
    return bool(conf.vapid_private_key() and conf.vapid_public_key())


def vapid_generate() -> tuple[str, str]:
    """A new key pair as the two strings the environment holds: (private key, application server key),
    both base64url without padding (the public key is the raw uncompressed P-256 point browsers want)."""
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid

    vapid = Vapid()
    vapid.generate_keys()
    private_value = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    public_raw = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return b64(private_value), b64(public_raw)
