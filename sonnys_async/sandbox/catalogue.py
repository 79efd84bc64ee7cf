"""The Backoffice permission catalogue (protocol §13.3, §17.6), loaded from a data file.

``data/bo_permissions.json`` transcribes the raw access page
``w45v2_user_permissions_page_3312102.html``: the 27 permission groups in document order and,
per permission, its ``perms[<index>]`` index, token, label, ``data-sibling``,
``data-toggle-sibling-on`` and extra CSS class. It is read once per process, when this module is
imported, and checked: indexes run 0, 1, 2, ... in page order and tokens are unique.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "BO_PERMISSION_GROUPS",
    "BO_TOKENS",
    "BoPermission",
    "BoPermissionGroup",
    "load_bo_permission_groups",
    "parse_bo_permission_groups",
]

_DATA_FILE = "bo_permissions.json"


@dataclass(frozen=True, slots=True)
class BoPermission:
    """One toggle of the Backoffice access page (``perms[<index>][token|isEnabled]``)."""

    index: int
    token: str
    label: str
    sibling: str
    toggle_sibling_on: str
    css_class: str


@dataclass(frozen=True, slots=True)
class BoPermissionGroup:
    """A collapsible group of the access page (``#sbox-permission-<key>``)."""

    key: str
    title: str
    permissions: tuple[BoPermission, ...]


def _text(raw: dict[str, Any], name: str) -> str:
    value = raw[name]
    if not isinstance(value, str):
        raise ValueError(f"{_DATA_FILE}: {name!r} must be a string, got {value!r}")
    return value


def _permission(raw: dict[str, Any]) -> BoPermission:
    index = raw["index"]
    if not isinstance(index, int) or isinstance(index, bool):
        raise ValueError(f"{_DATA_FILE}: index must be an integer, got {index!r}")
    return BoPermission(
        index=index,
        token=_text(raw, "token"),
        label=_text(raw, "label"),
        sibling=_text(raw, "sibling"),
        toggle_sibling_on=_text(raw, "toggle_sibling_on"),
        css_class=_text(raw, "css_class"),
    )


def load_bo_permission_groups() -> tuple[BoPermissionGroup, ...]:
    """Read and check the catalogue data file shipped in the package.

    Returns:
        The groups in page order.

    Raises:
        ValueError: the file is malformed (see :func:`parse_bo_permission_groups`).
    """
    source = resources.files("sonnys_async.sandbox").joinpath("data", _DATA_FILE)
    return parse_bo_permission_groups(source.read_text(encoding="utf-8"))


def parse_bo_permission_groups(text: str) -> tuple[BoPermissionGroup, ...]:
    """Parse and check catalogue JSON (``{"groups": [{"key", "title", "permissions"}]}``).

    Raises:
        ValueError: not JSON, a field missing or of the wrong type, indexes not 0, 1, 2, ... in
            page order, or a token listed twice.
    """
    try:
        groups = tuple(
            BoPermissionGroup(
                key=_text(g, "key"),
                title=_text(g, "title"),
                permissions=tuple(_permission(p) for p in g["permissions"]),
            )
            for g in json.loads(text)["groups"]
        )
    except (KeyError, TypeError) as exc:  # json.JSONDecodeError is a ValueError already
        raise ValueError(f"{_DATA_FILE}: malformed catalogue ({exc!r})") from exc
    flat = [p for g in groups for p in g.permissions]
    if [p.index for p in flat] != list(range(len(flat))):
        raise ValueError(f"{_DATA_FILE}: indexes must run 0, 1, 2, ... in page order")
    if len({p.token for p in flat}) != len(flat):
        raise ValueError(f"{_DATA_FILE}: a token appears twice")
    return groups


#: The groups of the access page in document order (read once, at import).
BO_PERMISSION_GROUPS: tuple[BoPermissionGroup, ...] = load_bo_permission_groups()
#: Every token in index order (``perms[i][token]``): 105 on the sample tenant.
BO_TOKENS: tuple[str, ...] = tuple(p.token for g in BO_PERMISSION_GROUPS for p in g.permissions)
