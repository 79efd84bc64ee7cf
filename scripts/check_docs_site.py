"""Check the built docs site: every public method of the clients shows its signature and its
docstring in the API reference (`make docs` runs this after `mkdocs build --strict`).

The clients' methods are made by forwarding helpers (``create_employee = _awaits(...)``), which
static analysis alone would show as attributes without a signature; see
scripts/griffe_forwarded.py. Usage: ``python scripts/check_docs_site.py [SITE_DIR]``.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from sonnys_async import AsyncBackofficeClient, BackofficeClient
from sonnys_async.compat import SonnysBackofficeClient

#: Class -> (its path in the reference, the page it is on).
CLASSES = {
    AsyncBackofficeClient: ("sonnys_async.AsyncBackofficeClient", "reference/clients"),
    BackofficeClient: ("sonnys_async.BackofficeClient", "reference/clients"),
    SonnysBackofficeClient: ("sonnys_async.compat.SonnysBackofficeClient", "reference/compat"),
}


def public_methods(cls: type) -> list[str]:
    """The class's public methods (its own and inherited ones, not ``object``'s)."""
    return sorted(
        name
        for name, value in inspect.getmembers(cls)
        if not name.startswith("_") and callable(value) and not isinstance(value, type)
    )


def problems(site: Path) -> list[str]:
    """What is missing from the site, one line each."""
    found: list[str] = []
    pages: dict[str, LexborHTMLParser] = {}
    for cls, (path, page) in CLASSES.items():
        if page not in pages:
            pages[page] = LexborHTMLParser((site / page / "index.html").read_text("utf-8"))
        tree = pages[page]
        for name in public_methods(cls):
            heading = tree.css_first(f'[id="{path}.{name}"]')
            if heading is None or heading.parent is None:
                found.append(f"{path}.{name}: no entry")
                continue
            entry = heading.parent
            signature = entry.css_first(".doc-signature")
            if signature is None or f"{name}(" not in signature.text(deep=True).replace("\n", ""):
                found.append(f"{path}.{name}: no signature")
            contents = entry.css_first(".doc-contents")
            if contents is None or not contents.text(deep=True).strip():
                found.append(f"{path}.{name}: no docstring")
    return found


def main() -> int:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site")
    found = problems(site)
    for line in found:
        print(f"docs site: {line}", file=sys.stderr)
    total = sum(len(public_methods(cls)) for cls in CLASSES)
    if not found:
        print(f"docs site: {total} client methods, each with its signature and docstring")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
