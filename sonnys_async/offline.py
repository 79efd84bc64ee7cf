"""Offline tools behind the CLI's ``inspect`` and ``replay`` commands (issue 3, item 5).

For the day the Backoffice markup changes: a user saves a page from the browser and sees what
the library understands (``inspect_page``) or which body it would submit (``replay_page``).
Pure functions, no I/O. PINs and passwords are never part of ``inspect_page``'s output.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from . import pages
from .domain import ALL, SiteSelection
from .forms import parse_form, parse_html

__all__ = ["inspect_page", "replay_page"]


def _sites(selection: SiteSelection) -> str | list[int]:
    return ALL if selection == ALL else sorted(selection)


def _json(value: object) -> object:
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


def inspect_page(html: str) -> dict[str, object]:
    """What the parsers extract from a saved page, as JSON-ready data.

    The page kind is detected first; for an employee edit page the keys include ``kind``,
    ``employee_id``, ``first_name``, ``last_name``, ``active``, ``pos_user_id``,
    ``departments`` and ``available_site_ids`` (``"all"`` or sorted ids). The POS PIN is
    never included.

    Args:
        html: The page text.

    Returns:
        A dict of plain JSON types.

    Raises:
        PageStructureError: The page looks like a known kind but lacks a landmark.
    """
    tree = parse_html(html)
    kind = pages.detect_kind(html)
    out: dict[str, object] = {"kind": kind}
    alerts = pages.parse_alerts(tree)
    if alerts.errors or alerts.successes:
        out["alerts"] = {"errors": list(alerts.errors), "successes": list(alerts.successes)}
    if kind == "employee_edit":
        e = pages.parse_employee_edit(html)
        out.update(
            employee_id=e.employee_id,
            pos_credential_id=e.pos_credential_id,
            first_name=e.first_name,
            last_name=e.last_name,
            phone=e.phone,
            email=e.email,
            active=e.active,
            pos_user_id=e.pos_user_id,
            department_ids=list(e.department_ids),
            departments=list(e.departments),
            start_date=_json(e.start_date),
            available_site_ids=_sites(e.available_sites),
            emergency_contact_name=e.emergency_contact_name,
            emergency_contact_phone=e.emergency_contact_phone,
            adp_employee_id=e.adp_employee_id,
        )
    elif kind == "employee_create":
        c = pages.parse_employee_create(html)
        out.update(
            hierarchical=c.hierarchical,
            departments=[{"id": d.id, "name": d.name} for d in c.departments],
            sites=[
                {
                    "id": s.id,
                    "name": s.name,
                    "code": s.code,
                    "district_id": s.district_id,
                    "region_id": s.region_id,
                }
                for s in c.tree.sites
            ],
            regions=[{"id": r.id, "name": r.name} for r in c.tree.regions],
            districts=[
                {"id": d.id, "name": d.name, "region_id": d.region_id} for d in c.tree.districts
            ],
        )
    elif kind == "employee_list":
        lst = pages.parse_employee_list(html)
        out.update(
            rows=[
                {
                    "employee_id": r.employee_id,
                    "first_name": r.first_name,
                    "last_name": r.last_name,
                    "site_codes": list(r.site_codes),
                    "access": r.access,
                    "pos_user_id": r.pos_user_id,
                    "departments": list(r.departments),
                    "phone": r.phone,
                    "wage_type": r.wage_type,
                    "is_active": r.is_active,
                }
                for r in lst.rows
            ],
            pager={
                "current": lst.pager.current,
                "last": lst.pager.last,
                "has_next": lst.pager.has_next,
            },
        )
    elif kind == "employee_permissions":
        p = pages.parse_pos_permissions(html)
        out.update(
            employee_id=p.employee_id,
            granted=sorted(p.granted),
            overrides=sorted(p.overrides),
            templates=[
                {
                    "id": t.id,
                    "name": t.name,
                    "grants": sorted(t.grants),
                    "overrides": sorted(t.overrides),
                }
                for t in p.templates
            ],
            permissions=[{"id": x.id, "label": x.label} for x in p.permissions],
        )
    elif kind == "compensation":
        comp = pages.parse_compensation(html)
        out.update(
            employee_id=comp.employee_id,
            min_effective_date=_json(comp.min_effective_date),
            wage_site_ids=list(comp.wage_site_ids),
            history=[
                {
                    "wage_type": w.wage_type,
                    "rate": str(w.rate),
                    "overtime_eligible": w.overtime_eligible,
                    "overtime_rate": _json(w.overtime_rate),
                    "effective_date": _json(w.effective_date),
                    "end_date": _json(w.end_date),
                    "is_current": w.is_current,
                }
                for w in comp.history
            ],
        )
    elif kind == "user_list":
        ul = pages.parse_user_list(html)
        out.update(
            rows=[
                {
                    "user_id": r.user_id,
                    "first_name": r.first_name,
                    "last_name": r.last_name,
                    "username": r.username,
                    "phone": r.phone,
                    "email": r.email,
                    "is_active": r.is_active,
                }
                for r in ul.rows
            ],
            pager={
                "current": ul.pager.current,
                "last": ul.pager.last,
                "has_next": ul.pager.has_next,
            },
        )
    elif kind == "user_create":
        uc = pages.parse_user_create(html)
        out.update(
            employees=[
                {
                    "employee_id": o.employee_id,
                    "first_name": o.first_name,
                    "last_name": o.last_name,
                    "email": o.email,
                }
                for o in uc.employees
            ]
        )
    elif kind == "user_edit":
        ue = pages.parse_user_edit(html)
        out.update(
            user_id=ue.user_id,
            employee_id=ue.employee_id,
            username=ue.username,
            email=ue.email,
            is_deleted=ue.is_deleted,
            universal_access=ue.universal_access,
        )
    elif kind == "user_permissions":
        up = pages.parse_user_permissions(html)
        out.update(
            user_id=up.user_id,
            accessible_site_ids=_sites(up.accessible_sites),
            enabled=[t for t in up.tokens if t in up.enabled],
            templates=[
                {"id": t.id, "name": t.name, "tokens": list(t.tokens)} for t in up.templates
            ],
        )
    elif kind == "pos_template_list":
        out["templates"] = [
            {"id": r.id, "name": r.name, "description": r.description, "editable": r.editable}
            for r in pages.parse_pos_template_list(html)
        ]
    elif kind == "bo_template_list":
        out["templates"] = [
            {"id": r.id, "name": r.name, "description": r.description, "editable": r.editable}
            for r in pages.parse_bo_template_list(html)
        ]
    elif kind == "redirect":
        out["target"] = pages.redirect_target(html)
    else:
        out["forms"] = [
            {"id": f.attributes.get("id"), "action": f.attributes.get("action")}
            for f in tree.css("form")
        ]
    return out


def replay_page(
    html: str,
    form_id: str,
    *,
    sets: Iterable[tuple[str, str]] = (),
    unchecks: Iterable[str] = (),
    checks: Iterable[tuple[str, str | None]] = (),
    plain: bool = False,
) -> bytes:
    """The urlencoded body a browser would submit for a form after the given edits.

    Edits apply in this order: ``sets``, then ``unchecks``, then ``checks``.

    Args:
        html: The saved page.
        form_id: The form's ``id`` (e.g. ``employee-create-edit-form``).
        sets: ``(name, value)`` pairs (selects are validated against their options).
        unchecks: Names of boxes to uncheck.
        checks: ``(name, value)`` pairs of boxes to check (``value`` None = the box's own).
        plain: The HTML-standard entry list instead of the browser-equivalent one.

    Returns:
        The body bytes.

    Raises:
        PageStructureError: No such form.
        ControlNotFoundError / ItemNotFoundError: An edit names an unknown control or value.
    """
    form = parse_form(html, form_id, mode="plain" if plain else "browser")
    data = form.replay()
    for name, value in sets:
        data.set(name, value)
    for name in unchecks:
        data.uncheck(name)
    for name, check_value in checks:
        data.check(name, check_value)
    return data.encode()
