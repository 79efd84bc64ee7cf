"""Parse speed of a ~400 KB Backoffice page (goal: single-digit milliseconds). Prints only."""

from __future__ import annotations

import time
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from sonnys_async.core import pages
from sonnys_async.core.forms import parse_form

ROOT = Path(__file__).resolve().parents[1]
NAME = "w45f_user_permissions_2944451.html"
CANDIDATES = (
    ROOT.parent / "shared" / "fixtures" / "backoffice" / "html" / NAME,
    ROOT / "tests" / "fixtures" / "html" / NAME,
)
EDIT = ROOT / "tests" / "fixtures" / "html" / "employee_edit_485_before_write3.html"


def _best_ms(fn: object, repeat: int = 30) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def main() -> None:
    """Print best-of-N timings: raw Lexbor parse vs. the full page parser and form replay."""
    path = next(p for p in CANDIDATES if p.exists())
    html = path.read_text(encoding="utf-8")
    lexbor = _best_ms(lambda: LexborHTMLParser(html))
    access = _best_ms(lambda: pages.parse_user_permissions(html))
    form_b = _best_ms(lambda: parse_form(html, "user-permissions-update-form").replay().encode())
    form_p = _best_ms(
        lambda: parse_form(html, "user-permissions-update-form", mode="plain").entries
    )
    kind = _best_ms(lambda: pages.detect_kind(html))
    edit_html = EDIT.read_text(encoding="utf-8")
    edit = _best_ms(lambda: pages.parse_employee_edit(edit_html))
    print(f"page: {path.name} ({len(html) / 1024:.0f} KB)")
    print(f"  lexbor parse only            {lexbor:7.2f} ms")
    print(f"  parse_user_permissions       {access:7.2f} ms  ({access / lexbor:.1f}x lexbor)")
    print(f"  parse_form browser + encode  {form_b:7.2f} ms")
    print(f"  parse_form plain entries     {form_p:7.2f} ms")
    print(f"  detect_kind                  {kind:7.2f} ms")
    print(f"edit page ({len(edit_html) / 1024:.0f} KB) parse_employee_edit {edit:7.2f} ms")
    print("goal: full page parse in single-digit ms:", "met" if access < 10 else "NOT met")


if __name__ == "__main__":
    main()
