"""Reference data of the simulated tenant and the seeded roster generator.

The hierarchical tenant reproduces the sample tenant ``washu`` of protocol §5.1 and §17 (ids, names,
short codes, order); the flat variant keeps the same 19 sites without regions or districts
(§5.4, unverified shape). :func:`generate_roster` fabricates employees and Backoffice users with
fake names, deterministically per seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

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
from sonnys_async.sandbox._bo_catalog import BO_PERMISSION_GROUPS

__all__ = [
    "BO_PERMISSION_GROUPS",
    "BO_TEMPLATES",
    "BO_TEMPLATE_LIST",
    "BO_TOKENS",
    "DEPARTMENTS",
    "POS_CATALOGUE",
    "POS_GROUPS",
    "POS_TEMPLATES",
    "POS_TEMPLATE_LIST",
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
#: POS template list page rows (§15): (id, name, description, editable).
POS_TEMPLATE_LIST: tuple[tuple[int, str, str, bool], ...] = (
    (1, "Manager", "The manager set of permissions", False),
    (2, "Cashier", "The cashier set of permissions", False),
    (3, "General User", "The general user set of permissions", False),
    (4, "General Manager", "General Managers of stores", True),
    (5, "Assistant Manager", "General Manager permissions with some Approval Required", True),
    (6, "Shift Leader", "Shift Leader", True),
    (8, "CSA", "Customer Service Attendant", True),
)

# --- Backoffice permissions (§13.3, §15, §17.5, §17.6) --------------------------------------------
#: The 105 tokens in index order (``perms[i][token]``).
BO_TOKENS: tuple[str, ...] = tuple(
    entry[1] for _, _, entries in BO_PERMISSION_GROUPS for entry in entries
)
assert len(BO_TOKENS) == 105

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
BO_TEMPLATE_LIST: tuple[tuple[int, str, str, bool], ...] = (
    (1, "admin", "Administrator ", False),
    (2, "manager", "Manager ", False),
    (3, "user", "General User ", False),
    (42, "General Manager", "General Managers of stores ", True),
    (43, "Shift Leader", "Shift Leader ", True),
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


# --- seeded roster
_FIRST = [
    "Aaron",
    "Abel",
    "Ada",
    "Adrian",
    "Agnes",
    "Alma",
    "Alvin",
    "Amos",
    "Ansel",
    "Arlo",
    "Astrid",
    "Basil",
    "Bea",
    "Bennett",
    "Bram",
    "Bryce",
    "Calla",
    "Cedric",
    "Celia",
    "Clem",
    "Cora",
    "Dalia",
    "Dario",
    "Della",
    "Desmond",
    "Dex",
    "Edda",
    "Elias",
    "Elsie",
    "Emmett",
    "Enid",
    "Ezra",
    "Fern",
    "Fitz",
    "Flora",
    "Gideon",
    "Greta",
    "Gus",
    "Hattie",
    "Hugo",
    "Ida",
    "Ike",
    "Imogen",
    "Ivo",
    "Jasper",
    "Jonah",
    "June",
    "Kit",
    "Lena",
    "Leon",
    "Lise",
    "Lorne",
    "Mabel",
    "Milo",
    "Mira",
    "Nell",
    "Nico",
    "Noor",
    "Odette",
    "Oren",
    "Otis",
    "Pearl",
    "Pim",
    "Quill",
    "Rhea",
    "Roscoe",
    "Ruth",
    "Sable",
    "Silas",
    "Sol",
    "Tamsin",
    "Theo",
    "Tova",
    "Ulric",
    "Vera",
    "Vick",
    "Wade",
    "Wren",
    "Xavi",
    "Yara",
    "Zeb",
    "Zora",
]
_LAST = [
    "Abernett",
    "Ashgrove",
    "Bellamy",
    "Blackwood",
    "Brightwater",
    "Calloway",
    "Carrow",
    "Dunmore",
    "Eastbrook",
    "Fairweather",
    "Fenwick",
    "Galloway",
    "Greaves",
    "Hallam",
    "Hartwell",
    "Hollins",
    "Ingram",
    "Jessop",
    "Kettering",
    "Lachlan",
    "Langley",
    "Marlowe",
    "Merriweather",
    "Northcott",
    "Oakhurst",
    "Pemberton",
    "Quarles",
    "Radcliffe",
    "Redfern",
    "Rowntree",
    "Sandoval",
    "Sherwood",
    "Stanhope",
    "Thackeray",
    "Thornbury",
    "Underhill",
    "Vance",
    "Wakefield",
    "Whitlock",
    "Winslow",
    "Yardley",
    "Ziegler",
    "Ackroyd",
    "Birchall",
    "Colby",
    "Draycott",
    "Elwood",
    "Fairfax",
    "Gresham",
    "Hawthorne",
]
_PHONE_FORMATS = ("({a}) {b}-{c}", "({a})-{b}-{c}", "{a}-{b}-{c}", "{a}{b}{c}")


@dataclass(slots=True)
class RosterEmployee:
    """Generator output for one employee (converted to a stored record by the state)."""

    id: int
    pos_credential_id: int
    first_name: str
    last_name: str
    phone: str
    email: str
    department_ids: list[int]
    start_date: date
    active: bool
    sites: frozenset[int] | str
    pos_user_id: int
    pos_pin: int
    grants: frozenset[int]
    overrides: frozenset[int]
    template_id: int | None
    wages: list[tuple[date, bool, Decimal, bool]]
    active_since: datetime


@dataclass(slots=True)
class RosterUser:
    """Generator output for one Backoffice user."""

    id: int
    employee_id: int | None
    first_name: str
    last_name: str
    email: str
    username: str
    password: str
    is_deleted: bool
    sites: frozenset[int] | str
    template_id: int | None
    tokens: frozenset[str]


def generate_roster(
    tenant: Tenant, *, employees: int, bo_users: int, seed: int, today: date
) -> tuple[list[RosterEmployee], list[RosterUser]]:
    """Fabricate ``employees`` employees and ``bo_users`` Backoffice users, deterministic per seed.

    Employee ids start at 2 with small gaps (real staff ids ranged 2-482, §17.7); POS User IDs are
    unique 4-digit numbers; phones and e-mails are unique (both are uniqueness-checked, §6.6).

    Args:
        tenant: the tenant whose sites and departments are assigned.
        employees: number of employees.
        bo_users: number of Backoffice users (besides the bot account).
        seed: random seed.
        today: the reference "today" (start dates and wage dates lie before it).

    Returns:
        (employees, users) in id order.
    """
    rng = random.Random(seed)
    site_ids = [s.id for s in tenant.tree.sites]
    used_names: set[tuple[str, str]] = set()
    used_pos: set[int] = set()
    out_emps: list[RosterEmployee] = []
    next_id = 2
    for n in range(employees):
        while True:
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            if (first, last) not in used_names or len(used_names) > len(_FIRST) * len(_LAST) // 2:
                break
        used_names.add((first, last))
        while True:
            pos = rng.randint(1000, 9999) if employees < 8000 else rng.randint(10000, 999999)
            if pos not in used_pos:
                used_pos.add(pos)
                break
        fmt = rng.choice(_PHONE_FORMATS)
        # 555-01xx style numbers are reserved for fiction; make them unique by the serial n.
        area = rng.choice(("312", "630", "708", "773", "847", "615", "901"))
        phone = fmt.format(a=area, b=f"{555 + n // 10000:03d}", c=f"{n % 10000:04d}")
        email = "" if rng.random() < 0.15 else f"{first}.{last}{n}@example.invalid".lower()
        depts = [3] if rng.random() < 0.7 else []
        depts += rng.sample([1, 2, 4], k=rng.choice((0, 1, 1, 2)))
        if not depts:
            depts = [3]
        start = today - timedelta(days=rng.randint(30, 2000))
        roll = rng.random()
        sites: frozenset[int] | str
        if roll < 0.05:
            sites = "all"
        else:
            sites = frozenset(rng.sample(site_ids, k=rng.choice((1, 1, 1, 2, 3))))
        template_roll = rng.random()
        template_id: int | None = None
        if template_roll < 0.1:
            grants, overrides = frozenset[int](), frozenset[int]()
        elif template_roll < 0.8:
            tpl = rng.choice(POS_TEMPLATES)
            grants, overrides, template_id = tpl.grants, tpl.overrides, tpl.id
        else:
            grants = frozenset(rng.sample(range(1, 35), k=rng.randint(3, 25)))
            overrides = frozenset(g for g in grants if rng.random() < 0.3)
        wages: list[tuple[date, bool, Decimal, bool]] = []
        eff = start
        rate = Decimal(rng.randint(1200, 1800)) / 100
        for _ in range(rng.choice((1, 1, 2, 3))):
            wages.append((eff, True, rate, rng.random() < 0.7))
            eff = eff + timedelta(days=rng.randint(60, 300))
            if eff >= today:
                break
            rate += Decimal(rng.choice((25, 50, 75, 100))) / 100
        created = datetime.combine(start, datetime.min.time()) + timedelta(
            hours=rng.randint(8, 20), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
        )
        out_emps.append(
            RosterEmployee(
                id=next_id,
                pos_credential_id=n + 1,  # allocated in creation order, like the ids
                first_name=first,
                last_name=last,
                phone=phone,
                email=email,
                department_ids=sorted(set(depts)),
                start_date=start,
                active=rng.random() < 0.9,
                sites=sites,
                pos_user_id=pos,
                pos_pin=rng.randint(1000, 99999),
                grants=grants,
                overrides=overrides & grants,
                template_id=template_id,
                wages=wages,
                active_since=created,
            )
        )
        next_id += rng.choice((1, 1, 1, 2, 3))

    out_users: list[RosterUser] = []
    used_usernames: set[str] = set()
    user_id = 2_900_000 + rng.randint(0, 9999)
    linked_pool = [e for e in out_emps if e.active and e.email]
    rng.shuffle(linked_pool)
    for n in range(bo_users):
        linked = linked_pool.pop() if linked_pool and rng.random() < 0.6 else None
        if linked is not None:
            first, last, email, emp_id = (
                linked.first_name,
                linked.last_name,
                linked.email,
                linked.id,
            )
        else:
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email, emp_id = f"{first}.{last}.bo{n}@example.invalid".lower(), None
        base = f"{first[0]}{last}"
        username = base
        k = 2
        while username.lower() in used_usernames:
            username = f"{base}{k}"
            k += 1
        used_usernames.add(username.lower())
        bo_tpl = rng.choice(BO_TEMPLATES)
        u_sites: frozenset[int] | str = (
            "all" if rng.random() < 0.4 else frozenset(rng.sample(site_ids, k=rng.randint(1, 4)))
        )
        out_users.append(
            RosterUser(
                id=user_id,
                employee_id=emp_id,
                first_name=first,
                last_name=last,
                email=email,
                username=username,
                password=f"Pw-{rng.getrandbits(48):012x}",
                is_deleted=rng.random() < 0.1,
                sites=u_sites,
                template_id=bo_tpl.id,
                tokens=frozenset(bo_tpl.tokens),
            )
        )
        user_id += rng.randint(1, 400)
    return out_emps, out_users
