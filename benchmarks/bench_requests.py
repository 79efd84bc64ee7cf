"""HTTP requests (and bytes) per operation, next to the reference library's counts.

For every operation listed in the reference library's table (``reference-library-api.md``,
"Requests per operation in the reference library"), against an in-process sandbox:

- **cold**: a fresh client, already logged in (login is counted once, on its own row), with
  empty discovery caches;
- **warm**: the same client right after, running the operation again (a write on new input).

Counts come from ``client.transport.stats`` (every request sent, redirect targets included,
since our client never follows redirects blindly). The reference library follows redirects;
its table writes ``5 (+2r)`` for 5 requests plus 2 redirect hops, and the comparison uses the
total (7). ``ratio`` is ours / reference: below 1 means fewer requests. Bytes are response
bodies received per operation with a realistic ~130 KB sidebar on every page (protocol §0).

Printed, not asserted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import anyio

from benchmarks._common import ByteCounter, HireFactory, fmt_ratio, make_client, print_table
from sonnys_async import AsyncBackofficeClient
from sonnys_async.sandbox import Sandbox, SandboxOptions

Op = Callable[[AsyncBackofficeClient, "Ctx"], Awaitable[object]]


@dataclass(frozen=True)
class Ref:
    """One row of the reference table: requests and redirect hops, cold and warm."""

    cold: int
    cold_r: int
    warm: int
    warm_r: int
    note: str = ""

    @property
    def cold_total(self) -> int:
        return self.cold + self.cold_r

    @property
    def warm_total(self) -> int:
        return self.warm + self.warm_r

    def show(self, warm: bool) -> str:
        n, r = (self.warm, self.warm_r) if warm else (self.cold, self.cold_r)
        return f"{n} (+{r}r)" if r else str(n)


@dataclass(frozen=True)
class Measured:
    """Requests (login excluded) and response bytes of one call."""

    requests: int
    received: int


@dataclass
class Row:
    name: str
    ref: Ref
    cold: Measured
    warm: Measured
    #: Warm again with ``verify=False`` (writes only): the reference verifies little.
    unverified: Measured | None = None


class Ctx:
    """Inputs for the operations: fresh hires, and employees prepared by an uncounted client."""

    def __init__(self, sb: Sandbox, base_pos_user_id: int) -> None:
        self.sb = sb
        self.hire = HireFactory(base_pos_user_id=base_pos_user_id)
        self.prepared: list[dict[str, Any]] = []
        #: Passed as ``verify=`` to every write (the unverified column sets it to False).
        self.verify = True
        self._usernames = iter(range(1, 1_000_000))
        self._fresh = iter(range(1, 1_000_000))
        # An active employee with an e-mail of its own (generated rosters leave some blank).
        emails = [e.email.lower() for e in sb.state.employees.values()]
        active = [
            e
            for e in sb.state.employees.values()
            if e.active and e.email and emails.count(e.email.lower()) == 1
        ]
        self.existing = active[len(active) // 2]

    async def prepare(self, count: int) -> None:
        """Create ``count`` employees with a separate client (its requests are not counted)."""
        async with make_client(self.sb) as setup:
            for _ in range(count):
                args = self.hire()
                await setup.create_employee(**args)
                self.prepared.append(args)

    def target(self) -> dict[str, Any]:
        """An active employee nobody else touched (created by :meth:`prepare`)."""
        return self.prepared.pop()

    def username(self) -> str:
        return f"benchuser{next(self._usernames)}"

    def fresh(self) -> int:
        return next(self._fresh)


# ---------------------------------------------------------------- the operations


async def _create_bo(c: AsyncBackofficeClient, x: Ctx) -> object:
    return await c.create_employee(
        **x.hire(), requires_backoffice=True, backoffice_username=x.username(), verify=x.verify
    )


async def _bo_standalone(c: AsyncBackofficeClient, x: Ctx) -> object:
    n = x.fresh()
    return await c.create_backoffice_user(
        username=x.username(),
        permission="General User",
        first_name="Bench",
        last_name=f"Standalone{n}",
        email=f"standalone{n}@example.invalid",
        verify=x.verify,
    )


async def _bo_linked(c: AsyncBackofficeClient, x: Ctx) -> object:
    t = x.target()
    return await c.create_backoffice_user(
        username=x.username(),
        permission="General User",
        link_to_employee_pos_user_id=t["pos_user_id"],
        email=t["email"],
        verify=x.verify,
    )


async def _modify_everything(c: AsyncBackofficeClient, x: Ctx) -> object:
    t = x.target()
    n = x.fresh()
    return await c.modify_employee(
        pos_user_id=t["pos_user_id"],
        new_first_name="Renamed",
        new_last_name=f"Person{n}",
        new_phone=f"6318{n:06d}",
        new_email=f"renamed{n}@example.invalid",
        departments=["Cashier"],
        available_sites=["Wash 37055"],
        wage_rate=Decimal("17.25"),
        permission="Cashier",
        verify=x.verify,
    )


def _ops() -> list[tuple[str, Ref, Op, str]]:
    """(name, reference row, operation, tenant) for every row of the reference table."""
    h, f = "hierarchical", "flat"

    def pos(x: Ctx) -> int:
        return x.existing.pos_user_id

    return [
        ("list_sites", Ref(1, 0, 0, 0), lambda c, x: c.list_sites(), h),
        ("list_departments", Ref(1, 0, 0, 0), lambda c, x: c.list_departments(), h),
        (
            'list_permissions("pos")',
            Ref(2, 0, 0, 0),
            lambda c, x: c.list_permissions(scope="pos"),
            h,
        ),
        (
            'list_permissions("backoffice")',
            Ref(2, 0, 0, 0),
            lambda c, x: c.list_permissions(scope="backoffice"),
            h,
        ),
        (
            "is_email_available",
            Ref(2, 0, 0, 0, "ref. goes cold again after any write"),
            lambda c, x: c.is_email_available(f"free{x.fresh()}@example.invalid"),
            h,
        ),
        (
            "is_phone_available",
            Ref(2, 0, 0, 0, "ref. goes cold again after any write"),
            lambda c, x: c.is_phone_available(f"6419{x.fresh():06d}"),
            h,
        ),
        ("pos_user_id_exists", Ref(1, 0, 1, 0), lambda c, x: c.pos_user_id_exists(pos(x)), h),
        ("list_employees", Ref(1, 0, 1, 0), lambda c, x: c.list_employees(), h),
        (
            "search_employees",
            Ref(1, 0, 1, 0),
            lambda c, x: c.search_employees(last_name=x.existing.last_name),
            h,
        ),
        (
            "find_employee",
            Ref(1, 0, 1, 0),
            lambda c, x: c.find_employee(
                first_name=x.existing.first_name,
                last_name=x.existing.last_name,
                phone=x.existing.phone,
            ),
            h,
        ),
        (
            "get_employee_profile",
            Ref(4, 0, 2, 0),
            lambda c, x: c.get_employee_profile(pos_user_id=pos(x)),
            h,
        ),
        (
            "get_employee_compensation",
            Ref(2, 0, 2, 0),
            lambda c, x: c.get_employee_compensation(pos_user_id=pos(x)),
            h,
        ),
        (
            "get_employee_permission",
            Ref(4, 0, 2, 0),
            lambda c, x: c.get_employee_permission(pos_user_id=pos(x)),
            h,
        ),
        ("get_employee", Ref(8, 0, 4, 0), lambda c, x: c.get_employee(pos_user_id=pos(x)), h),
        (
            "get_employee by email",
            Ref(9, 0, 5, 0, "ref.: get_employee +1"),
            lambda c, x: c.get_employee(email=x.existing.email),
            h,
        ),
        (
            "create_employee",
            Ref(8, 2, 5, 2),
            lambda c, x: c.create_employee(**x.hire(verify=x.verify)),
            h,
        ),
        (
            "create_employee (flat tenant)",
            Ref(7, 2, 4, 2, "ref.: one fewer, no read-back"),
            lambda c, x: c.create_employee(**x.hire(verify=x.verify)),
            f,
        ),
        ("create_employee + linked BO user", Ref(11, 3, 6, 3), _create_bo, h),
        (
            "create_backoffice_user standalone",
            Ref(4, 1, 1, 1, "ref. applies no template, verifies nothing"),
            _bo_standalone,
            h,
        ),
        (
            "create_backoffice_user linked",
            Ref(6, 1, 1, 1, "ref. applies no template, verifies nothing"),
            _bo_linked,
            h,
        ),
        (
            "disable_employee by POS id",
            Ref(4, 0, 4, 0),
            lambda c, x: c.disable_employee(pos_user_id=x.target()["pos_user_id"], verify=x.verify),
            h,
        ),
        (
            "disable_employee by email",
            Ref(4, 0, 4, 0),
            lambda c, x: c.disable_employee(email=x.target()["email"], verify=x.verify),
            h,
        ),
        (
            "modify_employee template only",
            Ref(4, 1, 2, 1, "ref. cold: +2 for POS templates"),
            lambda c, x: c.modify_employee(
                pos_user_id=x.target()["pos_user_id"], permission="Cashier", verify=x.verify
            ),
            h,
        ),
        (
            "modify_employee raise only",
            Ref(3, 0, 3, 0),
            lambda c, x: c.modify_employee(
                pos_user_id=x.target()["pos_user_id"],
                wage_rate=Decimal("16.25"),
                verify=x.verify,
            ),
            h,
        ),
        (
            "modify_employee sites only",
            Ref(4, 0, 3, 0, "ref. cold: +1 /employee/create"),
            lambda c, x: c.modify_employee(
                pos_user_id=x.target()["pos_user_id"],
                available_sites=["Wash 37055"],
                verify=x.verify,
            ),
            h,
        ),
        (
            "modify_employee everything",
            Ref(9, 1, 6, 1, "ref. cold: +1 /employee/create, +2 templates"),
            _modify_everything,
            h,
        ),
    ]


# ---------------------------------------------------------------- measuring

WRITES = ("create", "disable", "modify")


async def _call(client: AsyncBackofficeClient, counter: ByteCounter, op: Op, ctx: Ctx) -> Measured:
    stats = client.transport.stats
    stats.reset()
    counter.reset()
    await op(client, ctx)
    return Measured(stats.total_without_login, counter.received)


async def _measure_async(sidebar_kb: int, employees: int) -> tuple[Measured, list[Row]]:
    sandboxes = {
        tenant: Sandbox(
            SandboxOptions(
                tenant=tenant, employees=employees, bo_users=5, seed=7, sidebar_kb=sidebar_kb
            )
        )
        for tenant in ("hierarchical", "flat")
    }
    ctxs = {t: Ctx(sb, 70_000 if t == "hierarchical" else 80_000) for t, sb in sandboxes.items()}
    ops = _ops()
    # Employees for the operations that consume one per call (cold + warm each).
    consuming = sum(
        1 for name, *_ in ops if name.startswith(("disable", "modify", "create_backoffice_user l"))
    )
    await ctxs["hierarchical"].prepare(3 * consuming)

    login: Measured | None = None
    rows: list[Row] = []
    for name, ref, op, tenant in ops:
        sb, ctx = sandboxes[tenant], ctxs[tenant]
        counter = ByteCounter(sb.transport())
        async with make_client(sb, transport=counter) as client:
            counter.reset()
            await client.login()
            if login is None:
                login = Measured(client.transport.stats.total, counter.received)
            cold = await _call(client, counter, op, ctx)
            warm = await _call(client, counter, op, ctx)
            unverified = None
            if name.startswith(WRITES):
                ctx.verify = False
                try:
                    unverified = await _call(client, counter, op, ctx)
                finally:
                    ctx.verify = True
        rows.append(Row(name, ref, cold, warm, unverified))
    assert login is not None
    return login, rows


def measure(sidebar_kb: int = 130, employees: int = 200) -> tuple[Measured, list[Row]]:
    """Run every operation cold and warm; the login's cost and one row per operation."""
    return anyio.run(_measure_async, sidebar_kb, employees)


def _kb(n: int) -> str:
    return f"{n / 1024:.0f}"


def _totals(rows: list[Row]) -> Iterator[tuple[str, int, int]]:
    yield "cold", sum(r.cold.requests for r in rows), sum(r.ref.cold_total for r in rows)
    yield "warm", sum(r.warm.requests for r in rows), sum(r.ref.warm_total for r in rows)


def main(*, smoke: bool = False) -> None:
    """Print requests per operation, cold and warm, next to the reference library's counts.

    Args:
        smoke: A tiny roster and no sidebar padding (for the smoke test).
    """
    login, rows = measure(sidebar_kb=0, employees=20) if smoke else measure()
    print(
        f"login: ours {login.requests} requests ({_kb(login.received)} KB), "
        f"reference 2 (+1r) = 3; counted apart from the rows below"
    )
    print(
        "ref = the reference library's counts from its documentation (reference-library-api.md, "
        "not measured here); ours = measured; ratio = ours / reference total (redirect hops "
        "included); < 1 means fewer requests\n"
    )
    print_table(
        [
            "operation",
            "ref cold (its docs)",
            "ours cold",
            "ratio",
            "ref warm (its docs)",
            "ours warm",
            "ratio",
            "warm no-verify",
            "KB cold",
            "KB warm",
        ],
        [
            [
                r.name,
                r.ref.show(warm=False),
                r.cold.requests,
                fmt_ratio(r.cold.requests, r.ref.cold_total),
                r.ref.show(warm=True),
                r.warm.requests,
                fmt_ratio(r.warm.requests, r.ref.warm_total),
                "" if r.unverified is None else r.unverified.requests,
                _kb(r.cold.received),
                _kb(r.warm.received),
            ]
            for r in rows
        ],
    )
    for kind, ours, ref in _totals(rows):
        print(f"all rows, {kind}: ours {ours} vs reference {ref} requests ({ours / ref:.2f}x)")
    print(
        "ours verifies every write by reading it back (the reference reads back only a create's"
        " sites);\n'warm no-verify' is the same call with verify=False, for a like-for-like count"
    )
    notes = [f"  {r.name}: {r.ref.note}" for r in rows if r.ref.note]
    if notes:
        print("notes:")
        print("\n".join(notes))


if __name__ == "__main__":
    main()
