"""Bad input to the lifecycle commands (modify, rehire, users create|modify|disable|reactivate):
every problem reported, exit 2, nothing written, and no login."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sonnys_async.sandbox import Sandbox

from .conftest import Invoke, logins, posts, write_csv


@dataclass(frozen=True)
class Case:
    """A command, a valid header and row, a row whose cells are bad (and the fields named)."""

    argv: tuple[str, ...]
    header: tuple[str, ...]
    good: tuple[object, ...]
    bad: tuple[object, ...]
    bad_fields: tuple[str, ...]
    #: A row repeating ``good``'s key (the field the duplicate is reported on).
    duplicate: tuple[object, ...]
    duplicate_field: str = "row"


CASES = {
    "modify": Case(
        ("modify",),
        ("pos_user_id", "wage_rate", "start_date", "activate"),
        (6297, "19.50", "", ""),
        ("abc", "lots", "31/31/2026", "maybe"),
        ("pos_user_id", "wage_rate", "start_date", "activate"),
        (6297, "20.00", "", ""),
    ),
    "rehire": Case(
        ("rehire",),
        ("pos_user_id", "wage_rate", "restore_backoffice", "backoffice_username"),
        (6297, "", "", ""),
        (6298, "-3", "", "9lives"),
        ("wage_rate", "backoffice_username"),
        (6297, "16", "no", ""),
    ),
    "users create": Case(
        ("users", "create"),
        ("username", "permission", "first_name", "last_name", "email"),
        ("new_login", "Manager", "Ann", "Lee", "ann@example.invalid"),
        ("1bad", "Manager", "A", "Lee", "not-an-email"),
        ("username", "first_name", "email"),
        ("NEW_LOGIN", "Manager", "Bob", "Lee", "bob@example.invalid"),
    ),
    "users modify": Case(
        ("users", "modify"),
        ("username", "permission", "new_email"),
        ("someone", "Manager", ""),
        ("2short", "", "nope"),
        ("new_email",),
        ("SomeOne", "General User", ""),
    ),
    "users disable": Case(
        ("users", "disable"),
        ("user_id", "username"),
        ("", "someone"),
        ("zero", ""),
        ("user_id",),
        ("", "SOMEONE"),
    ),
    "users reactivate": Case(
        ("users", "reactivate"),
        ("user_id", "username"),
        (12, ""),
        ("", "_x"),
        ("username",),
        (12, "notes"),
    ),
}


def _run(invoke: Invoke, case: Case, src: Path, tmp_path: Path) -> tuple[int, str, Path]:
    out = tmp_path / "results.csv"
    result = invoke(*case.argv, str(src), "--out", str(out))
    return result.exit_code, result.stderr, out


def _nothing_happened(sb: Sandbox, tmp_path: Path, out: Path, *, read: bool = False) -> None:
    """Nothing written; ``read``: the rows may have been checked against the tenant (reads)."""
    assert posts(sb) == []
    if not read:
        assert logins(sb) == 0
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize("name", CASES)
def test_bad_cells_and_duplicate_keys_are_all_reported_before_anything_is_written(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, name: str
) -> None:
    case = CASES[name]
    src = write_csv(tmp_path / "in.csv", case.header, [case.good, case.bad, case.duplicate])
    code, err, out = _run(invoke, case, src, tmp_path)
    assert code == 2, err
    for field in case.bad_fields:
        assert f"row 3: {field}: " in err, (field, err)
    assert f"row 4: {case.duplicate_field}: same " in err, err
    assert "nothing was written" in err
    # With names to check, the tenant's problems are found in the same pass (reads only).
    _nothing_happened(sb, tmp_path, out, read=True)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        (None, "no data rows"),
        ("unknown", "unknown column"),
    ],
)
def test_unusable_files_stop_before_any_login(
    invoke: Invoke,
    sb: Sandbox,
    tmp_path: Path,
    name: str,
    content: str | None,
    message: str,
) -> None:
    case = CASES[name]
    src = tmp_path / "in.csv"
    if content is None:  # a header only
        write_csv(src, case.header, [])
    elif content == "unknown":
        write_csv(src, (*case.header, "bogus"), [(*case.good, "x")])
    else:
        src.write_text(content, encoding="utf-8")
    code, err, out = _run(invoke, case, src, tmp_path)
    assert code == 2, err
    assert message in " ".join(err.split())
    _nothing_happened(sb, tmp_path, out)


@pytest.mark.parametrize("name", ["modify", "rehire", "users modify", "users disable"])
def test_a_file_without_a_lookup_column_is_a_file_error(
    invoke: Invoke, sb: Sandbox, tmp_path: Path, name: str
) -> None:
    header = {"modify": "wage_rate", "rehire": "wage_rate"}.get(name, "permission")
    if name == "users disable":
        src = tmp_path / "in.csv"
        src.write_text("username\n", encoding="utf-8")
        header_only = True
    else:
        src = write_csv(tmp_path / "in.csv", [header], [["15"]])
        header_only = False
    code, err, out = _run(invoke, CASES[name], src, tmp_path)
    assert code == 2
    if not header_only:
        assert "the file needs a" in " ".join(err.split())
    _nothing_happened(sb, tmp_path, out)


def test_clear_only_clears_what_can_be_cleared(invoke: Invoke, sb: Sandbox, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", ["pos_user_id", "new_email"], [[6297, "(clear)"]])
    code, err, out = _run(invoke, CASES["modify"], src, tmp_path)
    assert code == 2
    assert "row 2: new_email: (clear) only clears adp_employee_id" in " ".join(err.split())
    _nothing_happened(sb, tmp_path, out, read=True)


def test_rehire_and_users_create_need_out(invoke: Invoke, tmp_path: Path) -> None:
    case = CASES["rehire"]
    src = write_csv(tmp_path / "in.csv", case.header, [case.good])
    result = invoke("rehire", str(src))
    assert result.exit_code == 2
    assert "--out" in result.output + result.stderr
