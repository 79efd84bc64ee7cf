"""The pytest plugin, tested the standard way: pytester runs test files that use only its fixtures.

Each inner run is a fresh pytest session in a temporary directory (pytest-asyncio in its default
strict mode) with the plugins installed in this environment: ours is found through its
``pytest11`` entry point, as in a user's project.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).parent.parent.parent
TESTING_DOC = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")


@pytest.fixture
def pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """A user's project: pytest-asyncio in its default strict mode, its loop scope set (as
    pytest-asyncio asks every project to), warnings as errors."""
    pytester.makeini(
        """
        [pytest]
        asyncio_default_fixture_loop_scope = function
        filterwarnings = error
        """
    )
    return pytester


def test_the_plugin_is_loaded_by_its_entry_point(request: pytest.FixtureRequest) -> None:
    plugin = request.config.pluginmanager.get_plugin("sonnys_async")
    assert plugin is not None
    assert plugin.__name__ == "sonnys_async.pytest_plugin"


def test_a_test_file_using_only_the_plugin_s_fixtures_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_users_code="""
        import pytest
        from sonnys_async import AsyncBackofficeClient, BackofficeClient


        def test_sandbox_is_a_fresh_tenant(backoffice_sandbox):
            assert backoffice_sandbox.state.employee_by_pos_user_id(50001) is None
            assert backoffice_sandbox.faults is not None


        def test_sync_client(backoffice_client, backoffice_sandbox):
            sites = backoffice_client.list_sites()
            assert "Wash 37135" in {s.name for s in sites}
            backoffice_sandbox.faults.fail_next("GET", "/employee", status=503)
            assert backoffice_client.list_employees(first_name="zz-nobody") == []


        @pytest.mark.asyncio
        async def test_async_client(async_backoffice_client):
            assert isinstance(async_backoffice_client, AsyncBackofficeClient)
            assert await async_backoffice_client.is_pos_user_id_available(50001)


        @pytest.mark.backoffice_sandbox(employees=3, bo_users=1, tenant="flat")
        def test_marker_sets_the_options(backoffice_sandbox, backoffice_client):
            assert len(backoffice_sandbox.state.employees) == 3
            assert not backoffice_client.get_site_tree().hierarchical


        def test_route_reaches_clients_built_by_the_code(backoffice_route):
            with BackofficeClient(subdomain="washu", username="automation-bot",
                                  password=backoffice_route.password) as client:
                assert client.list_sites()
            with BackofficeClient.from_env() as client:
                assert client.is_pos_user_id_available(50001)
            assert backoffice_route.session_count >= 2


        @pytest.mark.usefixtures("backoffice_route")
        @pytest.mark.asyncio
        async def test_route_as_a_marker():
            async with AsyncBackofficeClient.from_env() as client:
                assert await client.list_departments()


        def test_each_test_has_its_own_tenant(backoffice_client, backoffice_sandbox):
            backoffice_client.create_employee(
                first_name="Only", last_name="Here", phone="6155550101",
                email="only.here@example.com", pos_user_id=50001, wage_rate="15.00",
                start_date="2026-05-01", available_sites=["Wash 37135"],
                permission="General User",
            )
            assert backoffice_sandbox.state.employee_by_pos_user_id(50001) is not None


        def test_and_no_one_else_s(backoffice_sandbox):
            assert backoffice_sandbox.state.employee_by_pos_user_id(50001) is None
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)


def test_fixture_names_are_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    listed = result.stdout.str()
    for name in (
        "backoffice_sandbox",
        "backoffice_client",
        "async_backoffice_client",
        "backoffice_route",
    ):
        assert re.search(rf"^{name}\b", listed, flags=re.M), name


def test_a_positional_marker_argument_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.backoffice_sandbox("flat")
        def test_it(backoffice_sandbox):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*give SandboxOptions as keywords*"])


def _doc_files(doc: str) -> dict[str, str]:
    """The doc's Python blocks that name their file on the line before (``\\`name.py\\`:``)."""
    return dict(re.findall(r"`([\w/]+\.py)`:\n\n```python\n(.*?)```", doc, flags=re.S))


def _doc_blocks(doc: str) -> list[str]:
    """Every Python block of the doc."""
    return re.findall(r"```python\n(.*?)```", doc, flags=re.S)


def test_the_documented_example_tests_an_onboarding_script(pytester: pytest.Pytester) -> None:
    files = _doc_files(TESTING_DOC)
    assert {"onboard_new_hire.py", "test_onboard_new_hire.py"} <= set(files)
    for name, source in files.items():
        pytester.path.joinpath(name).write_text(source, encoding="utf-8")
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:cacheprovider")
    tests = len(re.findall(r"^(?:async )?def test_", "\n".join(files.values()), flags=re.M))
    result.assert_outcomes(passed=tests)


def test_the_documented_snippets_pass(pytester: pytest.Pytester) -> None:
    """The marker test and the subprocess test (which runs the example script, served)."""
    files = _doc_files(TESTING_DOC)
    named = set(files.values())
    snippets = [b for b in _doc_blocks(TESTING_DOC) if b not in named and "def test_" in b]
    assert len(snippets) == 2
    pytester.path.joinpath("onboard_new_hire.py").write_text(
        files["onboard_new_hire.py"], encoding="utf-8"
    )
    for n, snippet in enumerate(snippets):
        pytester.path.joinpath(f"test_snippet_{n}.py").write_text(snippet, encoding="utf-8")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_documented_conftest_override_is_used(pytester: pytest.Pytester) -> None:
    (override,) = [b for b in _doc_blocks(TESTING_DOC) if "def backoffice_sandbox" in b]
    pytester.makeconftest(override)
    pytester.makepyfile(
        """
        def test_it(backoffice_sandbox, backoffice_client):
            assert len(backoffice_sandbox.state.employees) == 50
            assert backoffice_client.list_employees(active="all")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_documented_route_to_block_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = [b for b in _doc_blocks(TESTING_DOC) if "with route_to(sandbox):" in b]
    exec(compile(block, "docs/testing.md", "exec"), {"__name__": "__doc_block__"})
    assert capsys.readouterr().out == "19 sites\n"
