"""Form parsing and replay: send exactly what a browser sends (protocol §2.1, §8.4).

``parse_form(html, form_id)`` reads a form; ``form.entries`` is its entry list;
``form.replay()`` gives an editable :class:`FormData`; ``encode_pairs`` serialises a body.
The engine knows HTML forms and generic page-script conventions, no particular page: controls a
page's script drops in a way its markup does not show are named by the caller (``omit=``, a rule
or rules by form action; the pages' table is ``sonnys_async.core.pages.BROWSER_OMISSIONS``).

Layers, each importing only those below it:

* :mod:`._encode` — ``application/x-www-form-urlencoded`` as browsers write it;
* :mod:`._model` — controls, options, their wiring and the entry list they give;
* :mod:`._form` — :class:`Form` (frozen) and :class:`FormData` (its editable replay);
* :mod:`._owners`, :mod:`._read`, :mod:`._browser` — form owners, reading one control,
  browser-mode script effects;
* :mod:`._parse` — ``parse_form`` / ``form_from_node`` and the two modes
  (``"browser"`` default, ``"plain"``).
"""

from __future__ import annotations

from ._browser import Omissions, OmitRule
from ._encode import encode_pairs, normalize_newlines
from ._form import Form, FormData, Mode
from ._model import Control, Option, is_secret_name
from ._parse import form_from_node, parse_form, parse_html

__all__ = [
    "Control",
    "Form",
    "FormData",
    "Mode",
    "Omissions",
    "OmitRule",
    "Option",
    "encode_pairs",
    "form_from_node",
    "is_secret_name",
    "normalize_newlines",
    "parse_form",
    "parse_html",
]
