"""The client's address, for every rate limit and the login throttle.

Behind a reverse proxy every request comes from the proxy (REMOTE_ADDR 127.0.0.1), so a
limit per REMOTE_ADDR would count every citizen as one. The proxy appends the address it
received the request from to X-Forwarded-For; a client can write anything into that
header before it, so it is read from the right: starting from REMOTE_ADDR, every address
that is one of our own proxies (`TRUSTED_PROXIES`, addresses or networks) is skipped, and
the first address that is not is the client. Only our proxies' entries are ever
believed; whatever a client wrote to the left of them is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(text: str):
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str | None:
    """The address of the client that sent `request` (see the module's docstring), or
    None when even REMOTE_ADDR is missing or unreadable."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    networks = trusted_networks()
    if not networks or not _trusted(remote, networks):
        return str(remote)
    client = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        hop = _parse(entry)
        if hop is None:
            # Not an address, so not written by one of our proxies: stop at the last
            # address a proxy vouched for.
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return str(client)


def limit_key(address: str | None) -> str:
    """The key a per-address limit counts under: the address itself, and for IPv6 its
    /64 network, since one subscriber usually holds a whole /64 and could otherwise
    change address for every request."""
    parsed = _parse(address or "")
    if parsed is None:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
