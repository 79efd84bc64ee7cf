"""MkDocs hooks (mkdocs.yml): CHANGELOG.md and CONTRIBUTING.md live at the repository's root,
where their links point into docs/ (``docs/architecture.md``); docs/changelog.md and
docs/contributing.md include them, and their links are made relative to docs/ here."""

from __future__ import annotations

import re
from typing import Any

_ROOT_LINK = re.compile(r"\]\(docs/")
_README_LINK = re.compile(r"\]\((?:\.\./)?README\.md\)")


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Links of the included root files, as seen from docs/."""
    if page.file.src_uri in ("changelog.md", "contributing.md"):
        markdown = _ROOT_LINK.sub("](", markdown)
        markdown = _README_LINK.sub("](index.md)", markdown)
    return markdown
