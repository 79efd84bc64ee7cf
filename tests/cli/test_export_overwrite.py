"""`employees export` and `users export` never replace a file silently: an existing OUT.csv is
replaced only when it is an earlier export of the same kind, or with --overwrite (a results
file may hold the only copy of Backoffice passwords)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sonnys_async.sandbox import Sandbox

from .conftest import HEADER, Invoke, hire, logins, read_csv, write_csv

RESULTS = (
    "row,status,pos_user_id,pos_pin,backoffice_password\n2,unknown,95001,54321,S3cretPassw0rd\n"
)


@pytest.mark.parametrize("command", [["employees", "export"], ["users", "export"]])
def test_an_export_refuses_to_replace_a_results_file(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, command: list[str]
) -> None:
    out = tmp_path / "results.csv"
    out.write_text(RESULTS)
    result = invoke(*command, str(out))
    assert result.exit_code == 2
    assert "--overwrite" in result.stderr
    assert out.read_text() == RESULTS
    assert logins(sb) == 0  # refused before any login


def test_the_onboarding_results_of_a_real_run_survive_an_export_to_the_same_name(
    invoke: Invoke, sb: Sandbox, tmp_path: Path
) -> None:
    out = tmp_path / "hired.csv"
    src = write_csv(tmp_path / "hires.csv", HEADER, [hire(1)])
    assert invoke("onboard", str(src), "--out", str(out), "--no-journal").exit_code == 0
    before = out.read_bytes()
    assert invoke("employees", "export", str(out)).exit_code == 2
    assert out.read_bytes() == before


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (["employees", "export"], ["employees", "export", "--with-email"]),
        (["users", "export", "--details"], ["users", "export"]),
    ],
)
def test_an_earlier_export_of_the_same_kind_is_replaced(
    invoke: Invoke, tmp_path: Path, first: list[str], second: list[str]
) -> None:
    out = tmp_path / "export.csv"
    assert invoke(*first, str(out)).exit_code == 0
    again = invoke(*second, str(out))
    assert again.exit_code == 0, again.output
    assert read_csv(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_an_export_of_the_other_kind_is_not_replaced(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    assert invoke("users", "export", str(out)).exit_code == 0
    before = out.read_bytes()
    assert invoke("employees", "export", str(out)).exit_code == 2
    assert out.read_bytes() == before


def test_overwrite_replaces_any_regular_file(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    out.write_text(RESULTS)
    result = invoke("employees", "export", str(out), "--overwrite")
    assert result.exit_code == 0, result.output
    assert "employee_id" in read_csv(out)[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_an_export_never_replaces_a_special_file_even_with_overwrite(
    invoke: Invoke, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = invoke("employees", "export", str(fifo), "--overwrite")
    assert result.exit_code == 2
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
