"""Copy the shared Backoffice captures into tests/fixtures, trimmed to what tests need.

Full pages keep their <head> (title, asset links) and the ``#main-column`` block; the
~130 KB navigation sidebar is dropped. Small files (login page, redirect shells, the page
script, payloads) are copied unchanged. Run from the repository root:

    python scripts/trim_fixtures.py ../shared/fixtures/backoffice
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

MAIN_START = re.compile(r'<div id="main-column(?:-logged-out)?"')
MAIN_END = "<!-- /main-column -->"


def trim(text: str) -> str:
    head_end = text.find("</head>")
    start = MAIN_START.search(text)
    end = text.find(MAIN_END)
    if head_end < 0 or start is None or end < 0:
        return text
    return (
        text[: head_end + len("</head>")]
        + "\n<body>\n"
        + text[start.start() : end + len(MAIN_END)]
        + "\n</body>\n</html>\n"
    )


def main(src: Path) -> None:
    dst = Path("tests/fixtures")
    for path in sorted((src / "html").iterdir()):
        text = path.read_text(encoding="utf-8")
        out = trim(text) if len(text) > 20_000 else text
        (dst / "html" / path.name).write_text(out, encoding="utf-8")
    for path in sorted((src / "payloads").iterdir()):
        shutil.copyfile(path, dst / "payloads" / path.name)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
