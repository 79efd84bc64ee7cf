"""Griffe extension for the docs site's API reference (mkdocs.yml loads it).

The clients declare their public methods in one line each, from a forwarding helper:
``create_employee = _awaits(lambda c: c._hiring, Hiring.create_employee)``. Griffe's static
analysis sees an attribute there, not a method. This extension inspects just those members
dynamically, as Griffe's guide on inspecting specific objects advises (dynamic analysis of the
whole package would also follow the ``__module__`` the package rewrites for its public names):
it imports the class, reads the runtime function (``functools.wraps`` gives it the service
method's signature and docstring; the sync wrappers their translated return types) and
replaces the attribute by a method with that signature and docstring. A class whose docstring
is assigned (``__doc__ = AsyncBackofficeClient.__doc__``) gets it the same way.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import griffe

logger = griffe.get_logger("griffe_forwarded")

#: The helpers that make a method out of another one (``_client.py``, ``sync.py``, compat).
FORWARDERS = frozenset(
    {"_awaits", "_returns", "_blocking", "_blocking_bulk", "blocking", "blocking_iter", "_same",
     "_returning"}
)  # fmt: skip
#: reStructuredText roles in docstrings (``:class:`~x.Y```), shown as code on the site.
_ROLE = re.compile(r":(?:class|meth|func|attr|mod|data|exc|obj|const):`~?([^`]+)`")
_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
    inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
    inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
    inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword,
}


def _text(annotation: Any) -> str | None:
    if annotation is inspect.Parameter.empty:
        return None
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)


def _method(name: str, runtime: Any, attribute: griffe.Object) -> griffe.Function:
    signature = inspect.signature(runtime)
    parameters = griffe.Parameters(
        *(
            griffe.Parameter(
                p.name,
                annotation=_text(p.annotation),
                kind=_KINDS[p.kind],
                default=None if p.default is inspect.Parameter.empty else repr(p.default),
            )
            for p in signature.parameters.values()
        )
    )
    function = griffe.Function(
        name,
        lineno=attribute.lineno,
        endlineno=attribute.endlineno,
        parameters=parameters,
        returns=_text(signature.return_annotation),
    )
    doc = _ROLE.sub(r"`\1`", inspect.getdoc(runtime) or "")
    if doc:
        function.docstring = griffe.Docstring(
            doc, lineno=attribute.lineno, parent=function, parser=griffe.Parser.google
        )
    if inspect.iscoroutinefunction(runtime):
        function.labels.add("async")
    return function


class ForwardedMethods(griffe.Extension):
    """Methods made by a forwarding helper, read from the imported class."""

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        forwarded = [
            name
            for name, member in cls.members.items()
            if not member.is_alias
            and member.is_attribute
            and isinstance(member.value, griffe.ExprCall)
            and str(member.value.function).rsplit(".", 1)[-1] in FORWARDERS
        ]
        if not forwarded and cls.docstring is not None:
            return
        try:
            runtime_cls = griffe.dynamic_import(cls.path)
        except ImportError as error:
            logger.warning(f"cannot import {cls.path}: {error}")
            return
        if cls.docstring is None and inspect.getdoc(runtime_cls) and "__doc__" in cls.members:
            cls.docstring = griffe.Docstring(
                inspect.getdoc(runtime_cls) or "", parent=cls, parser=griffe.Parser.google
            )
            cls.del_member("__doc__")
        for name in forwarded:
            runtime = getattr(runtime_cls, name)
            method = _method(name, runtime, cls.members[name])
            cls.set_member(name, method)


class SphinxRoles(griffe.Extension):
    """Docstrings mention objects as ``:class:`X``` (read by ``help()`` and IDEs): on the site
    they read as ``X`` in code, not as raw markup."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ":`" in obj.docstring.value:
            obj.docstring.value = _ROLE.sub(r"`\1`", obj.docstring.value)
