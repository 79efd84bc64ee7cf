"""The tenant's address: where the bot's password may be sent (protocol §1).

A tenant lives at ``https://<subdomain>.sonnyscontrols.com``. The subdomain is one DNS label
(``washu``); anything else (``evil.com/x``, ``evil.com#``, ``user:pw@evil.com/``, a full-width
dot) would send the password to another host, so it is refused. A ``base_url`` must be a bare
origin (scheme, host, optional port; no user, path, query or fragment), and plain ``http`` is
only for this machine (loopback, ``localhost``), for names that can never resolve on the
Internet (``.test``, ``.localhost``, RFC 6761), or with an explicit opt-in.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from ..errors import FieldIssue, InputValidationError

__all__ = ["TENANT_URL", "tenant_base_url"]

#: The address of a tenant, by subdomain.
TENANT_URL = "https://{}.sonnyscontrols.com"

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)
#: Special-use names that never resolve publicly (RFC 6761): plain HTTP cannot leak there.
_LOCAL_SUFFIXES = (".test", ".localhost")


def _refuse(field: str, message: str) -> InputValidationError:
    return InputValidationError([FieldIssue(field, message)])


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tenant_base_url(
    base_url: str | None, subdomain: str | None, *, allow_http: bool = False
) -> str:
    """The tenant's origin (no trailing slash), checked.

    Args:
        base_url: An explicit origin (``https://washu.sonnyscontrols.com``, a sandbox URL).
        subdomain: The tenant's subdomain, used when ``base_url`` is not given.
        allow_http: Accept plain ``http`` to a host that is not local.

    Returns:
        ``scheme://host[:port]``.

    Raises:
        InputValidationError: Neither is given, the subdomain is not one DNS label, or the URL
            is not a bare ``https`` origin (``http`` only where allowed).
    """
    if base_url is None:
        if subdomain is None or not subdomain.strip():
            raise _refuse("subdomain", "give base_url or subdomain")
        label = subdomain.strip().lower()
        if not (label.isascii() and _LABEL.match(label)):
            raise _refuse(
                "subdomain",
                "must be one DNS label: letters, digits and hyphens, as in "
                "<subdomain>.sonnyscontrols.com",
            )
        return TENANT_URL.format(label)
    text = base_url.strip()
    if not text.isascii():
        raise _refuse("base_url", "must be plain ASCII (no look-alike characters)")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise _refuse("base_url", "is not a valid URL") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise _refuse("base_url", "must be https://<host> (or http:// to this machine)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _refuse("base_url", "must not carry a user name or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise _refuse("base_url", "must be an origin only (no path, query or fragment)")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOST.match(host):
            raise _refuse("base_url", f"has an invalid host name {host!r}") from None
    if parts.scheme == "http" and not (allow_http or _is_local(host)):
        raise _refuse(
            "base_url",
            "plain http would send the password unencrypted to another machine; use https "
            "(or allow_http=True for a test server you trust)",
        )
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port is not None else "")
