"""The seeded roster generator: fake employees and Backoffice users, deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sonnys_async.sandbox.reference import BO_TEMPLATES, POS_TEMPLATES, Tenant

__all__ = ["RosterEmployee", "RosterUser", "generate_roster"]

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
