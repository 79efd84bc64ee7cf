"""What page scripts do to forms that their markup does not show (browser-mode omissions).

A browser's ``POST /employee/update`` carries no ``employee[sites][S][isAvailable]`` key, not
even for a site rendered checked and enabled (protocol §8.3, §8.4); nothing in the form's markup
accounts for it (the page's scripts, not captured, presumably remove them). Every browser-mode
parse of a page form uses :data:`BROWSER_OMISSIONS`; callers of the generic
``core.forms.parse_form`` pass it as ``omit=`` to get the same body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from ..forms import OmitRule

__all__ = ["BROWSER_OMISSIONS", "UPDATE_ACTION", "omitted_by_update_script"]

#: The action of the employee edit form.
UPDATE_ACTION = "/employee/update"
_IS_AVAILABLE = re.compile(r"^employee\[sites\]\[\d+\]\[isAvailable\]$")


def omitted_by_update_script(name: str) -> bool:
    """Whether a browser leaves ``name`` out of the ``/employee/update`` body (§8.3)."""
    return _IS_AVAILABLE.match(name) is not None


#: Omission rules by form action, for every Backoffice form known to have one.
BROWSER_OMISSIONS: Mapping[str, OmitRule] = MappingProxyType(
    {UPDATE_ACTION: omitted_by_update_script}
)
