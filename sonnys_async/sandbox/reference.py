"""Reference data of the simulated tenant: sites, departments, POS permissions and templates.

The hierarchical tenant reproduces the sample tenant ``washu`` of protocol §5.1 and §17 (ids, names,
short codes, order); the flat variant keeps the same 19 sites without regions or districts
(§5.4, unverified shape). The Backoffice permission catalogue lives in
:mod:`sonnys_async.sandbox.catalogue` (a data file); the seeded roster in
:mod:`sonnys_async.sandbox.roster`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sonnys_async.domain import (
    BoTemplate,
    Department,
    District,
    PosPermission,
    PosTemplate,
    Region,
    Site,
    SiteTree,
)

__all__ = [
    "BO_TEMPLATES",
    "BO_TEMPLATE_LIST",
    "DEPARTMENTS",
    "POS_CATALOGUE",
    "POS_GROUPS",
    "POS_TEMPLATES",
    "POS_TEMPLATE_LIST",
    "TemplateRow",
    "Tenant",
    "flat_tenant",
    "hierarchical_tenant",
]

# --- sites (§5.1) ---------------------------------------------------------------------------------
REGIONS = (Region(1, "Global Region"), Region(2, "WashU Illinois"))
DISTRICTS = (District(1, "Global District", 1), District(2, "Carlos' District", 2))
_SITE_ROWS: tuple[tuple[int, str, str, int], ...] = (
    # Tree order: region 1 (17-20) then region 2 (1, 2, 4..16); there is no site 3.
    (17, "Wash 37135", "NOLO", 1),
    (18, "Wash 37055", "DKSN", 1),
    (19, "Wash 37062", "FRVW", 1),
    (20, "Wash 38301", "JKSN", 1),
    (1, "WashU Fiesta", "FIESTA", 2),
    (2, "WashU Centennial", "CENT", 2),
    (4, "WashU Niles", "NILES", 2),
    (5, "WashU Villa Park", "VILLAP", 2),
    (6, "WashU Des Plaines", "DESPLN", 2),
    (7, "WashU Naperville", "NAPER", 2),
    (8, "WashU Carol Stream", "CAROL", 2),
    (9, "WashU Wheaton", "WHEAT", 2),
    (10, "WashU Joliet", "JOLIET", 2),
    (11, "WashU Plainfield", "PLNFLD", 2),
    (12, "WashU Berwyn", "BERWYN", 2),
    (13, "WashU Burbank T1", "BURBT1", 2),
    (14, "WashU Evergreen Park T1", "EVRGRN", 2),
    (15, "WashU Evergreen Park T2", "EVERG2", 2),
    (16, "WashU Burbank T2", "BurbT2", 2),
)

# --- departments (§17.1) --------------------------------------------------------------------------
DEPARTMENTS = (
    Department(1, "Cashier"),
    Department(2, "Line"),
    Department(3, "Greeter"),
    Department(4, "Management"),
)

# --- POS permissions (§7.2, §17.3, §17.4) ---------------------------------------------------------
_POS_ROWS: tuple[tuple[int, str, str], ...] = (
    (1, "Manager Approval", "The permission to approve actions that require manager approval."),
    (2, "Return Transaction", "The permission to return or refund a transaction."),
    (3, "Paid In", "The permission to create a transaction with a paid in item."),
    (4, "Paid Out", "The permission to create a transaction with a paid out item."),
    (5, "Open Cash Drawer", "The permission to open the cash drawer."),
    (6, "Tax Exempt", "The permission to toggle tax exempt on transactions."),
    (7, "Price Change", "The permission to change item prices in a transaction."),
    (8, "Comp Sale", "The permission to comp a transaction."),
    (9, "Prompt For Price", "The permission to apply a price to selected items with no price."),
    (10, "Customer Add", "The permission to add a customer."),
    (11, "Customer Edit", "The permission to edit a customer."),
    (12, "Vehicle Add", "The permission to add a vehicle."),
    (13, "Vehicle Edit", "The permission to edit a vehicle."),
    (14, "Item Add", "The permission to add an item."),
    (15, "Item Edit", "The permission to edit an item."),
    (16, "Gift Card Add", "The permission to add a gift card."),
    (17, "Gift Card Edit", "The permission to edit a gift card."),
    (18, "House Account Add", "The permission to add a house account."),
    (19, "House Account Edit", "The permission to edit a house account."),
    (20, "Wash Book Add", "The permission to add a wash book."),
    (21, "Wash Book Edit", "The permission to edit a wash book."),
    (22, "Time Clock", "The permission to clock in or out employees."),
    (23, "Reports", "The permission to run reports."),
    (24, "Back Office Internet", "The permission to launch the browser with back office."),
    (25, "Login", "The permission to login to the main POS interface."),
    (26, "Cash Drop", "The permission to perform a session cashdrop on POS."),
    (27, "Panel External", "The permission to view the external POS panel on POS."),
    (28, "Rewash Transaction", "The permission to rewash a transaction."),
    (
        29,
        "Rewash Transaction With Code",
        "The permission to generate 1 time use code for a rewash transaction.",
    ),
    (30, "Dollar Discount", "The permission to apply a dollar discount."),
    (31, "Percent discount", "The permission to apply a percent discount."),
    (32, "Instant Promotion", "The permission to apply an instant promotion."),
    (33, "Open Refund", "The permission to create an open refund."),
    (
        34,
        "SPS Admin",
        "The permission to activate, cancel, and change tags, plans and updates credit card "
        "information.",
    ),
)
POS_CATALOGUE: tuple[PosPermission, ...] = tuple(PosPermission(*row) for row in _POS_ROWS)
POS_BY_ID: dict[int, PosPermission] = {p.id: p for p in POS_CATALOGUE}
APPROVAL_AUTHORITY_LABEL = "Action Approval Authority"
APPROVAL_AUTHORITY_DESCRIPTION = (
    "When Granted this user has access to all POS features and can approve any Action for users "
    "requiring approval."
)
#: Collapsible groups of the matrix in document order (§7.2): (key, title, permission ids).
POS_GROUPS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("general", "General", (1, 22, 23, 24, 34)),
    ("transaction", "Transaction", (2, 5, 6, 7, 8, 9, 28, 29)),
    ("paid", "Paid In & Paid Out", (3, 4)),
    ("customer", "Customer", (10, 11)),
    ("vehicle", "Vehicle", (12, 13)),
    ("item", "Item", (14, 15)),
    ("gift_card", "Gift Card", (16, 17)),
    ("house_account", "House Account", (18, 19)),
    ("wash_book", "Wash Book", (20, 21)),
    ("pos", "Pos", (25, 26, 27, 33)),
    ("discount", "Discount", (30, 31, 32)),
)


def _ids(*parts: int | range) -> frozenset[int]:
    out: set[int] = set()
    for p in parts:
        out.update(p if isinstance(p, range) else (p,))
    return frozenset(out)


POS_TEMPLATES: tuple[PosTemplate, ...] = (
    PosTemplate(1, "Manager", _ids(range(1, 35))),
    PosTemplate(
        2, "Cashier", _ids(range(2, 35)), _ids(2, 3, 4, 6, 7, 8, 9, 24, 28, 29, 30, 31, 32, 33, 34)
    ),
    PosTemplate(3, "General User", _ids(22)),
    PosTemplate(4, "General Manager", _ids(range(1, 35))),
    PosTemplate(5, "Assistant Manager", _ids(range(1, 28), range(30, 35))),
    PosTemplate(
        6,
        "Shift Leader",
        _ids(2, 4, 5, 10, 11, 12, 13, 16, 17, 18, 20, 21, 23, 25, 27, 30, 31, 32, 33, 34),
        _ids(18, 33),
    ),
    PosTemplate(
        8,
        "CSA",
        _ids(2, 4, 9, 10, 11, 12, 13, 16, 17, 18, 20, 21, 25, 27, 30, 31, 32, 33, 34),
        _ids(4, 17, 18, 30, 31, 33),
    ),
)


class TemplateRow(NamedTuple):
    """One row of a template list page (§15)."""

    id: int
    name: str
    description: str
    editable: bool


#: POS template list page rows (§15).
POS_TEMPLATE_LIST: tuple[TemplateRow, ...] = (
    TemplateRow(1, "Manager", "The manager set of permissions", False),
    TemplateRow(2, "Cashier", "The cashier set of permissions", False),
    TemplateRow(3, "General User", "The general user set of permissions", False),
    TemplateRow(4, "General Manager", "General Managers of stores", True),
    TemplateRow(
        5, "Assistant Manager", "General Manager permissions with some Approval Required", True
    ),
    TemplateRow(6, "Shift Leader", "Shift Leader", True),
    TemplateRow(8, "CSA", "Customer Service Attendant", True),
)

# --- Backoffice permissions (§13.3, §15, §17.5, §17.6) --------------------------------------------
_ADMIN = (
    "reconciliation.daily.audit,user.all,commission.list,commission.write,district.write,"
    "region.write,sms.marketing.write,report.currentMembershipValue,customer.list,customer.write,"
    "report.dailyComparison,dashboard.all,promotion.list,promotion.write,ecommManage.all,"
    "employee.uac,report.employeeCommissions,employee.timesheet,report.employeeTimesheets,"
    "employee.wage.all,employee.list,employee.write,fuelPump.all,report.generalLedger,"
    "report.generalLedgerV2,globalSettings.all,report.grossDailyDepartmentLaborCosts,"
    "report.grossDailyLaborCosts,report.grossHourlyLaborCosts,report.hourlyComparison,"
    "houseAccount.list,houseAccount.write,incident.list,incident.write,item.addOn.list,"
    "item.addOn.write,item.detail.list,item.detail.write,item.merchandise.list,"
    "item.merchandise.write,item.service.list,item.service.write,item.wash.list,item.wash.write,"
    "report.lineItemSales,district.list,region.list,sms.marketing.list,loyalty.list,loyalty.write,"
    "report.monthlyComparison,report.netDailyDepartmentLaborCosts,report.netDailyLaborCosts,"
    "report.netHourlyLaborCosts,report.overviewComparison,part.write,part.alert,part.list,"
    "prepaid.list,prepaid.write,quivio.presentation.list,quivio.presentation.read,"
    "quivio.presentation.write,reconciliation.session.all,reconciliation.daily.reconcile,"
    "report.recurringProfitability,report.all,quivio.gamification.rewardCatalog.read,"
    "quivio.gamification.rewardCatalog.write,quivio.gamification.rewardPoints.list,"
    "quivio.gamification.rewardPoints.write,report.salesDetail,report.salesOverview,"
    "report.salesOverviewV2,category.list,category.write,siteConfig.all,"
    "siteConfig.emailReport.all,posConfig.buttons.all,posConfig.receipt.all,"
    "tunnel.admin.complete,vehicle.list,vehicle.write,quivio.voiceRecording.siteSettings.read,"
    "quivio.voiceRecording.siteSettings.write"
)
_MANAGER = (
    "user.all,commission.list,commission.write,customer.list,customer.write,dashboard.all,"
    "promotion.list,promotion.write,employee.uac,employee.timesheet,employee.wage.all,"
    "employee.list,employee.write,houseAccount.list,houseAccount.write,item.addOn.list,"
    "item.addOn.write,item.detail.list,item.detail.write,item.merchandise.list,"
    "item.merchandise.write,item.service.list,item.service.write,item.wash.list,item.wash.write,"
    "loyalty.list,loyalty.write,part.write,part.alert,part.list,prepaid.list,prepaid.write,"
    "reconciliation.session.all,reconciliation.daily.reconcile,report.all,category.list,"
    "category.write,siteConfig.emailReport.all,posConfig.buttons.all,posConfig.receipt.all,"
    "vehicle.list,vehicle.write"
)
_GENERAL_USER = (
    "commission.list,customer.list,promotion.list,employee.list,houseAccount.list,item.addOn.list,"
    "item.detail.list,item.merchandise.list,item.service.list,item.wash.list,prepaid.list,"
    "category.list,vehicle.list,vehicle.write"
)
_GENERAL_MANAGER = (
    "reconciliation.daily.audit,smart_stop.event.read,customer.list,customer.write,dashboard.all,"
    "report.employeeCommissions,employee.timesheet,report.employeeTimesheets,employee.list,"
    "employee.write,report.grossDailyLaborCosts,report.grossHourlyLaborCosts,houseAccount.list,"
    "report.lineItemSales,report.netDailyLaborCosts,report.netHourlyLaborCosts,prepaid.list,"
    "reconciliation.session.all,reconciliation.daily.reconcile,report.salesDetail,"
    "report.salesOverviewV2,smart_stop.event.write,smart_stop.event.list,vehicle.list,"
    "vehicle.write"
)
_SHIFT_LEADER = (
    "reconciliation.daily.audit,reconciliation.session.all,reconciliation.daily.reconcile"
)

#: Access-page template options (option text, token set in attribute order).
BO_TEMPLATES: tuple[BoTemplate, ...] = (
    BoTemplate(1, "Administrator", tuple(_ADMIN.split(","))),
    BoTemplate(2, "Manager", tuple(_MANAGER.split(","))),
    BoTemplate(3, "General User", tuple(_GENERAL_USER.split(","))),
    BoTemplate(42, "General Manager", tuple(_GENERAL_MANAGER.split(","))),
    BoTemplate(43, "Shift Leader", tuple(_SHIFT_LEADER.split(","))),
)
#: BO template list page rows (§15): the list names differ from the option texts (§21.27).
BO_TEMPLATE_LIST: tuple[TemplateRow, ...] = (
    TemplateRow(1, "admin", "Administrator ", False),
    TemplateRow(2, "manager", "Manager ", False),
    TemplateRow(3, "user", "General User ", False),
    TemplateRow(42, "General Manager", "General Managers of stores ", True),
    TemplateRow(43, "Shift Leader", "Shift Leader ", True),
)


@dataclass(frozen=True, slots=True)
class Tenant:
    """Static shape of one simulated tenant."""

    name: str
    tree: SiteTree
    departments: tuple[Department, ...]

    @property
    def hierarchical(self) -> bool:
        """True when the tenant has regions and districts."""
        return self.tree.hierarchical


def hierarchical_tenant() -> Tenant:
    """The sample tenant of protocol §5.1 (regions -> districts -> sites)."""
    sites = tuple(
        Site(sid, name, code, district_id=region, region_id=region)
        for sid, name, code, region in _SITE_ROWS
    )
    return Tenant("washu", SiteTree(sites, REGIONS, DISTRICTS, hierarchical=True), DEPARTMENTS)


def flat_tenant() -> Tenant:
    """The same 19 sites without regions or districts (flat shape of §5.4, unverified)."""
    sites = tuple(Site(sid, name, code) for sid, name, code, _ in _SITE_ROWS)
    return Tenant("washu-flat", SiteTree(sites, (), (), hierarchical=False), DEPARTMENTS)
