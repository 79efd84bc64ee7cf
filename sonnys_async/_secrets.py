"""Generated credentials: POS PINs and Backoffice passwords, drawn from :mod:`secrets`.

Both are returned to the caller exactly once (the Backoffice never shows a BO password again,
protocol §18.1) and are hidden from every ``repr``/``str`` of the result models.
"""

from __future__ import annotations

import secrets
import string

__all__ = ["BO_PASSWORD_LENGTH", "generate_backoffice_password", "generate_pos_pin"]

#: Smallest and largest POS PIN we generate or accept: always five digits, never a leading zero
#: (the server itself only needs an integer >= 1, protocol §16.3; five digits is the convention
#: POS terminals and the reference client use, §18.1).
PIN_MIN = 10000
PIN_MAX = 99999

#: Length of generated Backoffice passwords. The server's help text asks for "at least 8
#: alpha-numeric characters" (§11.2); 12 letters+digits give ~71 bits of entropy without
#: relying on symbols, whose acceptance the help text does not promise.
BO_PASSWORD_LENGTH = 12

_ALPHABET = string.ascii_letters + string.digits


def generate_pos_pin() -> int:
    """A uniformly random five-digit POS PIN (10000-99999) from a CSPRNG.

    Returns:
        The PIN as an ``int``.
    """
    return PIN_MIN + secrets.randbelow(PIN_MAX - PIN_MIN + 1)


def generate_backoffice_password(length: int = BO_PASSWORD_LENGTH) -> str:
    """A random Backoffice password of ASCII letters and digits only.

    Redrawn until it holds at least one letter and one digit, so it satisfies any
    "alphanumeric" password rule.

    Args:
        length: Number of characters; at least 12.

    Returns:
        The password.

    Raises:
        ValueError: ``length`` is below 12.
    """
    if length < BO_PASSWORD_LENGTH:
        raise ValueError(f"password length must be at least {BO_PASSWORD_LENGTH}")
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate
