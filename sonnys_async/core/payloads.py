"""Request bodies and name resolution the client builds from cached tenant data (pure, no I/O).

Bodies follow what the protocol reference shows was accepted live: the employee insert of §6.3,
the POS permission matrix of §7.5 and the Backoffice access save of §13.4 (with at least one
accessible site). Site-tree keys come from :mod:`sonnys_async.core.sites`, never hand-written here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

from ..domain import (
    BoTemplate,
    Department,
    PosPermission,
    PosTemplate,
    SiteSelection,
    SiteTree,
)
from ..errors import DuplicateError, FormRejectedError, NotFoundError
from . import sites
from .text import is_digits, norm

__all__ = [
    "backoffice_access_pairs",
    "employee_insert_pairs",
    "fmt_date",
    "fmt_money",
    "match_template_names",
    "pos_matrix_pairs",
    "rejection_error",
    "resolve_bo_template",
    "resolve_departments",
    "resolve_pos_template",
    "selection_codes",
    "selection_names",
    "user_insert_pairs",
]


def fmt_date(day: date) -> str:
    """``MM/DD/YYYY``, the only date format the forms accept (protocol §6.4)."""
    return day.strftime("%m/%d/%Y")


def fmt_money(amount: Decimal) -> str:
    """Two decimals, as the number inputs post them (§6.3)."""
    return f"{amount:.2f}"


TemplateT = TypeVar("TemplateT", PosTemplate, BoTemplate)


def _resolve_template(templates: Sequence[TemplateT], name: str | int, kind: str) -> TemplateT:
    wanted = norm(str(name))
    for t in templates:
        if norm(t.name) == wanted:
            return t
    for t in templates:
        if str(t.id) == wanted:
            return t
    valid = ", ".join(sorted(t.name for t in templates)) or "(none)"
    raise NotFoundError(f"no {kind} permission template named {name!r}; valid names: {valid}")


def resolve_pos_template(templates: Sequence[PosTemplate], name: str | int) -> PosTemplate:
    """The POS template called ``name`` (case-insensitive, spacing-insensitive) or with that id.

    Raises:
        NotFoundError: No such template; the message lists the valid names.
    """
    return _resolve_template(templates, name, "POS")


def resolve_bo_template(templates: Sequence[BoTemplate], name: str | int) -> BoTemplate:
    """The Backoffice template called ``name`` (case-insensitive) or with that id.

    Raises:
        NotFoundError: No such template; the message lists the valid names.
    """
    return _resolve_template(templates, name, "Backoffice")


def resolve_departments(
    departments: Sequence[Department], requested: Iterable[int | str]
) -> tuple[Department, ...]:
    """Departments by name (case-insensitive) or id, in request order, without repeats.

    Raises:
        NotFoundError: An unknown name or id; the message lists the valid names.
    """
    by_name = {norm(d.name): d for d in departments}
    by_id = {d.id: d for d in departments}
    out: list[Department] = []
    for item in requested:
        dep: Department | None
        if isinstance(item, int):
            dep = by_id.get(item)
        else:
            dep = by_name.get(norm(item))
            if dep is None and is_digits(item.strip()):
                dep = by_id.get(int(item.strip()))
        if dep is None:
            valid = ", ".join(d.name for d in departments) or "(none)"
            raise NotFoundError(f"no department {item!r}; valid departments: {valid}")
        if dep not in out:
            out.append(dep)
    return tuple(out)


def match_template_names(
    templates: Sequence[PosTemplate], granted: frozenset[int], overrides: frozenset[int]
) -> tuple[str, ...]:
    """Names of every template whose grant and override sets equal the given ones."""
    return tuple(t.name for t in templates if t.grants == granted and t.overrides == overrides)


def selection_names(tree: SiteTree, selection: SiteSelection) -> tuple[str, ...]:
    """Long site names of a selection, in tree order."""
    ids = sites.selection_ids(tree, selection)
    return tuple(s.name for s in tree.sites if s.id in ids)


def selection_codes(tree: SiteTree, selection: SiteSelection) -> frozenset[str] | None:
    """Short codes (casefolded) of a selection, or ``None`` when a site has no known code."""
    codes: set[str] = set()
    for site_id in sites.selection_ids(tree, selection):
        code = tree.site(site_id).code
        if not code:
            return None
        codes.add(code.casefold())
    return frozenset(codes)


def employee_insert_pairs(
    *,
    tree: SiteTree,
    first_name: str,
    last_name: str,
    phone: str,
    email: str,
    start_date: date,
    pos_user_id: int,
    pos_pin: int,
    wage_rate: Decimal,
    overtime_rate: Decimal,
    wage_site_id: int,
    departments: Sequence[Department],
    selection: SiteSelection,
    adp_employee_id: str | None,
    emergency_contact_name: str | None,
    emergency_contact_phone: str | None,
) -> list[tuple[str, str]]:
    """The ``POST /employee/insert`` body of protocol §6.3 (verified live, employees 485/486).

    Hourly and overtime-eligible like the reference client; the site tree per §5.4 (or the
    flat encoding) comes from :func:`sonnys_async.core.sites.employee_site_pairs`.
    """
    pairs: list[tuple[str, str]] = [
        ("employee[firstName]", first_name),
        ("employee[lastName]", last_name),
        ("employee[phone]", phone),
        ("employee[email]", email),
        ("employee[startDate]", fmt_date(start_date)),
        ("posCredential[POSLoginID]", str(pos_user_id)),
        ("posCredential[POSLoginPassword]", str(pos_pin)),
        ("wage[isHourly]", "1"),
        ("wage[regularRate]", fmt_money(wage_rate)),
        ("wage[overtimeRate]", fmt_money(overtime_rate)),
        ("wage[isOvertimeEligible]", "1"),
        ("wage[siteId]", str(wage_site_id)),
    ]
    pairs += [("employee[departments][]", str(d.id)) for d in departments]
    pairs += sites.employee_site_pairs(tree, selection)
    # Optional fields only when non-empty, as the verified bodies did (§6.3).
    if adp_employee_id:
        pairs.append(("employee[adpEmployeeId]", adp_employee_id))
    if emergency_contact_name:
        pairs.append(("employee[emergencyContactName]", emergency_contact_name))
    if emergency_contact_phone:
        pairs.append(("employee[emergencyContactPhone]", emergency_contact_phone))
    return pairs


def pos_matrix_pairs(
    employee_id: int, template: PosTemplate, catalogue: Sequence[PosPermission]
) -> list[tuple[str, str]]:
    """The full POS permission matrix for one template (protocol §7.5).

    The server does not expand a template itself: a body without the ``permissions[...]``
    matrix "succeeds" and changes nothing (§7.5, §16.5). Every permission's id/label/description
    triple is sent, with ``[hasGrantAccess]`` only for granted ids and ``[requiresOverride]``
    only for override ids (presence = true, §2.2). ``hasActionApprovalAuthority`` is what the
    page script computes (§7.3): 1 only when every permission is granted and none needs
    approval.
    """
    ordered = sorted(catalogue, key=lambda p: p.id)
    all_ids = {p.id for p in ordered}
    authority = all_ids <= template.grants and not template.overrides
    pairs: list[tuple[str, str]] = [
        ("employeeId", str(employee_id)),
        ("templateId", str(template.id)),
        ("hasActionApprovalAuthority", "1" if authority else "0"),
    ]
    for perm in ordered:
        key = f"permissions[{perm.id}]"
        pairs += [
            (f"{key}[id]", str(perm.id)),
            (f"{key}[label]", perm.label),
            (f"{key}[description]", perm.description),
        ]
        if perm.id in template.grants:
            pairs.append((f"{key}[hasGrantAccess]", "1"))
        if perm.id in template.overrides:
            pairs.append((f"{key}[requiresOverride]", "1"))
    return pairs


def user_insert_pairs(
    *,
    username: str,
    password: str,
    email: str,
    employee_id: int | None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> list[tuple[str, str]]:
    """The ``POST /user/insert`` body (protocol §11.3).

    Linked: ``employee[isOnSiteEmployee]=1`` + ``user[employeeId]`` (verified live).
    Standalone: the key is *omitted* rather than sent as ``0`` -- by the presence rule (§2.2) a
    ``0`` would read as "linked"; a browser omits an unchecked box.
    """
    pairs: list[tuple[str, str]] = []
    if employee_id is not None:
        pairs += [("employee[isOnSiteEmployee]", "1"), ("user[employeeId]", str(employee_id))]
    else:
        pairs += [
            ("employee[firstName]", first_name or ""),
            ("employee[lastName]", last_name or ""),
        ]
    pairs += [
        ("employee[email]", email),
        ("user[username]", username),
        ("user[password]", password),
        ("user[confirmPassword]", password),
    ]
    return pairs


def backoffice_access_pairs(
    *,
    user_id: int,
    tree: SiteTree,
    selection: SiteSelection,
    template: BoTemplate | None,
    tokens: Sequence[str],
    enabled: Iterable[str] | None = None,
) -> list[tuple[str, str]]:
    """The ``POST /user/permissions/update`` body: sites, template and every token (§13.4).

    The save is refused unless at least one site is accessible ("Accessible Sites requires no
    less than 1 valid selection.", §13.4), so ``selection`` must not be empty. Tokens are
    indexed in page order (``perms[i][token]``), ``[isEnabled]=1`` only for enabled ones.
    """
    on = set(template.tokens if template is not None else ()) if enabled is None else set(enabled)
    pairs: list[tuple[str, str]] = [("userId", str(user_id)), ("userIsNew", "")]
    pairs += sites.backoffice_site_pairs(tree, selection)
    pairs.append(("template", str(template.id) if template is not None else ""))
    for i, token in enumerate(tokens):
        pairs.append((f"perms[{i}][token]", token))
        if token in on:
            pairs.append((f"perms[{i}][isEnabled]", "1"))
    return pairs


_DUPLICATES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"pos user id.*already in use", re.I), "pos_user_id"),
    (re.compile(r"e-?mail.*already in use", re.I), "email"),
    (re.compile(r"phone.*already in use", re.I), "phone"),
    (re.compile(r"username.*already in use", re.I), "username"),
    (re.compile(r"already (?:exists|taken)", re.I), "value"),
)


def rejection_error(
    what: str, url: str, messages: Sequence[str], values: dict[str, str | int] | None = None
) -> DuplicateError | FormRejectedError:
    """The error for a bounced form: :class:`DuplicateError` for the uniqueness messages of the
    sandbox contract (``That POS user ID is already in use!`` ...), else
    :class:`FormRejectedError` carrying every server message."""
    for message in messages:
        for pattern, field in _DUPLICATES:
            if pattern.search(message):
                value = (values or {}).get(field)
                return DuplicateError(f"{what}: {message.strip()}", field=field, value=value)
    return FormRejectedError(f"{what} rejected by the server", url=url, messages=messages)
