"""MkDocs hooks (mkdocs.yml): CHANGELOG.md and CONTRIBUTING.md live at the repository's root,
where their links point into docs/ (``docs/architecture.md``). docs/changelog.md and
docs/contributing.md stand for them on the site: each is replaced by its root file, with the
links made relative to docs/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: Site page -> the root file it shows.
INCLUDED = {"changelog.md": "CHANGELOG.md", "contributing.md": "CONTRIBUTING.md"}
_DOCS_LINK = re.compile(r"\]\(docs/")


def on_page_markdown(markdown: str, page: Any, config: Any, **kwargs: Any) -> str:
    """The root file for its stand-in page, its links as seen from docs/."""
    root_file = INCLUDED.get(page.file.src_uri)
    if root_file is None:
        return markdown
    text = (Path(config["config_file_path"]).parent / root_file).read_text(encoding="utf-8")
    text = _DOCS_LINK.sub("](", text)
    text = text.replace("](README.md)", "](index.md)")
    for page_name, name in INCLUDED.items():
        text = text.replace(f"]({name})", f"]({page_name})")
    return text
