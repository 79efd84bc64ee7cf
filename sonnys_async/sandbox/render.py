"""HTML of the simulated pages, in the raw-server flavour (protocol §0).

Plain string building (no template engine): multi-line tags where the server writes them, boolean
attributes bare (``checked``, ``disabled``, ``selected``, ``required``, ``multiple``), dates only in
``data-value``. Form ids, field names and order, input types, option values, table classes and
column order follow the captures; decoration is minimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from sonnys_async.domain import ALL, SiteSelection, SiteTree
from sonnys_async.sandbox.catalogue import BO_PERMISSION_GROUPS
from sonnys_async.sandbox.reference import (
    APPROVAL_AUTHORITY_DESCRIPTION,
    APPROVAL_AUTHORITY_LABEL,
    BO_TEMPLATE_LIST,
    BO_TEMPLATES,
    POS_BY_ID,
    POS_GROUPS,
    POS_TEMPLATE_LIST,
    POS_TEMPLATES,
)
from sonnys_async.sandbox.rules.outcome import Flash
from sonnys_async.sandbox.state import StoredEmployee, StoredUser, TenantState

__all__ = ["esc", "redirect_body"]

_CB = "?&_cb=90ffa6defae00b36deab0bed67c5cfc5"
_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;"})


def esc(text: object) -> str:
    """Twig-style HTML escaping (``'`` becomes ``&#039;``, as in the captures)."""
    return str(text).translate(_ESC)


def _b(flag: bool, name: str) -> str:
    """A bare boolean attribute, or nothing."""
    return f" {name}" if flag else ""


def _d(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def redirect_body(target: str) -> bytes:
    """The stock Symfony redirect page (§2.3): 246 + 4 x len(escaped target) bytes."""
    t = target.replace("&", "&amp;").replace('"', "&quot;").replace("'", "&#039;")
    t = t.replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset="UTF-8" />\n'
        f'        <meta http-equiv="refresh" content="0;url=\'{t}\'" />\n\n'
        f"        <title>Redirecting to {t}</title>\n    </head>\n    <body>\n"
        f'        Redirecting to <a href="{t}">{t}</a>.\n    </body>\n</html>'
    ).encode()


# --- layout
_HEAD = (
    '<!DOCTYPE html>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n'
    '        <meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
    '        <meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "                <title>\n\t\t\t\t\t\t\tSonny's Controls\n\t\t\t{suffix}\n        </title>\n"
    f'        <link href="/dist/css/sonnyapc.css{_CB}" rel="stylesheet">\n'
    "    </head>\n<body>\n"
)
_MENU = (
    ("dashboard", "/", "Dashboard"),
    ("employees", "/employee", "Employees"),
    ("users", "/user", "Back Office Users"),
    ("pos-templates", "/pos-permission-template/list", "POS Permission Templates"),
    ("bo-templates", "/bo-permission-template/list", "BO Permission Templates"),
)


def _sidebar(sidebar_kb: int) -> str:
    items = [
        f'                <li id="li-link-{k}">\n                    <a class="sonny-nav" '
        f'href="{h}" id="a-link-sidebar-dropdown-{k}">{t}</a>\n                </li>\n'
        for k, h, t in _MENU
    ]
    if sidebar_kb > 0:
        # Filler navigation so page sizes resemble the real ~130 KB sidebar (benchmarks).
        filler = (
            '                <li class="sidebar-filler"><a class="sonny-nav" href="/reports">'
            '<div class="css-table"><div class="css-table-cell">Report</div></div></a></li>\n'
        )
        items.append(filler * (sidebar_kb * 1024 // len(filler) + 1))
    return (
        '<div class="container-sidebar">\n    <div id="main-menu-collapse" class="collapse" >\n'
        '        <nav id="main-menu" class="sonny-menu" role="navigation">\n            <ul>\n'
        + "".join(items)
        + "            </ul>\n        </nav><!-- /main-menu -->\n    </div>\n</div>\n"
    )


class Layout:
    """Precomputed page chrome for one sandbox (top bar and sidebar are static per tenant)."""

    def __init__(self, display_name: str, sidebar_kb: int) -> None:
        self._top = (
            '    <header class="sonny-navbar hidden-print">\n'
            '        <nav class="sonny-navbar-menu sonny-menu">\n'
            '            <ul id="sonny-navbar-menu-left">\n'
            f'                <li><a id="btn-navbar-logo" href="/"><img id="logo" '
            f'src="/dist/img/nav-logo.svg{esc(_CB)}" alt="Sonny&#039;s Controls logo"></a></li>\n'
            '            </ul>\n            <ul id="sonny-navbar-menu-right">\n'
            '                <li class="sonny-navbar-dropdown">\n'
            '                    <a id="btn-user-menu-dropdown"\n'
            '                       class="sonny-nav"\n                       href="#"\n'
            '                       data-toggle="dropdown"\n'
            '                       aria-haspopup="true"\n'
            '                       aria-expanded="false"><i class="fa fa-user text-warning"></i>'
            f'<span class="nav-label">{esc(display_name)}<i class="fa fa-caret-down '
            'fa-spacer-left"></i></span></a>\n'
            '                    <ul class="sub-menu">\n'
            '                        <li><a href="/logout" class="sonny-nav"><i class="fa '
            'fa-caret-right fa-spacer-right"></i>Logout</a></li>\n'
            "                    </ul>\n                </li>\n            </ul>\n"
            "        </nav>\n    </header>\n"
        )
        self._sidebar = _sidebar(sidebar_kb)

    def page(self, suffix: str | None, main: str) -> str:
        """An authenticated page: top bar, sidebar, ``#main-column``."""
        return (
            _HEAD.replace("{suffix}", f" | {esc(suffix)}" if suffix else "")
            + self._top
            + self._sidebar
            + '<div id="main-column">\n        <div class="container-fluid">\n'
            + main
            + "  </div><!-- /container-fluid -->\n</div><!-- /main-column -->\n</body>\n</html>\n"
        )


def alerts(flash: Flash | None) -> str:
    """The server alert block (§2.5): empty, danger (``<p>`` or ``<ul>``) or success."""
    if flash is None:
        return '\n<div class="alerts alerts-server">\n            </div>\n'
    if len(flash.messages) == 1:
        body = f"                                        <p>{esc(flash.messages[0])}</p>\n"
    else:
        lis = "".join(
            f"                                    <li>{esc(m)}</li>\n" for m in flash.messages
        )
        body = (
            f"                                        <ul>\n{lis}"
            "                                </ul>\n"
        )
    if flash.kind == "danger":
        return (
            '\n<div class="alerts alerts-server">\n'
            '                                <div class="alert alert-danger with-glyph" '
            'role="alert">\n'
            '                            <span class="glyphicon glyphicon-exclamation-sign" '
            'aria-hidden="true"></span>\n'
            '                <span class="sr-only">Error:</span>\n'
            f"{body}                    </div><!-- /alert-danger -->\n\n    </div>\n"
        )
    return (
        '\n<div class="alerts alerts-server">\n'
        '                        <div class="alert alert-success with-glyph" role="alert">\n'
        '                            <span class="glyphicon glyphicon-ok-sign" '
        'aria-hidden="true"></span>\n'
        '                <span class="sr-only">Success:</span>\n'
        f"{body}                    </div><!-- /alert-success -->\n\n            </div>\n"
    )


def _header(title: str, sub: str = "", buttons: str = "") -> str:
    sub_html = f'                <h3 id="page-sub-title">{sub}</h3>\n' if sub else ""
    return (
        '    <header class="sonny-header head-btns">\n        <div class="row">\n'
        '            <div class="col-head-title">\n'
        f'                <h1 id="page-title">{esc(title)}</h1>\n{sub_html}'
        "            </div>\n            <!-- /col -->\n"
        f"{buttons}        </div>\n        <!-- /row -->\n    </header>\n"
        "    <!-- /sonny-header -->\n"
    )


# --- login / dashboard
def login_page(flash: Flash | None) -> str:
    """``GET /login`` (§3.1): logged-out layout, ``#login-form`` without CSRF."""
    return (
        _HEAD.replace("{suffix}", " | Login") + '    <header class="sonny-navbar hidden-print">\n'
        '        <nav class="sonny-navbar-menu sonny-menu">\n'
        '            <ul id="sonny-navbar-menu-right">\n'
        '                <li><a href="/login" class="sonny-nav"><i class="fa fa-user '
        'fa-spacer-right text-warning"></i><span class="nav-label">Login</span></a></li>\n'
        "            </ul>\n        </nav>\n    </header>\n"
        '<div id="main-column-logged-out">\n    <div class="container-fluid">\n'
        + alerts(flash)
        + '    <div class="form-sonny form-sonny-narrow">\n'
        '        <form data-submit-once id="login-form" action="/login_check" method="POST">\n'
        '            <div class="well">\n                <h2>Login</h2>\n'
        '                <div class="form-group">\n'
        '                    <label for="site-name">Username</label>\n'
        '                    <input type="text" name="_username" class="form-control input-lg" '
        'id="login-username" placeholder="Enter Your Username">\n'
        "                </div><!-- /form-group -->\n"
        '                <div class="form-group">\n'
        '                    <label for="site-name">Password</label>\n'
        '                    <input type="password" name="_password" class="form-control '
        'input-lg" id="login-password" placeholder="Enter Your Password">\n'
        "                </div><!-- /form-group -->\n"
        '                <div class="form-group">\n                    <div class="text-right">\n'
        '                        <a href="/forgot-password">Forgot password?</a>\n'
        "                    </div>\n                </div><!-- /form-group -->\n"
        "            </div><!-- /well -->\n"
        '            <div class="form-controls clearfix">\n'
        '                <div class="text-center">\n'
        '                    <button type="submit" class="btn btn-success btn-lg">Login</button>\n'
        "                </div>\n            </div><!-- /form-controls -->\n        </form>\n"
        "    </div><!-- /form-sonny -->\n  </div><!-- /container-fluid -->\n"
        "</div><!-- /main-column -->\n</body>\n</html>\n"
    )


def dashboard(layout: Layout, flash: Flash | None) -> str:
    """``GET /``: the dashboard (title without suffix, no ``h1#page-title``)."""
    main = (
        '    <header class="sonny-header">\n        <h2 class="dashboard-title">Dashboard</h2>\n'
        "    </header><!-- /sonny-header -->\n"
        + alerts(flash)
        + '    <div class="dashboard-widgets"></div>\n'
    )
    return layout.page(None, main)


def simple_page(layout: Layout, title: str, text: str) -> str:
    """A minimal page for areas the sandbox does not simulate (e.g. ``/timesheet/<id>``)."""
    return layout.page(title, _header(title) + alerts(None) + f"    <p>{esc(text)}</p>\n")


# --- site tree (§5.2, §5.3, §13.2)
def site_tree(tree: SiteTree, selection: SiteSelection, *, bo: bool) -> str:
    """The availability / accessible-sites tree for a stored selection.

    ``bo`` selects the Backoffice naming (unprefixed, nameless site boxes, ``siteIds[]``).
    """
    if not tree.hierarchical:
        return _flat_tree(tree, selection, bo=bo)
    pre = (lambda n: n) if bo else (lambda n: _emp_name(n))
    word = "Access" if bo else "Available"
    wide = 140 if bo else 150  # width of the "all ..." toggles in the captures
    is_all = selection == ALL
    chosen: frozenset[int] = frozenset() if is_all else selection  # type: ignore[assignment]
    out: list[str] = [
        '    <fieldset class="boac-accessible-sites" style="width: 100%;">\n'
        '        <div class="form-group boac-accessible-sites-per-region  nix-bm">\n'
        '            <div class="row">\n'
    ]
    if bo:
        out.append(
            '                <div class="sbox sbox-bg sbox-stack sbox-edge2edge sbox-toggle-list">'
            '\n                    <div class="form-group">\n'
            '                        <label for="boac-accessible-sites-per-region"\n'
            '                               class="control-label">\n'
            "                            Accessible Sites\n                        </label>\n"
            "                    </div>\n                </div>\n"
        )
    out.append(
        '                <div class="form-group sbox sbox-bg">\n'
        '                            <input type="checkbox"\n'
        '                                   class="boac-permission-type-region"\n'
        '                                   id="boac-permission-type-region"\n'
        '                                   data-toggle="toggle"\n'
        '                                   data-size="small"\n'
        f'                                   data-width="{wide}"\n'
        '                                   data-onstyle="success"\n'
        '                                   data-offstyle="info"\n'
        f'                                   data-on="{word} all Regions"\n'
        f'                                   data-off="{word} by Region"\n'
        f'                                   name="{pre("isAllRegionsAllowed")}"\n'
        '                                   data-fhcheck-disable="#boac-region-options-list '
        ':input"\n'
        "                                   data-fhchecked-toggle-collapse-close="
        '"#sbox-boac-permission-all-regions-box"\n'
        f"                                   {'checked' if is_all else ''}\n"
        "                            >\n"
        '                    <div class="row" id="boac-region-options-list">\n'
    )
    for region in tree.regions:
        r_sites = tree.sites_in_region(region.id)
        r_denied = not is_all and not any(s.id in chosen for s in r_sites)
        out.append(
            '                        <div class="sbox sbox-bg sbox-stack sbox-toggle-list '
            'sbox-override">\n'
            '                                    <input type="checkbox"\n'
            f'                                           id="boac-permission-region-{region.id}"\n'
            '                                           class="boac-permission-region-option"\n'
            '                                           data-toggle="toggle"\n'
            '                                           data-size="small"\n'
            '                                           data-width="60"\n'
            '                                           data-offstyle="success"\n'
            '                                           data-onstyle="danger"\n'
            '                                           data-on="No"\n'
            '                                           data-off="Yes"\n'
            f'                                           data-region-id="{region.id}"\n'
            "                                           data-fhchecked-toggle-collapse-close="
            f'"#sbox-boac-permission-region-{region.id}-box"\n'
            "                                           data-fhcheck-disable="
            f'"#sbox-boac-permission-region-{region.id}-box :input"\n'
            f'                                           value="{region.id}"\n'
            f'                                           name="{pre("disabledRegions[]")}"\n'
            f"                                           {'disabled' if is_all else ''}\n"
            f"                                           {'checked' if r_denied else ''}\n"
            "                                    >\n"
            f'                                    <label for="boac-permission-region-{region.id}"'
            ' class="control-label">\n'
            f"                                        Region <strong>({esc(region.name)})"
            "</strong>\n                                    </label>\n"
            "                        </div>\n"
            f'        <div id="sbox-boac-permission-region-{region.id}-box" '
            f'class="sbox-collapse-area collapse{"" if r_denied else " in"}">\n'
            '                <input type="checkbox"\n'
            '                       class="boac-permission-type-district"\n'
            f'                       id="boac-permission-type-district-for-region-{region.id}"\n'
            '                       data-toggle="toggle"\n'
            '                       data-size="small"\n'
            f'                       data-width="{wide}"\n'
            '                       data-onstyle="success"\n'
            '                       data-offstyle="info"\n'
            f'                       data-on="{word} all Districts"\n'
            f'                       data-off="{word} by District"\n'
            f'                       data-region-id="{region.id}"\n'
            f'                       name="{pre("isAllDistrictsAllowedByRegion[]")}"\n'
            f'                       value="{region.id}"\n'
            "                       data-fhcheck-disable="
            f'"#boac-district-options-list-for-region-{region.id} :input"\n'
            "                       data-fhchecked-toggle-collapse-close="
            f'"#sbox-boac-permission-all-districts-for-region-{region.id}-box"\n'
            f"                       {'checked' if is_all else ''}\n"
            "                >\n"
            f'        <div class="row" id="boac-district-options-list-for-region-{region.id}">\n'
        )
        for district in (d for d in tree.districts if d.region_id == region.id):
            d_sites = tree.sites_in_district(district.id)
            d_denied = r_denied or (not is_all and not any(s.id in chosen for s in d_sites))
            did = district.id
            out.append(
                '                    <input type="checkbox"\n'
                f'                           id="boac-permission-district-{did}"\n'
                '                           class="boac-permission-district-option '
                f'boac-permission-district-option-for-region-{region.id}"\n'
                '                           data-toggle="toggle"\n'
                '                           data-size="small"\n'
                '                           data-width="60"\n'
                '                           data-onstyle="danger"\n'
                '                           data-offstyle="success"\n'
                '                           data-off="Yes"\n'
                '                           data-on="No"\n'
                f'                           data-region-id="{region.id}"\n'
                f'                           data-district-id="{did}"\n'
                "                           data-fhchecked-toggle-collapse-close="
                f'"#sbox-boac-permission-district-{did}-box"\n'
                "                           data-fhcheck-disable="
                f'"#sbox-boac-permission-district-{did}-box :input"\n'
                f'                           value="{did}"\n'
                f'                           name="{pre("disabledDistricts[]")}"\n'
                f"                           {'disabled' if is_all or r_denied else ''}\n"
                f"                           {'checked' if d_denied else ''}\n"
                "                    >\n"
                f'                    <label for="boac-permission-district-{did}" '
                'class="control-label">\n'
                f"                        District <strong>({esc(district.name)})</strong>\n"
                "                    </label>\n"
                f'        <div id="sbox-boac-permission-district-{did}-box" '
                f'class="sbox-collapse-area collapse{"" if d_denied else " in"}">\n'
                '            <input type="checkbox"\n'
                '                   class="boac-permission-type-site '
                f'boac-permission-type-site-by-region-{region.id}"\n'
                f'                   id="boac-permission-type-site-for-district-{did}"\n'
                '                   data-toggle="toggle"\n'
                '                   data-size="small"\n'
                f'                   data-width="{wide}"\n'
                '                   data-onstyle="success"\n'
                '                   data-offstyle="info"\n'
                f'                   data-on="{word} all Sites"\n'
                f'                   data-off="{word} by Site"\n'
                f'                   data-district-id="{did}"\n'
                f'                   name="{pre(f"isAllSitesAllowedByDistrict[{did}]")}"\n'
                "                   data-fhchecked-toggle-collapse-close="
                f'"#sbox-boac-permission-all-sites-for-district-{did}-box"\n'
                "                   data-fhcheck-disable="
                f'"#boac-site-options-list-for-district-{did} :input"\n'
                f"                   {'checked' if is_all else ''}\n"
                "            >\n"
                f'    <div class="row" id="boac-site-options-list-for-district-{did}">\n'
            )
            for site in d_sites:
                out.append(
                    _site_box(site.id, site.name, did, region.id, site.id in chosen, bo, is_all)
                )
            out.append("    </div>\n        </div>\n")
        out.append("        </div>\n        </div>\n")
    out.append(
        "                    </div>\n                </div>\n            </div>\n"
        "        </div>\n    </fieldset>\n"
    )
    return "".join(out)


def _emp_name(name: str) -> str:
    base, sep, rest = name.partition("[")
    return f"employee[{base}]" + (sep + rest if sep else "")


def _site_box(
    sid: int, name: str, did: int, rid: int, available: bool, bo: bool, is_all: bool
) -> str:
    # All-sites state: every [isAvailable] unchecked and every [siteId] disabled (§5.3).
    if bo:
        classes = f"boac-permission-site-option boac-permission-site-option-for-district-{did}"
        name_attr = ""
        hidden_name = "siteIds[]"
    else:
        classes = (
            f"boac-permission-site-option boac-permission-site-option-for-district-{did}\n"
            f"                           boac-permission-site-option-hidden-input-for-region-{rid}"
            f" boac-permission-site-option-hidden-input-for-district-{did}\n"
            f"                           boac-permission-site-option-hidden-input-{sid}"
        )
        name_attr = f'                           name="employee[sites][{sid}][isAvailable]"\n'
        hidden_name = f"employee[sites][{sid}][siteId]"
    return (
        '            <div class="sbox sbox-bg sbox-stack sbox-toggle-list">\n'
        '                <div class="form-group">\n'
        '                    <input type="checkbox"\n'
        f'                           id="boac-permission-site-{sid}"\n'
        f'                           class="{classes}"\n'
        '                           data-toggle="toggle"\n'
        '                           data-size="small"\n'
        '                           data-width="60"\n'
        '                           data-onstyle="danger"\n'
        '                           data-offstyle="success"\n'
        '                           data-off="Yes"\n'
        '                           data-on="No"\n'
        f'                           data-district-id="{did}"\n'
        '                           data-fhcheck-disable="#boac-permission-site-option-hidden-'
        f'input-{sid}"\n'
        f'                           value="{sid}"\n'
        f"{name_attr}"
        f"                           {'' if available or is_all else 'checked'}\n"
        "                    >\n"
        f'                    <label for="boac-permission-site-{sid}" class="control-label">\n'
        f"                        Site <strong>({esc(name)})</strong>\n"
        "                    </label>\n                </div>\n"
        '                <input class="boac-permission-site-option-hidden-input-for-district-'
        f'{did} boac-permission-site-option-hidden-input-for-region-{rid}"\n'
        f'                       id="boac-permission-site-option-hidden-input-{sid}"\n'
        '                       type="hidden"\n'
        f'                       name="{hidden_name}"\n'
        f"                       {'' if available and not is_all else 'disabled'}\n"
        f'                       value="{sid}">\n'
        "            </div>\n"
    )


def _flat_tree(tree: SiteTree, selection: SiteSelection, *, bo: bool) -> str:
    """Flat tenants (§5.4, unverified): an all-sites toggle and one control per site."""
    is_all = selection == ALL
    chosen: frozenset[int] = frozenset() if is_all else selection  # type: ignore[assignment]
    all_name = "isAllSitesAllowed" if bo else "employee[isAllSitesAllowed]"
    word = "Access" if bo else "Available"
    out = [
        '    <fieldset class="boac-accessible-sites" style="width: 100%;">\n'
        '                <div class="form-group sbox sbox-bg">\n'
        '                            <input type="checkbox"\n'
        '                                   class="boac-permission-type-site-all"\n'
        '                                   id="boac-permission-type-site-all"\n'
        '                                   data-toggle="toggle"\n'
        f'                                   data-on="{word} all Sites"\n'
        f'                                   data-off="{word} by Site"\n'
        f'                                   name="{all_name}"\n'
        '                                   data-fhcheck-disable="#boac-site-options-list '
        ':input"\n'
        f"                                   {'checked' if is_all else ''}\n"
        "                            >\n"
        '    <div class="row" id="boac-site-options-list">\n'
    ]
    for site in tree.sites:
        sid = site.id
        available = is_all or sid in chosen
        if bo:
            out.append(
                '            <div class="sbox sbox-bg sbox-stack sbox-toggle-list">\n'
                f'                    <input type="checkbox" id="boac-permission-site-{sid}" '
                f'class="boac-permission-site-option" data-on="No" data-off="Yes" '
                f'value="{sid}"{_b(not available, "checked")}{_b(is_all, "disabled")}>\n'
                f'                    <label for="boac-permission-site-{sid}" '
                f'class="control-label">Site <strong>({esc(site.name)})</strong></label>\n'
                '                <input id="boac-permission-site-option-hidden-input-'
                f'{sid}" type="hidden" name="siteIds[]"'
                f'{_b(not available or is_all, "disabled")} value="{sid}">\n'
                "            </div>\n"
            )
        else:
            out.append(
                '            <div class="sbox sbox-bg sbox-stack sbox-toggle-list">\n'
                f'                    <input type="checkbox" id="boac-permission-site-{sid}" '
                f'class="boac-permission-site-option" data-on="No" data-off="Yes" '
                f'name="employee[siteIds][]" value="{sid}"'
                f"{_b(not available, 'checked')}{_b(is_all, 'disabled')}>\n"
                f'                    <label for="boac-permission-site-{sid}" '
                f'class="control-label">Site <strong>({esc(site.name)})</strong></label>\n'
                "            </div>\n"
            )
    out.append("    </div>\n                </div>\n    </fieldset>\n")
    return "".join(out)


# --- employee create / edit (§6, §8)
def _input(
    typ: str,
    id_: str,
    name: str,
    value: str | None,
    *,
    extra: str = "",
    required: bool = False,
) -> str:
    val = f'\n                   value="{esc(value)}"' if value is not None else ""
    return (
        f'            <input type="{typ}"\n                   id="{id_}"\n'
        f'                   name="{name}"{val}\n                   class="form-control"'
        f"{extra}{_b(required, chr(10) + '                   required')}>\n"
    )


def _group(label: str, control: str, css: str = "", required: bool = False) -> str:
    star = '\n                <span class="field-required">*</span>' if required else ""
    return (
        f'<div class="form-group {css}">\n    <label class="control-label">{label}{star}</label>\n'
        f"{control}</div>\n"
    )


def _departments_select(state: TenantState, selected: Iterable[int]) -> str:
    sel = set(selected)
    opts = "".join(
        f'<option value="{d.id}"{_b(d.id in sel, "selected")}>{esc(d.name)}</option>'
        for d in sorted(state.tenant.departments, key=lambda d: d.name.lower())
    )
    return (
        '                    <select data-placeholder="Choose Departments" '
        'id="employee-departments" name="employee[departments][]" multiple class="form-control '
        f'chosen-select" aria-describedby="employee-departments-help" required>{opts}</select>\n'
    )


def _wage_site_options(state: TenantState, site_ids: frozenset[int]) -> str:
    sites = sorted(
        (s for s in state.tenant.tree.sites if s.id in site_ids),
        key=lambda s: (s.code or s.name).lower(),
    )
    return '<option value=""></option>' + "".join(
        f'<option value="{s.id}">{esc(s.code or s.name)}</option>' for s in sites
    )


def _wage_block(state: TenantState, site_ids: frozenset[int]) -> str:
    """The compensation controls shared by create and the compensation page (§6.2, §9.1)."""
    num = ' min="0"\n                   max="999999999.99"\n                   step="0.01"'
    days = "".join(
        f'                        <input type="text" id="day-{i}-start-time" '
        f'name="wage[scheduleDay][{i}][startTime]" class="form-control clockpicker '
        f'day-schedule" value="" placeholder="00:00AM">\n'
        f'                        <input type="text" id="day-{i}-end-time" '
        f'name="wage[scheduleDay][{i}][endTime]" class="form-control clockpicker day-schedule" '
        f'value="" placeholder="00:00AM">\n'
        for i in range(7)
    )
    return (
        "<h2>Compensation</h2>\n"
        + _group(
            "Wage Type",
            '            <select id="employee-compensation-wage-type" name="wage[isHourly]" '
            'class="form-control chosen-select"><option value="1" selected>Hourly</option>'
            '<option value="0">Salary</option></select>\n',
        )
        + _group(
            "Effective Hourly Rate",
            '            <input type="number"\n                   id="employee-compensation-wage"\n'
            '                   name="wage[regularRate]"\n                   value=""\n'
            '                   placeholder="0.00"\n                   class="form-control"\n'
            f"                  {num}\n                   required>\n",
            required=True,
        )
        + '<div class="row overtime-wrapper">\n'
        '                <input type="checkbox"\n'
        '                       id="employee-compensation-overtime-eligible"\n'
        '                       name="wage[isOvertimeEligible]"\n'
        '                       value="1"\n                       data-toggle="toggle"\n'
        '                       data-on="Eligible"\n                       data-off="Ineligible"\n'
        "                >\n"
        '            <input type="number"\n'
        '                   id="employee-compensation-overtime-rate"\n'
        '                   name="wage[overtimeRate]"\n                   class="form-control"\n'
        f"                  {num}\n"
        '                   value=""\n                   placeholder="0.00"\n'
        "                   required\n                   disabled>\n</div>\n"
        '<div class="salary-schuedule-wrapper hide">\n'
        '            <input type="number" id="employee-compensation-salary-wage" '
        'class="form-control" name="wage[salaryRate]" min="0" max="999999999.99" step="0.01" '
        'value="" placeholder="0.00">\n'
        '            <select id="employee-compensation-salary-wage-type" class="form-control '
        'chosen-select"><option value="year">Per Year</option><option value="week">Per Week'
        "</option></select>\n"
        '            <input type="number" id="employee-compensation-salary-calc-hours" '
        'class="form-control" name="wage[hoursPerWeek]" min="0" max="999999999.99" value="" '
        'step="0.01" placeholder="0.00">\n'
        '            <input type="radio" name="wage[ignoreSalarySchedule]" '
        'id="employee-compensation-salary-wage-schedule-choice-1" value="0">\n'
        '            <input type="radio" name="wage[ignoreSalarySchedule]" '
        'id="employee-compensation-salary-wage-schedule-choice-2" value="1" checked>\n'
        '            <select data-placeholder="Select Site" '
        'id="employee-compensation-salary-wage-site" name="wage[siteId]" class="form-control '
        f'chosen-select" required disabled>{_wage_site_options(state, site_ids)}</select>\n'
        '            <table class="table table-condensed table-bordered">\n'
        f"                <tbody>\n                    <tr><td>\n{days}"
        "                    </td></tr>\n                </tbody>\n            </table>\n"
        "</div>\n"
    )


def employee_form(
    layout: Layout,
    state: TenantState,
    emp: StoredEmployee | None,
    flash: Flash | None,
    today: date,
) -> str:
    """``GET /employee/create`` (``emp`` None) or ``GET /employee/edit/<id>``."""
    create = emp is None
    title = "Create Employee" if emp is None else f"Edit {emp.full_name}"
    action = "/employee/insert" if create else "/employee/update"
    hidden = ""
    if emp is not None:
        hidden = (
            f'                        <input type="hidden" id="employee-id" data-unique '
            f'name="employee[id]" value="{emp.id}">\n'
            f'            <input type="hidden" id="selected-employee-id" value="{emp.id}">\n'
            '            <input type="hidden" id="employee-pos-credentials-id" data-unique '
            f'name="posCredential[id]" value="{emp.pos_credential_id}">\n'
        )

    def v(text: str) -> str:
        return "" if emp is None else text

    status = ""
    if emp is not None:
        status = (
            '<div class="row">\n    <div class="form-col-main">\n'
            '        <div class="sbox sbox-bg sbox-toggle-list">\n'
            '            <div class="form-group">\n'
            '                <input type="checkbox"\n'
            '                       id="employee-is-active"\n'
            '                       name="employee[isActive]"\n'
            '                       value="1"\n                       data-toggle="toggle"\n'
            '                       data-on="Active"\n                       data-off="Inactive"\n'
            '                       class=""\n'
            f"                       {'checked' if emp.active else ''}>\n"
            '                <label for="employee-is-active" class="control-label">Status</label>\n'
            "            </div><!-- /form-group -->\n        </div><!--/sbox -->\n"
            "    </div><!-- /col -->\n</div><!-- /row -->\n"
        )
    selection: SiteSelection = frozenset() if emp is None else emp.sites
    start = today if emp is None else emp.start_date
    email_input = (
        '                <input type="text"\n                       class="form-control"\n'
        '                       id="user-email"\n                       name="employee[email]"\n'
        '                       aria-describedby="employee-email"\n'
        f'                       value="{esc(v(emp.email if emp else ""))}"\n'
        '                       data-required="false"\n                       '
        'autocomplete="dummy">\n'
        '                                <button type="button" id="employee-email-check" '
        'class="btn btn-clear-success square" title="Email Availability Check">'
        '<i id="employee-email-check-icon" class="fa fa-check"></i></button>\n'
    )
    pos_id = "" if emp is None else str(emp.pos_user_id)
    pin = "" if emp is None else str(emp.pos_pin)
    form = (
        '        <form id="employee-create-edit-form"\n'
        '              data-check-unique="/employee/checkunique"\n'
        '              class="employee-crud-form"\n'
        f'              action="{action}"\n'
        + ('              autocomplete="off"\n' if create else "")
        + '              method="post">\n\n'
        + hidden
        + _group(
            "First Name",
            _input(
                "text",
                "employee-name-first",
                "employee[firstName]",
                emp.first_name if emp else "",
                extra='\n                   maxlength="50"',
                required=True,
            ),
            "validate-employee-name-first",
            True,
        )
        + _group(
            "Last Name",
            _input(
                "text",
                "employee-name-last",
                "employee[lastName]",
                emp.last_name if emp else "",
                extra='\n                   maxlength="100"',
                required=True,
            ),
            "validate-employee-name-last",
            True,
        )
        + _group(
            "Phone",
            _input(
                "tel",
                "employee-phone",
                "employee[phone]",
                emp.phone if emp else "",
                extra='\n                   maxlength="20"',
            ),
            "validate-employee-phone",
        )
        + _group("Email", email_input, "margin-top-form-group")
        + _group(
            "Departments",
            _departments_select(state, emp.department_ids if emp else ()),
            "validate-employee-departments",
            True,
        )
        + _group(
            "Start Date",
            '            <input type="text"\n                   id="employee-start-date"\n'
            '                   name="employee[startDate]"\n'
            '                   class="form-control pickadate-date"\n'
            f'                   data-value="{_d(start)}"\n'
            '                   placeholder="00/00/00"\n'
            '                   aria-describedby="employee-start-date-help"\n'
            "                   data-pickadate-small\n                   required>\n",
            "validate-employee-start-date",
            True,
        )
        + status
        + '<div class="sbox-collapse sbox-toggle-egde2edge">\n'
        '    <a id="link-sbox-collapse-item-available" class="sbox-collapse-head  collapsed" '
        'role="button" data-toggle="collapse" href="#sbox-item-available">\n'
        '                <h3 class="sbox-collapse-title">Available To Work<span class="sr-only">'
        "View Options</span></h3>\n    </a>\n"
        '        <div id="sbox-item-available" class="sbox-collapse-area collapse">\n'
        + site_tree(state.tenant.tree, selection, bo=False)
        + '            <p class="help-block">Employees (active and inactive) must be assigned to '
        "at least one site to remain visible on the employee list page.</p>\n"
        "        </div>\n</div>\n"
        "<h2>POS Login</h2>\n"
        + _group(
            "POS User ID",
            '            <input type="number"\n                   min="1"\n'
            '                   id="employee-pos-user-id"\n'
            '                   name="posCredential[POSLoginID]"\n'
            f'                   value="{pos_id}"\n                   class="form-control"\n'
            "                   data-unique\n                   required\n                    >\n"
            '            <p class="help-block" data-collision-message="That POS user ID is '
            'already in use!"></p>\n',
            "validate-employee-pos-user-id",
            True,
        )
        + _group(
            "POS PIN",
            '            <input type="number"\n                   min="1"\n'
            '                   id="employee-pos-user-pin"\n'
            '                   name="posCredential[POSLoginPassword]"\n'
            f'                   value="{pin}"\n                   class="form-control"\n'
            "                   required\n                    >\n",
            "validate-employee-pos-user-pin",
            True,
        )
        + "<h2>Emergency Contact</h2>\n"
        + _group(
            "Name",
            _input(
                "text",
                "employee-emergency-name",
                "employee[emergencyContactName]",
                emp.emergency_contact_name if emp else "",
                extra='\n                   maxlength="100"',
            ),
            "validate-employee-emergency-name",
        )
        + _group(
            "Phone",
            _input(
                "tel",
                "employee-emergency-phone",
                "employee[emergencyContactPhone]",
                emp.emergency_contact_phone if emp else "",
                extra='\n                   maxlength="20"',
            ),
            "validate-employee-emergency-phone",
        )
        + "<h2>ADP Report</h2>\n"
        + _group(
            "Employee ID",
            _input(
                "text",
                "adp-employee-id",
                "employee[adpEmployeeId]",
                emp.adp_employee_id if emp else "",
                extra='\n                   maxlength="32"\n                   autocomplete="off"',
            ),
            "validate-adp-employee-id",
        )
        + (_wage_block(state, state.tenant.tree.site_ids) if create else "")
        + '            <div class="alerts alerts-js"></div>\n'
        '                            <button type="submit"\n'
        '                                    id="btn-user-save"\n'
        '                                    class="btn btn-success btn-lg btn-block">'
        + ("Set POS Access" if create else "Save")
        + "</button>\n"
        '                            <a href="/employee"\n'
        f'                               id="btn-employee-{"create" if create else "edit"}-cancel"'
        '\n                               class="btn btn-default btn-lg btn-block">Cancel</a>\n'
        "        </form>\n        <!-- /form -->\n"
    )
    modal = ""
    if emp is not None:
        modal = (
            '    <div class="modal fade" id="confirm-deactivate-employee-sites-available" '
            'tabindex="-1" role="dialog" aria-hidden="true">\n'
            '                    <h3 style="margin: 0;">Employee Work Status</h3>\n'
            f"                    The employee <strong>{esc(emp.full_name)}</strong> must\n"
            "                    be assigned to at least one site.\n    </div>\n"
        )
    main = (
        '    <header class="sonny-header">\n'
        f'        <h1 id="page-title">{esc(title)}</h1>\n'
        "    </header>\n    <!-- /sonny-header -->\n\n"
        '    <div class="form-sonny">\n'
        + alerts(flash)
        + form
        + "    </div>\n    <!-- /form-sonny -->\n"
        + modal
    )
    return layout.page(title, main)


# --- employee permissions (§7)
def _perm_row(pid: int, granted: bool, override: bool) -> str:
    perm = POS_BY_ID[pid]
    return (
        f"                <h4>{esc(perm.label)}</h4>\n"
        f'                                <input type="hidden" name="permissions[{pid}][id]" '
        f'value="{pid}" />\n'
        f'                                <input type="hidden" name="permissions[{pid}][label]" '
        f'value="{esc(perm.label)}" />\n'
        '                                <input type="hidden" '
        f'name="permissions[{pid}][description]" value="{esc(perm.description)}" />\n'
        '                                <input type="checkbox"\n'
        f'                                       id="perm-grant-{pid}"\n'
        '                                       class="permission-grant"\n'
        f'                                       name="permissions[{pid}][hasGrantAccess]"\n'
        '                                       value="1"\n'
        f'                                       data-permission-id="{pid}"\n'
        '                                       data-toggle="toggle"\n'
        '                                       data-on="Grant"\n'
        '                                       data-off="Deny"\n'
        f"                                       {'checked' if granted else ''}>\n"
        f'                                <label for="perm-grant-{pid}" class="control-label">'
        "Access</label>\n"
        f'        <div id="sbox-perm-override-{pid}"\n'
        f'             class="sbox-collapse-area collapse{" in" if granted else ""}">\n'
        '                                    <input type="checkbox"\n'
        f'                                           id="perm-override-{pid}"\n'
        '                                           class="permission-override"\n'
        f'                                           name="permissions[{pid}][requiresOverride]"'
        "\n"
        '                                           value="1"\n'
        '                                           data-toggle="toggle"\n'
        '                                           data-on="Yes"\n'
        '                                           data-off="No"\n'
        f"                                           {'checked' if override else ''}>\n"
        f'                                    <label for="perm-override-{pid}" '
        'class="control-label">Requires Approval</label>\n'
        "        </div>\n"
        f'                                <p id="perm-{pid}-help" class="help-block">'
        f"{esc(perm.description)}</p>\n"
    )


def _pos_template_options() -> str:
    return "".join(
        "                                                            <option\n"
        f'                                        value="{t.id}"\n'
        '                                        data-permissions-set="'
        f'{",".join(str(i) for i in sorted(t.grants))}"\n'
        '                                        data-manager-override-permissions-set="'
        f'{",".join(str(i) for i in sorted(t.overrides))}"\n'
        f"                                >{esc(t.name)}</option>\n"
        for t in POS_TEMPLATES
    )


_POS_TEMPLATE_OPTIONS = _pos_template_options()


def employee_permissions(layout: Layout, emp: StoredEmployee, flash: Flash | None) -> str:
    """``GET /employee/permissions/<id>`` (§7.1, §7.2): placeholder always selected."""
    groups = []
    for key, title, ids in POS_GROUPS:
        rows = "".join(_perm_row(i, i in emp.grants, i in emp.overrides) for i in ids)
        groups.append(
            '                <div class="sbox-collapse ">\n'
            f'    <a id="link-sbox-collapse-permission-group{key}"\n'
            '       class="sbox-collapse-head  collapsed"\n       role="button"\n'
            f'       data-toggle="collapse"\n       href="#sbox-permission-group{key}">\n'
            f'                <h3 class="sbox-collapse-title">{esc(title)}<span class="sr-only">'
            "View Options</span></h3>\n    </a>\n"
            f'        <div id="sbox-permission-group{key}"\n'
            '             class="sbox-collapse-area collapse">\n'
            f"{rows}        </div>\n                </div>\n"
        )
    sub = f"Name: <strong>{esc(emp.full_name)}</strong>, POS ID: <strong>{emp.pos_user_id}</strong>"
    main = (
        _header("Employee Access", sub)
        + '    <div class="form-sonny">\n'
        + alerts(flash)
        + '        <form data-submit-once id="employee-permission-update-form" '
        'action="/employee/permissions/update" method="post">\n'
        f'            <input type="hidden" name="employeeId" value="{emp.id}">\n'
        '                <label class="control-label" for="template">Permissions '
        "Templates</label>\n"
        '                        <select\n                                id="template"\n'
        '                                class="form-control chosen-select"\n'
        '                                data-placeholder="Load from a Template"\n'
        '                                name="templateId">\n'
        '                            <option value="" class="placeholder" selected></option>\n'
        + _POS_TEMPLATE_OPTIONS
        + "                                                    </select>\n"
        "            <h4>Action Approval Authority</h4>\n"
        '                            <input type="hidden" id="has-action-approval-authority" '
        'name="hasActionApprovalAuthority" value="0" />\n'
        '                            <input type="hidden" name="permissions[1][id]" value="1" />\n'
        '                            <input type="hidden" name="permissions[1][label]" '
        f'value="{APPROVAL_AUTHORITY_LABEL}" />\n'
        '                            <input type="hidden" name="permissions[1][description]" '
        f'value="{APPROVAL_AUTHORITY_DESCRIPTION}" />\n'
        '                            <input type="hidden" name="permissions[1][requiresOverride]" '
        'value="0" />\n'
        '                            <input type="checkbox"\n'
        '                                   id="action-approval-authority"\n'
        '                                   aria-describedby="action-approval-authority-help"\n'
        '                                   name="permissions[1][hasGrantAccess]"\n'
        '                                   value="1"\n'
        '                                   data-toggle="toggle"\n'
        '                                   data-on="Yes"\n'
        '                                   data-off="No"\n'
        "                                   >\n"
        '                            <label for="action-approval-authority" '
        'class="control-label">Give Authority</label>\n'
        "            <h2>Permissions</h2>\n"
        + "".join(groups)
        + '                            <button type="submit"\n'
        '                                    id="btn-customer-save"\n'
        '                                    class="btn btn-lg btn-block btn-success">\n'
        "                                Save\n                            </button>\n"
        '                            <a href="/employee"\n'
        '                               id="btn-employee-cancel"\n'
        '                               class="btn btn-default btn-lg btn-block">Cancel</a>\n'
        "        </form>\n    </div><!-- /form-sonny -->\n"
    )
    return layout.page(f"Employee Access for {emp.full_name}", main)


# --- compensation (§9)
def _money(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,.2f}/hr".replace(",", "")


def compensation(
    layout: Layout,
    state: TenantState,
    emp: StoredEmployee,
    flash: Flash | None,
    today: date,
) -> str:
    """``GET /employee/compensation/<id>``: blank Add-Wage form and the history, newest first."""
    latest = max((w.effective_date for w in emp.wages), default=None)
    minimum = (
        f' data-pickadate-min="{_d(date.fromordinal(latest.toordinal() + 1))}"' if latest else ""
    )
    rows = []
    for w in sorted(emp.wages, key=lambda w: w.effective_date, reverse=True):
        if w.overtime_eligible:
            icon = (
                '<i class="fa fa-lg fa-check text-success" data-toggle="tooltip" '
                'title="Employee is Eligible for Overtime"></i><span class="sr-only">Employee is '
                "Eligible for Overtime</span>"
            )
        else:
            icon = (
                '<i class="fa fa-lg fa-times text-danger" data-toggle="tooltip" '
                'title="Employee is Not Eligible for Overtime"></i><span class="sr-only">Employee '
                "is Not Eligible for Overtime</span>"
            )
        ot = _money(w.overtime_rate) if w.overtime_eligible and w.overtime_rate is not None else ""
        rows.append(
            "                    <tr>\n"
            '                        <td class="employee-compensation-col-wage-type">'
            f"{'Hourly' if w.is_hourly else 'Salary'}</td>\n"
            '                        <td class="employee-compensation-col-wage">\n'
            f"                            {_money(w.rate)}</td>\n"
            '                        <td class="employee-compensation-col-overtime-eligible '
            f'text-center">\n                            {icon}</td>\n'
            "                        <td "
            f'class="employee-compensation-col-overtime-rate">{ot}</td>\n'
            '                        <td class="employee-compensation-col-effective-date">'
            f"{_d(w.effective_date)}</td>\n"
            '                        <td class="employee-compensation-col-end-date">'
            f"{_d(w.end_date)}</td>\n"
            "                    </tr>\n"
        )
    buttons = (
        '            <div class="col-head-btn col-head-btn-top-b">\n'
        '                <button type="button" id="btn-toggle-employee-compensation-form-wrapper" '
        'class="btn btn-success btn-block form-toggle" data-toggle="collapse" '
        'data-target="#employee-compensation-form-wrapper">Add Wage</button>\n'
        "            </div>\n"
    )
    title = f"Compensation for {emp.full_name}"
    main = (
        _header(title, buttons=buttons)
        + alerts(flash)
        + '    <div id="employee-compensation-form-wrapper" class="form-sonny collapse">\n'
        '                <form data-submit-once id="employee-compensation-edit-form" '
        'class="employee-compensation-crud-form" action="/employee/compensation/update" '
        'method="post">\n'
        f'                        <input type="hidden" id="employee-id" name="employeeId" '
        f'value="{emp.id}">\n'
        + _group(
            "Effective Date",
            '                        <input type="text" id="wage-effective-date" '
            'name="wage[effectiveDate]" class="form-control pickadate-date" '
            f'data-value="{_d(today)}"{minimum} placeholder="00/00/00" '
            'aria-describedby="wage-effective-date-help" data-pickadate-small required>\n'
            '                                <p id="wage-effective-date-help" class="help-block">'
            "The effective date for a new wage must be at least a day after the effective date "
            "of the latest wage.</p>\n",
            "validate-wage-effective-date",
            True,
        )
        + _wage_block(state, state.site_ids_of(emp.sites)).replace("<h2>Compensation</h2>\n", "")
        + '                            <button type="submit" id="btn-employee-compensation-submit" '
        'class="btn btn-success btn-lg btn-block">Save</button>\n'
        '                            <button type="reset" id="btn-employee-compensation-cancel" '
        'class="btn btn-default btn-lg btn-block form-toggle">Cancel</button>\n'
        "        </form>\n    </div>\n"
        '    <div class="main-column-full-width">\n                <div class="table-responsive">\n'
        '            <table class="table table-full-width table-striped table-hover '
        'table-employee-compensation-history">\n                <thead>\n                <tr>\n'
        '                    <th class="employee-compensation-col-wage-type">Wage Type</th>\n'
        '                    <th class="employee-compensation-col-wage">Wage</th>\n'
        '                    <th class="employee-compensation-col-overtime-eligible text-center">'
        "Overtime Eligible</th>\n"
        '                    <th class="employee-compensation-col-overtime-rate">Overtime '
        "Rate</th>\n"
        '                    <th class="employee-compensation-col-effective-date">Effective Date'
        "</th>\n"
        '                    <th class="employee-compensation-col-end-date">End Date</th>\n'
        "                </tr>\n                </thead>\n                <tbody>\n"
        + "".join(rows)
        + "                </tbody>\n            </table>\n        </div>\n    </div>\n"
    )
    return layout.page(title, main)


# --- pager (§10.5, §12.3)
def pager(kind: str, base: str, current: int, last: int, query: str, ellipsis: str) -> str:
    """``nav#pager-<kind>``: prev/next buttons, pages 1-2, current +/- 2, last two, gaps."""
    if last <= 1 and current <= 1:
        return ""
    q = f"?{esc(query)}" if query else ""

    def href(n: int) -> str:
        return f"{base}{q}" if n == 1 and kind == "users" else f"{base}/{n}{q}"

    parts = [f'        <nav id="pager-{kind}" class="text-center pagination-fullwidth">\n']
    if current > 1:
        parts.append(
            f'                                    <a id="pager-{kind}-prev" class="btn btn-info '
            f'pull-left" href="{href(current - 1)}" aria-label="Previous"><i class="fa '
            'fa-chevron-left"></i></a>\n'
        )
    if current < last:
        parts.append(
            f'                                    <a id="pager-{kind}-next" class="btn btn-info '
            f'pull-right" href="{href(current + 1)}" aria-label="Next"><i class="fa '
            'fa-chevron-right"></i></a>\n'
        )
    parts.append('                        <div class="pagination-fullwidth-pages">\n')
    parts.append('            <ul class="pagination ">\n')
    top = max(last, current)
    shown = sorted(
        {n for n in (1, 2, top - 1, top) if 1 <= n <= top}
        | {n for n in range(current - 2, current + 3) if 1 <= n <= top}
    )
    prev = 0
    for n in shown:
        if n - prev > 1:
            parts.append(f"                        <li><span>{ellipsis}</span></li>\n")
        if n == current:
            parts.append(
                '                    <li class="active">\n'
                f'                        <a id="pager-{kind}-page-{n}" href="#">{n} '
                '<span class="sr-only">(current)</span></a>\n                    </li>\n'
            )
        else:
            parts.append(
                f'                            <li>\n                                <a id="pager-'
                f'{kind}-page-{n}" href="{href(n)}">{n}</a>\n                            </li>\n'
            )
        prev = n
    parts.append(f"            </ul>\n        </div></nav><!-- /pager-{kind}-pager -->\n")
    return "".join(parts)


# --- employee list (§10)
def employee_list(
    layout: Layout,
    state: TenantState,
    rows: Sequence[StoredEmployee],
    *,
    flash: Flash | None,
    filters: dict[str, str],
    sites_filter: Sequence[int],
    page: int,
    last_page: int,
    query: list[tuple[str, str]],
    sort_type: str,
    sort_dir: int,
) -> str:
    """``GET /employee[/<page>]``: filter form, table (10 columns), pager."""
    tree = state.tenant.tree
    by_code = sorted(tree.sites, key=lambda s: (s.code or s.name).lower())
    code_of = {s.id: s.code or s.name for s in tree.sites}
    chosen_sites = set(sites_filter)
    site_opts = "".join(
        f'                                            <option value="{s.id}"'
        f"{_b(s.id in chosen_sites, 'selected')}>{esc(s.code or s.name)}</option>\n"
        for s in by_code
    )
    active = filters.get("active", "active")
    active_opts = "".join(
        f'<option value="{v}"{_b(v == active, "selected")}>{t}</option>'
        for v, t in (("all", "All"), ("active", "Active"), ("inactive", "Inactive"))
    )
    dept_name = {d.id: d.name for d in state.tenant.departments}
    qs = urlencode(query)
    body: list[str] = []
    for e in rows:
        codes = ", ".join(sorted((code_of[i] for i in state.site_ids_of(e.sites)), key=str.lower))
        depts = "".join(
            f"                                            <li>{esc(dept_name.get(d, d))}</li>\n"
            for d in sorted(e.department_ids, key=lambda d: dept_name.get(d, "").lower())
        )
        current_wage = max(e.wages, key=lambda w: w.effective_date, default=None)
        wage_type = (
            "" if current_wage is None else ("Hourly" if current_wage.is_hourly else "Salary")
        )
        since = e.active_since.strftime("%Y-%m-%d %H:%M:%S")
        if e.active:
            marker = (
                '            <i class="fa fa-check fa-lg text-success" data-toggle="tooltip" '
                f'data-placement="top" title="Employee is Active since {since}"></i><span '
                f'class="sr-only">Employee is Active since {since}</span>\n'
            )
        else:
            marker = (
                '            <i class="fa fa-times fa-lg text-danger" data-toggle="tooltip" '
                'data-placement="top" title="Employee is Inactive"></i><span class="sr-only">'
                "Employee is Inactive</span>\n"
            )
        n = esc(e.full_name)
        body.append(
            "                                            <tr>\n"
            '                            <td class="employees-col-first-name"><span '
            f'style="white-space: pre">{esc(e.first_name)}</span></td>\n'
            '                            <td class="employees-col-last-name"><span '
            f'style="white-space: pre">{esc(e.last_name)}</span></td>\n'
            '                            <td class="employees-col-sites">\n'
            f"                                    {esc(codes)}</td>\n"
            '                            <td class="employees-col-template">'
            f"{esc(state.access_label(e))}</td>\n"
            "                            <td "
            f'class="employees-col-pos-user-id">{e.pos_user_id}</td>\n'
            '                            <td class="employees-col-departments">\n'
            '                                <ul class="list-inline nix-bm comma-separated">\n'
            f"{depts}                                </ul>\n                            </td>\n"
            '                            <td class="employees-col-phone text-nowrap">\n'
            f'                                <a title="Click to make a call" '
            f'href="tel:{esc(e.phone)}">{esc(e.phone)}</a>\n                            </td>\n'
            '                            <td class="employees-col-wage-type text-center">\n'
            f"                                    {wage_type}\n                            </td>\n"
            '                            <td class="employees-col-active text-center" '
            f'data-date-replace="{since}" data-date-utc="{since}">\n{marker}'
            "                            </td>\n"
            '                            <td class="customers-col-edit text-nowrap text-right">\n'
            f'                                <a id="link-employee-compensation-{e.id}" '
            f'class="btn btn-link link-edit" href="/employee/compensation/{e.id}" '
            f'title="View Compensation for {n}"><span class="sr-only">View Compensation for {n}'
            '</span><i class="fa fa-dollar-sign fa-lg"></i></a>\n'
            f'                                <a id="link-employee-permission-{e.id}" '
            f'class="btn btn-link link-edit" href="/employee/permissions/{e.id}" '
            f'title="View Access for {n}"><span class="sr-only">View Access for {n}</span>'
            '<i class="fa fa-shield fa-lg"></i></a>\n'
            f'                                <a id="link-employee-timesheet-{e.id}" '
            f'class="btn btn-link link-edit" href="/timesheet/{e.id}" '
            f'title="View Timesheet for {n}"><span class="sr-only">View Timesheet for {n}</span>'
            '<i class="fa fa-clock fa-lg"></i></a>\n'
            f'                                <a id="link-edit-employee-{e.id}" '
            f'class="btn btn-link link-edit" href="/employee/edit/{e.id}" title="Edit {n}">'
            f'<span class="sr-only">Edit {n}</span><i class="fa fa-pencil-alt fa-lg"></i></a>\n'
            "                            </td>\n                        </tr>\n"
        )

    def sort_link(col: str, label: str) -> str:
        is_sorted = sort_type == col
        new_dir = -sort_dir if is_sorted else 1
        q = [(k, v) for k, v in query if k not in ("sort_type", "sort_dir")]
        href = esc("/employee?" + urlencode([("sort_type", col), ("sort_dir", str(new_dir)), *q]))
        cls = (
            ("sorted sorted-asc" if sort_dir == 1 else "sorted sorted-desc")
            if is_sorted
            else ("not-sorted")
        )
        return (
            f'    <a class="col-th-link {cls}" id="sort-employee-{col.replace("_", "-")}" '
            f'href="{href}">{label}</a>\n'
        )

    buttons = (
        '            <div class="col-head-btn col-head-btn-top-a">\n'
        '                <button type="button" id="btn-toggle-employees-filters" class="btn '
        "btn-info "
        'btn-block" data-toggle="collapse" data-target="#table-employees-filters">Search\n'
        "                    &amp; Filter\n                </button>\n            </div>\n"
        '            <div class="col-head-btn col-head-btn-top-b">\n'
        '                <a href="/employee/create" id="btn-create-employee" class="btn '
        "btn-success "
        'btn-block">Create Employee</a>\n            </div>\n'
    )
    main = (
        _header("Employees", buttons=buttons)
        + alerts(flash)
        + '    <div class="main-column-full-width">\n'
        '        <div id="table-employees-filters" class="collapse">\n'
        '            <div class="table-filters">\n'
        '                <form data-submit-once id="frm-employee-list-search" method="get" '
        'action="/employee">\n'
        f'                                        <input type="hidden" name="sort_type" '
        f'value="{esc(sort_type)}">\n'
        f'            <input type="hidden" name="sort_dir" value="{sort_dir}">\n'
        '                                    <select id="employee-filter-sites" name="sites[]" '
        'data-placeholder="All Sites" multiple class="form-control chosen-select">\n'
        f"{site_opts}                                    </select>\n"
        '                                            <input type="text" id="employee-name-first" '
        f'name="first_name" value="{esc(filters.get("first_name", ""))}" class="form-control" '
        'autocomplete="dummy">\n'
        '                                            <input type="text" id="employee-name-last" '
        f'name="last_name" value="{esc(filters.get("last_name", ""))}" class="form-control" '
        'autocomplete="dummy">\n'
        '                                        <input type="text" id="employee-pos-user-id" '
        f'name="posUserId" value="{esc(filters.get("posUserId", ""))}" class="form-control" '
        'autocomplete="dummy">\n'
        '                                                <select id="employee-filter-active" '
        f'class="form-control" name="active">{active_opts}</select>\n'
        '                    <div class="alerts alerts-js-filters"></div>\n'
        '                                <button type="submit" '
        'id="btn-employees-view-filters-save" '
        'class="btn btn-success btn-block">Apply\n                                </button>\n'
        '                                <button type="reset" '
        'id="btn-employees-view-filters-cancel" class="btn btn-default btn-block">Cancel\n'
        "                                </button>\n"
        "                </form>\n            </div>\n        </div>\n"
        '        <div class="table-responsive">\n'
        '            <table class="table table-full-width table-striped table-hover '
        'table-employees-list">\n                <thead>\n                <tr>\n'
        '                                        <th class="employees-col-first-name">\n'
        + sort_link("first_name", "First Name")
        + "</th>\n"
        '                    <th class="employees-col-last-name">\n'
        + sort_link("last_name", "Last Name")
        + "</th>\n"
        '                    <th class="employees-col-sites">Available for Work Sites</th>\n'
        '                    <th class="employees-col-template">Access</th>\n'
        '                    <th class="employees-col-pos-user-id">POS <span class="text-nowrap">'
        "User ID</span></th>\n"
        '                    <th class="employees-col-departments">Departments</th>\n'
        '                    <th class="employees-col-phone">Phone</th>\n'
        '                    <th class="employees-col-wage-type text-center">Wage <span '
        'class="text-nowrap">Type</span></th>\n'
        '                    <th class="employees-col-active text-center">Active</th>\n'
        '                    <th class="employees-col-edit text-center"><span class="sr-only">'
        "Edit</span></th>\n                </tr>\n                </thead>\n                "
        "<tbody>\n"
        + "".join(body)
        + "                                                    </tbody>\n            </table>\n"
        "        </div>\n        <!-- /table-responsive -->\n"
        + pager("employees", "/employee", page, last_page, qs, "…")
        + "    </div>\n    <!-- /main-column-full-width -->\n"
    )
    return layout.page("Employees", main)


# --- Backoffice users (§11-§14)
def user_list(
    layout: Layout,
    state: TenantState,
    rows: Sequence[StoredUser],
    *,
    flash: Flash | None,
    filters: dict[str, str],
    page: int,
    last_page: int,
    query: list[tuple[str, str]],
    base: str,
) -> str:
    """``GET /user[/<page>]``: filter form, 7-column table, pager (§12)."""
    status = filters.get("statusSearch", "all")
    status_opts = "".join(
        f'                                            <option value="{v}"'
        f"{_b(v == status, 'selected')}>{t}</option>\n"
        for v, t in (("all", "All"), ("active", "Active"), ("inactive", "Inactive"))
    )
    qs = urlencode(query)
    body: list[str] = []
    for u in rows:
        phone = ""
        if u.employee_id is not None and u.employee_id in state.employees:
            phone = state.employees[u.employee_id].phone
        if u.is_deleted:
            marker = (
                '            <i class="fa fa-times fa-lg text-danger" data-toggle="tooltip" '
                'data-placement="top" title="Inactive"></i><span class="sr-only">Active</span>\n'
            )
        else:
            marker = (
                '            <i class="fa fa-check fa-lg text-success" data-toggle="tooltip" '
                'data-placement="top" title="Active"></i><span class="sr-only">Active</span>\n'
            )
        n = esc(u.full_name)
        body.append(
            "                                        <tr>\n"
            '                                        <td class="users-col-first-name"\n'
            f'                        data-se-truncate="20" >{esc(u.first_name)}</td>\n'
            '                    <td class="users-col-last-name"\n'
            f'                        data-se-truncate="20" >{esc(u.last_name)}</td>\n'
            '                    <td class="users-col-username">\n'
            f"                        {esc(u.username)}\n                    </td>\n"
            f'                    <td class="users-col-phone text-nowrap">{esc(phone)}</td>\n'
            f'                    <td class="users-col-email text-nowrap">{esc(u.email)}</td>\n'
            '                    <td class="users-col-active text-center">\n'
            f"{marker}                    </td>\n"
            '                    <td class="customers-col-edit text-nowrap text-right">\n'
            f'                        <a id="link-edit-permissions-user-{u.id}" class="btn '
            "btn-link "
            f'link-edit"\n                           href="/user/permissions/{u.id}"\n'
            f'                           title="Edit {n} Permissions" data-toggle="tooltip">\n'
            '                            <i class="fa fa-shield fa-lg"></i>\n'
            "                        </a>\n"
            f'                        <a id="link-edit-user-{u.id}" class="btn btn-link '
            'link-edit"\n'
            f'                           href="/user/edit/{u.id}"\n'
            f'                           title="Edit {n}" data-toggle="tooltip">\n'
            '                            <i class="fa fa-pencil-alt fa-lg"></i>\n'
            "                        </a>\n                    </td>\n                </tr>\n"
        )
    if not rows:
        body.append(
            '                                    <tr>\n                <td colspan="9">\n'
            '                    <h3 class="text-center nix-tbm">No Back Office Users found based '
            "on this search criteria.</h3>\n                </td>\n            </tr>\n"
        )
    current = dict(query)
    cur_type, cur_dir = current.get("sort_type", "username"), current.get("sort_dir", "1")
    limit = current.get("limit")
    # Sort links keep the current page and page size in the path segment: `/user` on a default
    # page 1, `/user/3312060?...` (w45f_probe_3312060), `/user/1:10000?...`
    # (w45_user_list_preflight); the sorted column's link flips the direction.
    seg = base if page == 1 and not limit else f"{base}/{page}" + (f":{limit}" if limit else "")
    q_no_sort = [(k, v) for k, v in query if k not in ("sort_type", "sort_dir", "limit")]

    def sort_href(col: str) -> str:
        new_dir = ("1" if cur_dir == "-1" else "-1") if col == cur_type else "1"
        return esc(f"{seg}?" + urlencode([("sort_type", col), ("sort_dir", new_dir), *q_no_sort]))

    def sort_cls(col: str) -> str:
        if col != cur_type:
            return "not-sorted"
        return "sorted sorted-desc" if cur_dir == "-1" else "sorted sorted-asc"

    def field(id_: str, name: str, label: str) -> str:
        return (
            f'                                <label for="{id_}" class="control-label">{label}'
            "</label>\n"
            '                                    <input type="text"\n'
            f'                                           id="{id_}"\n'
            f'                                           name="{name}"\n'
            f'                                           value="{esc(filters.get(name, ""))}"\n'
            '                                           class="form-control">\n'
        )

    buttons = (
        '            <div class="col-head-btn col-head-btn-top-a">\n'
        '                <a id="btn-toggle-users-filters" class="btn btn-info btn-block" '
        'data-toggle="collapse" href="#table-users-filters">Search &amp; Filter</a>\n'
        "            </div>\n"
        '            <div class="col-head-btn col-head-btn-top-b">\n'
        '                <a href="/user/create" id="btn-create-user" class="btn btn-success '
        'btn-block">Create User</a>\n            </div>\n'
        '            <div class="col-head-btn col-head-btn-bottom-right-b">\n'
        '                <a href="/user/export" id="btn-customer-export-csv" class="btn '
        'btn-default btn-block">Export User Permissions</a>\n            </div>\n'
    )
    main = (
        _header("Back Office Users", buttons=buttons)
        + alerts(flash)
        + '    <div class="main-column-full-width">\n'
        '        <div id="table-users-filters" class="collapse">\n'
        '            <div class="table-filters">\n'
        '                <form data-submit-once id="frm-user-list-search"\n'
        '                      method="get"\n                      action="/user">\n'
        + field("users-name-first", "firstNameSearch", "First Name")
        + field("users-name-last", "lastNameSearch", "Last Name")
        + field("users-user-name", "userNameSearch", "User Name")
        + field("users-email", "emailSearch", "Email")
        + '                                <select id="users-status-avail" name="statusSearch" '
        f'class="form-control">\n{status_opts}                                </select>\n'
        '                    <div class="alerts alerts-js-filters"></div>\n'
        '                                <button type="submit"\n'
        '                                        id="btn-users-view-filters-save"\n'
        '                                        class="btn btn-success btn-block">Apply\n'
        "                                </button>\n"
        '                                <button type="reset"\n'
        '                                        id="btn-users-view-filters-cancel"\n'
        '                                        class="btn btn-default btn-block">Cancel\n'
        "                                </button>\n"
        "                </form>\n            </div>\n        </div>\n"
        '<div class="table-responsive">\n'
        '    <table class="table table-full-width table-striped table-hover table-users-list">\n'
        "        <thead>\n        <tr>\n"
        '                        <th class="users-col-first-name">\n                First Name\n'
        "            </th>\n"
        '            <th class="users-col-last-name">\n                Last Name\n            '
        "</th>\n"
        '            <th class="users-col-username">\n'
        f'    <a class="col-th-link {sort_cls("username")}"\n'
        '                  id="sort-user-username"\n'
        f'              href="{sort_href("username")}">Username</a>\n            </th>\n'
        '            <th class="users-col-phone">Phone</th>\n'
        '            <th class="users-col-email">Email</th>\n'
        '            <th class="users-col-active text-center">\n'
        f'    <a class="col-th-link {sort_cls("active")}"\n'
        '                  id="sort-user-active"\n'
        f'              href="{sort_href("active")}">Active</a>\n            </th>\n'
        '            <th class="users-col-edit text-center"><span '
        'class="sr-only">Edit</span></th>\n'
        "        </tr>\n        </thead>\n        <tbody>\n"
        + "".join(body)
        + "                    </tbody>\n    </table>\n</div>\n<!-- /table-responsive -->\n"
        + pager("users", "/user", page, last_page, qs, "&hellip;")
        + "    </div>\n    <!-- /main-column-full-width -->\n"
    )
    return layout.page("Back Office Users", main)


def user_create(layout: Layout, state: TenantState, flash: Flash | None) -> str:
    """``GET /user/create`` (§11): linked mode by default, employee dropdown with data-*."""
    emps = sorted(
        state.employees.values(), key=lambda e: (e.first_name.lower(), e.last_name.lower(), e.id)
    )
    opts = "".join(
        "                                                            <option "
        f'value="{e.id}" data-email="{esc(e.email)}" data-first-name="{esc(e.first_name)}" '
        f'data-last-name="{esc(e.last_name)}">{esc(e.full_name)}</option>\n'
        for e in emps
    )
    main = (
        '    <header class="sonny-header">\n'
        '        <h1 id="page-title">Create Back Office User</h1>\n    </header>\n'
        '    <div class="form-sonny">\n'
        + alerts(flash)
        + '        <form id="user-create-edit-form" action="/user/insert" autocomplete="off" '
        'method="post">\n'
        '                <input type="checkbox"\n'
        '                       id="employee-of-the-wash-toggle"\n'
        '                       name="employee[isOnSiteEmployee]"\n'
        '                       value="1"\n                       data-toggle="toggle"\n'
        '                       data-on="Yes"\n                       data-off="No"\n'
        "                       checked>\n"
        '                <label for="employee-of-the-wash-toggle" class="control-label">Is this '
        "user an Employee of the Wash?</label>\n"
        '            <div class="form-group" id="wash-employee">\n'
        '                        <select id="user-employee" class="form-control chosen-select" '
        'name="user[employeeId]" data-placeholder="Please Select Employee" required>\n'
        '                            <option class="placeholder" value=""></option>\n'
        f"{opts}                        </select>\n            </div>\n"
        '            <div class="form-group" id="non-wash-employee" style="display: none;">\n'
        '                    <input type="text" class="form-control" id="employee-first-name" '
        'name="employee[firstName]" value="" maxlength="64" minlength="2" required>\n'
        '                    <input type="text" class="form-control" id="employee-last-name" '
        'name="employee[lastName]" value="" maxlength="64" minlength="2" required>\n'
        "            </div>\n"
        '            <input type="hidden" value="" id="selected-employee-id">\n'
        '                <input type="text" class="form-control" id="user-email" '
        'name="employee[email]" required data-required="true" value="">\n'
        '                <button type="button" id="employee-email-check" class="btn '
        'btn-clear-success square" title="Email Availability Check"></button>\n'
        '                <p class="help-block">Email is required so user can reset their '
        "Password.</p>\n"
        '                <input type="text" class="form-control" id="user-username" '
        'name="user[username]" value="" maxlength="64" required pattern="[A-Za-z][\\w]{2,63}">\n'
        '                <button type="button" id="username-check" class="btn btn-clear-success '
        'square" title="Username Availability Check"></button>\n'
        '                <p class="help-block">Must start with a letter and contain 3 to 64 '
        "alpha-numeric characters.</p>\n"
        '            <div class="hidden sso-migration">\n'
        '                <input type="checkbox" class="linkExistingAccountField" '
        'name="user[linkExistingAccount]" value="1">\n            </div>\n'
        '                <input type="password" class="form-control" id="user-password" '
        'name="user[password]" value="" required>\n'
        '                <button type="button" id="show-hide-pass" class="btn btn-clear-success '
        'square"></button>\n'
        '                <input type="password" class="form-control" id="user-confirm-password" '
        'name="user[confirmPassword]" value="" required>\n'
        '                <p class="help-block">Password and Confirm Password must match and have '
        "at least 8 alpha-numeric characters.</p>\n"
        '                            <button type="submit" id="btn-user-save" class="btn '
        'btn-success btn-lg btn-block">Set Permissions</button>\n'
        '                            <a href="/user" id="btn-user-cancel" class="btn btn-default '
        'btn-lg btn-block">Cancel</a>\n'
        "        </form>\n    </div>\n"
    )
    return layout.page("Create Back Office User", main)


def user_edit(layout: Layout, user: StoredUser, flash: Flash | None) -> str:
    """``GET /user/edit/<id>`` (§14): inverted toggles, ``user[isDeleted]`` checked = inactive."""
    emp_id = "" if user.employee_id is None else str(user.employee_id)
    main = (
        '                    <header class="sonny-header">\n'
        '                <h1 id="page-title">Edit Back Office User</h1>\n'
        '                <h3 id="page-sub-title">Name: '
        f"<strong>{esc(user.full_name)}</strong></h3>\n"
        "    </header>\n"
        '    <div class="form-sonny">\n'
        + alerts(flash)
        + '        <form id="user-edit-edit-form" action="/user/update" autocomplete="off" '
        'method="post">\n'
        f'            <input type="hidden" value="{emp_id}" name="employee[id]" id="employee-id">\n'
        f'            <input type="hidden" value="{emp_id}" name="user[employeeId]">\n'
        f'            <input type="hidden" value="{user.id}" name="user[userId]" id="user-id">\n'
        '            <input type="hidden" value="" name="user[cognitoIdentityEmail]">\n'
        f'            <input type="hidden" value="{emp_id}" id="selected-employee-id">\n'
        '                <input type="text"\n                       class="form-control"\n'
        '                       id="user-email"\n                       name="employee[email]"\n'
        f'                       required\n                       value="{esc(user.email)}">\n'
        '                <button type="button" id="employee-email-check" class="btn '
        'btn-clear-success square"></button>\n'
        '                <input type="text"\n                       class="form-control"\n'
        '                       id="user-username"\n                       name="user[username]"\n'
        f'                       value="{esc(user.username)}"\n'
        '                       maxlength="64"\n                       required\n'
        '                       pattern="[A-Za-z][\\w]{2,63}">\n'
        '                <button type="button" id="username-check" class="btn btn-clear-success '
        'square"></button>\n'
        '                                <input type="checkbox"\n'
        '                                       id="user-change-password"\n'
        '                                       name="user[changePassword]"\n'
        '                                       value="1"\n'
        '                                       data-toggle="toggle"\n'
        '                                       data-on="No"\n'
        '                                       data-off="Yes"\n'
        "                                       checked>\n"
        '                                <label for="user-change-password" '
        'class="control-label">Change Password</label>\n'
        '                            <input type="password" class="form-control" '
        'id="user-password" '
        'name="user[password]" value="">\n'
        '                            <button type="button" id="show-hide-pass" class="btn '
        'btn-clear-success square"></button>\n'
        '                            <input type="password" class="form-control" '
        'id="user-confirm-password" name="user[confirmPassword]" value="">\n'
        '                            <input type="checkbox"\n'
        '                                   id="universal-site-access"\n'
        '                                   class="sub-report"\n'
        '                                   name="universalSiteAccess"\n'
        '                                   value="1"\n'
        '                                   data-on="Grant"\n'
        '                                   data-off="Deny"\n'
        f"                                   {'checked' if user.sites == ALL else ''}>\n"
        '                            <label for="universal-site-access" class="control-label">'
        "Universal Site Access</label>\n"
        '                            <input type="checkbox"\n'
        '                                   id="user-deleted"\n'
        '                                   name="user[isDeleted]"\n'
        '                                   value="1"\n'
        '                                   data-on="No"\n'
        '                                   data-off="Yes"\n'
        f"                                   {'checked' if user.is_deleted else ''}>\n"
        '                            <label for="user-deleted" class="control-label">User is '
        "active?</label>\n"
        '                            <button type="submit"\n'
        '                                    id="btn-user-save"\n'
        '                                    class="btn btn-success btn-lg '
        'btn-block">Save</button>\n'
        '                            <a href="/user"\n'
        '                               id="btn-user-cancel"\n'
        '                               class="btn btn-default btn-lg btn-block">Cancel</a>\n'
        "        </form>\n    </div>\n"
    )
    return layout.page(f"Edit Back Office User for {user.full_name}", main)


def _bo_template_options() -> str:
    return "".join(
        "                                                            <option\n"
        f'                                    value="{t.id}"\n'
        f'                                    data-permissions-set="{",".join(t.tokens)}">\n'
        f"                                                                            "
        f"{esc(t.name)}\n"
        "                                                                    </option>\n"
        for t in BO_TEMPLATES
    )


_BO_TEMPLATE_OPTIONS = _bo_template_options()


def user_permissions(
    layout: Layout, state: TenantState, user: StoredUser, flash: Flash | None
) -> str:
    """``GET /user/permissions/<id>`` (§13): tree with ``siteIds[]``, template, 105 tokens."""
    enabled = flash.echo_tokens if flash and flash.echo_tokens is not None else user.tokens
    groups = []
    for group in BO_PERMISSION_GROUPS:
        key, title = group.key, group.title
        rows = []
        for p in group.permissions:
            idx, token, label = p.index, p.token, p.label
            sibling, toggle_on, css = p.sibling, p.toggle_sibling_on, p.css_class
            pid = "perm-" + token.replace(".", "-")
            rows.append(
                f'                                <input type="hidden" name="perms[{idx}][token]" '
                f'value="{esc(token)}">\n'
                '                                <input type="checkbox"\n'
                f'                                       id="{pid}"\n'
                f'                                       class="{css}"\n'
                f'                                       name="perms[{idx}][isEnabled]"\n'
                '                                       data-toggle="toggle"\n'
                '                                       data-on="Grant"\n'
                '                                       data-off="Deny"\n'
                f'                                       data-sibling="{esc(sibling)}"\n'
                f'                                       data-toggle-sibling-on="{toggle_on}"\n'
                '                                       value="1"\n'
                f"                                       {'checked' if token in enabled else ''}>\n"
                f'                                <label for="{pid}" class="control-label">'
                f"{esc(label)}</label>\n"
            )
        groups.append(
            '                            <div class="sbox-collapse ">\n'
            f'    <a id="link-sbox-collapse-permission-{key}"\n'
            '       class="sbox-collapse-head  collapsed"\n       role="button"\n'
            f'       data-toggle="collapse"\n       href="#sbox-permission-{key}">\n'
            f'                <h3 class="sbox-collapse-title">{esc(title)}<span class="sr-only">'
            "View Options</span></h3>\n    </a>\n"
            f'        <div id="sbox-permission-{key}"\n'
            '             class="sbox-collapse-area collapse">\n'
            + "".join(rows)
            + "        </div>\n                            </div>\n"
        )
    sub = (
        f"Name: <strong>{esc(user.full_name)}</strong>, Username: "
        f"<strong>{esc(user.username)}</strong>"
    )
    main = (
        _header("Back Office Access Control", sub)
        + '    <div class="form-sonny">\n'
        + alerts(flash)
        + '        <form data-submit-once id="user-permissions-update-form"\n'
        '              action="/user/permissions/update"\n              method="post">\n'
        f'            <input type="hidden" name="userId" value="{user.id}">\n'
        '            <input type="hidden" name="userIsNew" value="">\n'
        + site_tree(state.tenant.tree, user.sites, bo=True)
        + '                <label class="control-label" for="template">Permissions Templates'
        "</label>\n"
        '                        <select\n                            id="template"\n'
        '                            aria-describedby="template-help"\n'
        '                            class="form-control chosen-select"\n'
        '                            data-placeholder="Load from a Template"\n'
        '                            name="template">\n'
        '                            <option value="" selected>Load from a Template</option>\n'
        + _BO_TEMPLATE_OPTIONS
        + "                                                    </select>\n"
        "            <h2>Permissions</h2>\n"
        + "".join(groups)
        + '                            <button type="submit"\n'
        '                                    id="btn-customer-save"\n'
        '                                    class="btn btn-lg btn-block btn-success">\n'
        "                                Save\n                            </button>\n"
        '                            <a href="/user"\n'
        '                               id="btn-user-cancel"\n'
        '                               class="btn btn-default btn-lg btn-block">Cancel</a>\n'
        "        </form>\n    </div><!-- /form-sonny -->\n"
    )
    return layout.page(f"Back Office Access Control for {user.full_name}", main)


def template_list(layout: Layout, *, bo: bool) -> str:
    """``GET /pos-permission-template/list`` or ``/bo-permission-template/list`` (§15)."""
    rows_data = BO_TEMPLATE_LIST if bo else POS_TEMPLATE_LIST
    prefix = "/bo-permission-template" if bo else "/pos-permission-template"
    title = "BO Permission Templates List" if bo else "POS Permission Templates List"
    rows = "".join(
        "                    <tr>\n"
        f"                <td>{esc(name)}</td>\n                <td>{esc(desc)}</td>\n"
        "                <td>\n"
        f'                                        <a href="{prefix}/edit/{tid}"\n'
        '                       class="btn btn-link link-edit"\n'
        f'                       title="{"Edit" if editable else "View Only"}">\n'
        f'                        <i class="fa fa-lg {"fa-pencil-alt" if editable else "fa-eye"}">'
        "</i>\n                    </a>\n                </td>\n            </tr>\n"
        for tid, name, desc, editable in rows_data
    )
    buttons = (
        '            <div class="col-head-btn col-head-btn-top-b">\n'
        f'                <a href="{prefix}/create" id="btn-create-permission-template" '
        'class="btn btn-success btn-block">Create Template</a>\n            </div>\n'
    )
    main = (
        _header(title, buttons=buttons)
        + alerts(None)
        + '    <div class="main-column-full-width">\n<div class="table-responsive">\n'
        '    <table class="table table-full-width table-striped table-hover">\n'
        "        <thead>\n        <tr>\n            <th>Template Name</th>\n"
        "            <th>Template Description</th>\n            <th>Action</th>\n"
        "        </tr>\n        </thead>\n        <tbody>\n"
        + rows
        + "                </tbody>\n    </table>\n</div>\n    </div>\n"
    )
    return layout.page(title, main)


def not_found(layout: Layout) -> str:
    """A plain 404 page."""
    return layout.page("Page Not Found", _header("Page Not Found") + alerts(None))


def format_since(value: datetime) -> str:
    """``YYYY-mm-dd HH:MM:SS`` as in ``data-date-utc``."""
    return value.strftime("%Y-%m-%d %H:%M:%S")
