"""Wages: a new hourly wage record on the compensation form (§9), verified by its history."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .._transport import AmbiguousWriteError, SessionHandle
from ..core import pages, sites
from ..core import payloads as P
from ..core.text import norm
from ..domain import ALL
from ..errors import (
    FieldIssue,
    InputValidationError,
    OutcomeUnknownError,
    WriteNotVerifiedError,
)
from ..models import ModifyEmployeeRequest, default_overtime
from .catalogue import Catalogue
from .gateway import Gateway, reading_back, settling

__all__ = ["Compensation"]


class Compensation:
    """The compensation form of one employee (hourly wages only; salaried ones are refused).

    Args:
        gateway: Page reads and form submits.
        catalogue: The site tree (a wage's labour site).
    """

    def __init__(self, gateway: Gateway, catalogue: Catalogue) -> None:
        self._gateway = gateway
        self._catalogue = catalogue

    async def page(self, employee_id: int) -> pages.CompensationPage:
        """The employee's compensation page, parsed."""
        resp = await self._gateway.page(
            f"/employee/compensation/{employee_id}", what="compensation page"
        )
        return pages.parse_compensation(resp.text)

    @staticmethod
    def refuse_salaried(page: pages.CompensationPage) -> None:
        """Refuse (before any write) a wage change for a salaried employee."""
        current = next((w for w in page.history if w.is_current), None)
        if current is not None and norm(current.wage_type) == "salary":
            # The wage form written here is the hourly one (``wage[isHourly]=1``); writing it
            # would silently turn a salaried employee hourly (§9.1), so refuse before writing.
            raise InputValidationError(
                [
                    FieldIssue(
                        "wage_rate",
                        "the employee is salaried; this client only writes hourly wages "
                        "(change salaried compensation in Backoffice)",
                    )
                ]
            )

    async def add_wage(
        self,
        employee_id: int,
        req: ModifyEmployeeRequest,
        warnings: list[str],
        page: pages.CompensationPage | None = None,
    ) -> tuple[Decimal, Decimal | None, date]:
        if page is None:
            page = await self.page(employee_id)
            self.refuse_salaried(page)
        current = next((w for w in page.history if w.is_current), None)
        latest = max((w.effective_date for w in page.history if w.effective_date), default=None)
        rate = req.wage_rate
        if rate is None:
            if current is None:
                raise InputValidationError(
                    [FieldIssue("wage_rate", "the employee has no current wage; give wage_rate")]
                )
            rate = current.rate
        eligible = current.overtime_eligible if current is not None else True
        overtime: Decimal | None = None
        if req.overtime_wage_rate is not None:
            overtime, eligible = req.overtime_wage_rate, True
        elif eligible:
            overtime = default_overtime(rate)
        today = date.today()
        wanted = req.wage_effective_date or today
        earliest = page.min_effective_date or (latest + timedelta(days=1) if latest else None)
        effective = wanted
        if earliest is not None and effective < earliest:
            effective = earliest
            if req.wage_effective_date is not None:
                warnings.append(
                    f"wage effective date {wanted:%m/%d/%Y} moved to {effective:%m/%d/%Y}: a new "
                    "wage must start after the latest one"
                )
        site_id: int | None = None
        if req.wage_site is not None:
            tree = await self._catalogue.get_site_tree()
            chosen = sites.resolve(tree, [req.wage_site])
            assert chosen != ALL
            site_id = next(iter(chosen))
            if page.wage_site_ids and site_id not in page.wage_site_ids:
                raise InputValidationError(
                    [FieldIssue("wage_site", "must be one of the employee's available sites")]
                )
        elif page.wage_site_ids:
            site_id = page.wage_site_ids[0]
        data = page.form.replay()
        for name, value in (
            ("wage[effectiveDate]", P.fmt_date(effective)),
            ("wage[isHourly]", "1"),
            ("wage[regularRate]", P.fmt_money(rate)),
        ):
            if name in data:
                data.set(name, value)
            else:
                data.append(name, value)
        data.remove("wage[overtimeRate]")
        data.remove("wage[isOvertimeEligible]")
        data.remove("wage[siteId]")
        pairs = data.pairs()
        if eligible and overtime is not None:
            pairs += [
                ("wage[isOvertimeEligible]", "1"),
                ("wage[overtimeRate]", P.fmt_money(overtime)),
            ]
        if site_id is not None:
            pairs.append(("wage[siteId]", str(site_id)))

        want_overtime = overtime if eligible and overtime is not None else None

        async def stored(session: SessionHandle | None = None) -> bool:
            back = await self._gateway.page(
                f"/employee/compensation/{employee_id}", session=session, what="compensation page"
            )
            history = pages.parse_compensation(back.text).history
            return any(
                w.is_current
                and w.effective_date == effective
                and w.rate == rate
                and w.overtime_eligible == (want_overtime is not None)
                and w.overtime_rate == want_overtime
                for w in history
            )

        # Success lands back on this employee's compensation page; anything else (another
        # employee's page, the roster for an unknown id) is not a stored record.
        back_to = f"/employee/compensation/{employee_id}"
        try:
            await self._gateway.submit(
                "/employee/compensation/update",
                pairs,
                what="compensation update",
                ok=lambda loc: loc.split("?", 1)[0].rstrip("/") == back_to,
            )
        except AmbiguousWriteError as exc:
            # A wage record is appended, not replaced: resending could add it twice. Not
            # stored yet is unknown, not "not applied" (the request may still arrive).
            with settling(
                f"employee {employee_id} wage update", url="/employee/compensation/update"
            ):
                applied = await stored(exc.session)
            if not applied:
                raise OutcomeUnknownError(
                    f"employee {employee_id}: the answer to the wage update was lost and the "
                    "record is not stored yet; the request may still arrive, so it is neither "
                    "applied nor safe to resend now: check the wage history later",
                    url="/employee/compensation/update",
                ) from exc
            return rate, overtime, effective
        subject = f"employee {employee_id} wage update"
        with reading_back(subject, what="compensation"):
            proven = not req.verify or await stored()
        if not proven:
            raise WriteNotVerifiedError(
                f"employee {employee_id}: no current wage record of {rate} from "
                f"{effective:%m/%d/%Y} after the update (the server silently drops records that "
                "do not start after the latest one, §9.3)",
                what="compensation",
                expected=str(rate),
            )
        return rate, overtime, effective
