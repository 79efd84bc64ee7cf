"""The work every scenario does: 200 hires (50 with a Backoffice login), then 50 leavers.

Generated from a seed, written as the CLI's CSV files. POS User IDs have six digits so that no
five-digit PIN can be mistaken for one in the secrets scan.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = ["Hire", "Leaver", "Workload", "make_workload"]

HIRES = 200
WITH_LOGIN = 50
#: Leavers offboarded without, then with ``--disable-backoffice-user``.
PLAIN_LEAVERS = 30
LOGIN_LEAVERS = 20

_FIRST = ("Ava", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")
_LAST = ("Okoro", "Berg", "Castro", "Dunn", "Ellis", "Frey", "Gale", "Hart", "Ibsen", "Juarez")
_SITES = ("NAPER", "WHEAT;CAROL", "FIESTA", "all", "NOLO;DKSN", "JOLIET")
_POS = ("Cashier", "CSA", "Shift Leader", "General User")
_BO = ("General User", "Shift Leader", "Manager")
_HIRE_COLUMNS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "pos_user_id",
    "wage_rate",
    "start_date",
    "available_sites",
    "permission",
    "departments",
    "backoffice_username",
    "backoffice_permission",
)
_LEAVER_COLUMNS = ("pos_user_id", "email", "first_name", "last_name", "phone")


@dataclass(frozen=True, slots=True)
class Hire:
    """One onboarding row (``row`` is the spreadsheet row number the CLI reports)."""

    row: int
    first_name: str
    last_name: str
    phone: str
    email: str
    pos_user_id: int
    backoffice_username: str | None


@dataclass(frozen=True, slots=True)
class Leaver:
    """One offboarding row and the hire it names."""

    row: int
    hire: Hire
    lookup: str  # "pos_user_id", "email" or "name"


@dataclass(frozen=True, slots=True)
class Workload:
    """The files of one scenario and what they hold."""

    hires: tuple[Hire, ...]
    plain_leavers: tuple[Leaver, ...]
    login_leavers: tuple[Leaver, ...]
    hires_csv: Path
    plain_csv: Path
    login_csv: Path


def _leaver_cells(leaver: Leaver) -> list[str]:
    h = leaver.hire
    if leaver.lookup == "pos_user_id":
        return [str(h.pos_user_id), "", "", "", ""]
    if leaver.lookup == "email":
        return ["", h.email, "", "", ""]
    return ["", "", h.first_name, h.last_name, h.phone]


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)


def make_workload(directory: Path, seed: int) -> Workload:
    """Write ``hires.csv``, ``leavers-plain.csv`` and ``leavers-login.csv`` under ``directory``."""
    rng = random.Random(seed)
    start = date.today().isoformat()
    hires: list[Hire] = []
    rows: list[list[str]] = []
    for i in range(HIRES):
        first = f"{rng.choice(_FIRST)}{i:03d}"
        last = f"{rng.choice(_LAST)}-F{seed % 100:02d}"
        login = f"fault{seed % 100:02d}u{i:03d}" if i < WITH_LOGIN else None
        hire = Hire(
            row=i + 2,
            first_name=first,
            last_name=last,
            phone=f"205-556-{i:04d}",
            email=f"{first.lower()}.{i}@faults.example.invalid",
            pos_user_id=710_000 + i,
            backoffice_username=login,
        )
        hires.append(hire)
        rows.append(
            [
                hire.first_name,
                hire.last_name,
                hire.phone,
                hire.email,
                str(hire.pos_user_id),
                f"{rng.randint(1300, 2200) / 100:.2f}",
                start,
                rng.choice(_SITES),
                rng.choice(_POS),
                "Greeter",
                login or "",
                rng.choice(_BO) if login else "",
            ]
        )
    directory.mkdir(parents=True, exist_ok=True)
    hires_csv = directory / "hires.csv"
    _write(hires_csv, _HIRE_COLUMNS, rows)
    lookups = ["pos_user_id"] * 8 + ["email", "name"]
    plain = [
        Leaver(n + 2, h, rng.choice(lookups))
        for n, h in enumerate(rng.sample(hires[WITH_LOGIN:], PLAIN_LEAVERS))
    ]
    with_login = [
        Leaver(n + 2, h, rng.choice(lookups[:-1]))
        for n, h in enumerate(rng.sample(hires[:WITH_LOGIN], LOGIN_LEAVERS))
    ]
    plain_csv, login_csv = directory / "leavers-plain.csv", directory / "leavers-login.csv"
    _write(plain_csv, _LEAVER_COLUMNS, [_leaver_cells(lv) for lv in plain])
    _write(login_csv, _LEAVER_COLUMNS, [_leaver_cells(lv) for lv in with_login])
    return Workload(tuple(hires), tuple(plain), tuple(with_login), hires_csv, plain_csv, login_csv)
