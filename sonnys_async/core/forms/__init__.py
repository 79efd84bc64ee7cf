"""Form parsing and replay: send exactly what a browser sends (protocol §2.1, §8.4).

``parse_form(html, form_id)`` reads a form; ``form.entries`` is its entry list;
``form.replay()`` gives an editable :class:`FormData`; ``encode_pairs`` serialises a body.
See :mod:`sonnys_async.core.forms._form` for the two modes (``"browser"`` default, ``"plain"``).
"""

from __future__ import annotations

from ._data import FormData
from ._encode import encode_pairs, normalize_newlines
from ._form import (
    Control,
    Form,
    Mode,
    Option,
    form_from_node,
    is_secret_name,
    parse_form,
    parse_html,
)

__all__ = [
    "Control",
    "Form",
    "FormData",
    "Mode",
    "Option",
    "encode_pairs",
    "form_from_node",
    "is_secret_name",
    "normalize_newlines",
    "parse_form",
    "parse_html",
]
