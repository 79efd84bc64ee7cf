"""One fault scenario, end to end: serve a sandbox in another process, onboard 200 hires and
offboard 50 leavers with the real CLI (resuming while it exits with a resumable code), and
compare what the server holds with what the runs reported after every run."""

from __future__ import annotations

import random
import secrets as pysecrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compare import (
    Findings,
    Snapshot,
    check_collateral,
    check_duplicates,
    check_offboard,
    check_onboard,
    read_results,
)
from .runner import (
    CommandRuns,
    Invocation,
    PasswordHammer,
    cli_env,
    run_until_done,
)
from .secrets_scan import Secrets, scan
from .served import ServedSandbox
from .workload import Workload, make_workload

__all__ = ["Outcome", "Scenario", "run_scenario"]

BOT_USERNAME = "fault-bot"
#: Session ends that are the server's doing (a re-login each is expected).
_EXPIRY_REASONS = ("max_requests", "idle", "cleared")
#: How long the suite waits for delayed POSTs to land once a phase is over.
_DRAIN_S = 90.0


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named set of sandbox faults and how the CLI is run against them."""

    name: str
    summary: str
    options: dict[str, Any] = field(default_factory=dict)
    sessions: int = 4
    concurrency: int = 8
    #: SIGKILL points (the run is killed once its journal grew by a seeded number of lines).
    kills: int = 0
    #: A bad-password client hammers the bot's username while each command first runs.
    hammer: bool = False
    #: Runs of one command that were not killed, at most.
    max_runs: int = 6
    #: Wall-time budget of the whole scenario: a run still going then is killed and reported.
    budget_s: float = 150.0
    seed: int = 0


@dataclass(slots=True)
class Outcome:
    """What one scenario measured."""

    scenario: Scenario
    findings: Findings
    runs: list[CommandRuns]
    rows: int
    logins: int
    login_bound: int
    wall_s: float
    workdir: Path
    counters: dict[str, Any]

    def exit_codes(self) -> str:
        """``onboard 1,0; offboard 0; offboard --disable-backoffice-user 0`` (-9 = killed)."""
        return "; ".join(f"{r.command} {','.join(map(str, r.exit_codes))}" for r in self.runs)


def _kill_points(rng: random.Random, total: int) -> dict[str, list[int]]:
    """Spread ``total`` kills over the three commands (onboarding gets most)."""
    plan: dict[str, list[int]] = {"onboard": [], "offboard": [], "offboard-logins": []}
    for n in range(total):
        command = ("onboard", "offboard", "onboard", "offboard-logins", "onboard")[n % 5]
        limit = 300 if command == "onboard" else 60
        plan[command].append(rng.randint(8, limit))
    return plan


class _Driver:
    """The state of one scenario while it runs."""

    def __init__(self, scenario: Scenario, workdir: Path, sandbox: ServedSandbox) -> None:
        self.s = scenario
        self.workdir = workdir
        self.sb = sandbox
        self.work: Workload = make_workload(workdir / "input", scenario.seed)
        self.found = Findings()
        self.secrets = Secrets()
        self.invocations: list[Invocation] = []
        self.password = sandbox.options["password"]
        self.env = cli_env(sandbox.base_url, BOT_USERNAME, self.password)
        self.hammer = PasswordHammer(sandbox.base_url, BOT_USERNAME)
        self.deadline = time.monotonic() + scenario.budget_s
        self.over_budget = False

    def bot_logins(self) -> dict[str, int]:
        """The sandbox's counts of login POSTs with the bot's password."""
        logins = self.sb.counters()["counters"]["logins"].get(BOT_USERNAME, {})
        return {k: int(v) for k, v in logins.get("right_password", {}).items()}

    def snapshot(self) -> Snapshot:
        return Snapshot(self.sb.state())

    # --- the bad-password client: on while a command first runs
    def before_run(self, index: int) -> None:
        if not self.s.hammer:
            return
        if index == 0:
            self.hammer.start()
            self.sb.wait_until(
                lambda c: BOT_USERNAME in c["sessions"]["throttled_usernames"],
                30.0,
                "the bad-password client to get the bot throttled",
            )
        elif index == 1:
            self.hammer.stop()
            self.sb.wait_until(
                lambda c: not c["sessions"]["throttled_usernames"], 30.0, "the throttle to lift"
            )

    def check_refused_run(self, inv: Invocation) -> None:
        """While throttled, the first run must stop at one refused login with exit 3."""
        first = self.s.hammer and inv.index == 0 and not inv.killed
        refused = inv.logins.get("refused_throttled", 0) + inv.logins.get("refused_invalid", 0)
        # A login a fault ate (a 5xx, a drop, a delay) may be retried: the client never saw
        # the refusal, if it was one. A refusal the client saw, never.
        seen = refused - inv.logins.get("faulted", 0)
        if first and (inv.exit_code != 3 or seen > 1):
            self.found.add(
                "logins",
                f"{inv.command} run 0 while throttled",
                f"exit {inv.exit_code} after {refused} refused bot logins (want exit 3 after one "
                f"refusal seen; all bot logins of the run: {inv.logins})",
            )

    def run_command(
        self, command: str, args: list[str], journal: Path, kills: list[int], after: Any
    ) -> CommandRuns:
        def after_run(inv: Invocation) -> None:
            self.invocations.append(inv)
            self.check_refused_run(inv)
            if not inv.killed:
                after(inv)

        if self.over_budget:
            return CommandRuns(command, over_budget="not run: the time budget ran out before")
        try:
            runs = run_until_done(
                command,
                args,
                env=self.env,
                workdir=self.workdir,
                journal=journal,
                max_runs=self.s.max_runs,
                deadline=self.deadline,
                kill_points=kills,
                bot_logins=self.bot_logins,
                before_run=self.before_run,
                after_run=after_run,
                spare_first=self.s.hammer,  # the throttled run is not a kill point
            )
        finally:
            self.hammer.stop()
        if runs.over_budget:
            self.over_budget = True
            self.invocations.append(runs.invocations[-1])
            self.found.add("budget", command, f"{runs.over_budget} ({self.s.budget_s:.0f} s)")
        return runs

    def common_args(self) -> list[str]:
        return ["--sessions", str(self.s.sessions), "--concurrency", str(self.s.concurrency)]


def run_scenario(scenario: Scenario, workdir: Path) -> Outcome:
    """Run one scenario in ``workdir`` and measure it."""
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(scenario.seed ^ 0x5C3)
    kills = _kill_points(rng, scenario.kills)
    options = {
        "employees": 150,
        "bo_users": 30,
        "seed": scenario.seed,
        "username": BOT_USERNAME,
        "password": f"Fault-Bot-{pysecrets.token_hex(8)}",
        **scenario.options,
    }
    with ServedSandbox(options, workdir) as sb:
        d = _Driver(scenario, workdir, sb)
        runs = [_onboard(d, kills["onboard"])]
        runs += _offboard(d, kills)
        sb.wait_drained(_DRAIN_S)
        final = d.snapshot()
        check_duplicates(d.found, d.work.hires, final)
        check_collateral(
            d.found, d.work.hires, (*d.work.plain_leavers, *d.work.login_leavers), final
        )
        counters = final.raw["counters"]
        sessions = final.raw["sessions"]
        d.secrets.session_ids.update(sessions["ids"])
        login_bound = _login_bound(scenario, d.invocations, counters, sessions)
        logins = d.bot_logins().get("attempted", 0)
    if logins > login_bound:
        d.found.add(
            "logins",
            "bot logins",
            f"{logins} logins (POST /login_check with the bot's password) > bound {login_bound}",
        )
    _scan_secrets(d, final)
    rows = len(d.work.hires) + len(d.work.plain_leavers) + len(d.work.login_leavers)
    return Outcome(
        scenario,
        d.found,
        runs,
        rows,
        logins,
        login_bound,
        time.monotonic() - started,
        workdir,
        {"counters": counters, "sessions": {k: v for k, v in sessions.items() if k != "ids"}},
    )


def _onboard(d: _Driver, kills: list[int]) -> CommandRuns:
    out = d.workdir / "onboard-results.csv"
    journal = Path(f"{out}.journal.jsonl")

    def after(inv: Invocation) -> None:
        check_onboard(
            d.found,
            d.work.hires,
            read_results(out),
            d.snapshot(),
            d.sb.check_passwords,
            where=f"after onboard run {inv.index} (exit {inv.exit_code})",
            final=False,
            credentials=inv.exit_code in (0, 1),  # went through every row
        )

    args = ["onboard", str(d.work.hires_csv), "--out", str(out), *d.common_args()]
    runs = d.run_command("onboard", args, journal, kills, after)
    d.sb.wait_drained(_DRAIN_S)
    results = read_results(out)
    check_onboard(
        d.found,
        d.work.hires,
        results,
        d.snapshot(),
        d.sb.check_passwords,
        where="end of onboarding",
        final=True,
    )
    for rows in results.values():
        d.secrets.add_results(rows)
    d.secrets.add_journal(journal)
    return runs


def _offboard(d: _Driver, kills: dict[str, list[int]]) -> list[CommandRuns]:
    runs = []
    for command, leavers, csv_path, flag in (
        ("offboard", d.work.plain_leavers, d.work.plain_csv, []),
        (
            "offboard-logins",
            d.work.login_leavers,
            d.work.login_csv,
            ["--disable-backoffice-user"],
        ),
    ):
        if d.over_budget:
            runs.append(CommandRuns(command, over_budget="not run: the time budget had run out"))
            continue
        out = d.workdir / f"{command}-results.csv"
        journal = Path(f"{out}.journal.jsonl")
        before = [d.snapshot()]

        def after(
            inv: Invocation,
            out: Path = out,
            leavers: Any = leavers,
            command: str = command,
            flag: list[str] = flag,
            before: list[Snapshot] = before,
        ) -> None:
            snap = d.snapshot()
            check_offboard(
                d.found,
                command,
                leavers,
                read_results(out),
                snap,
                before[0],
                disables_logins=bool(flag),
                where=f"after {command} run {inv.index} (exit {inv.exit_code})",
                final=False,
            )
            before[0] = snap

        args = ["offboard", str(csv_path), "--out", str(out), *flag, *d.common_args()]
        runs.append(d.run_command(command, args, journal, kills[command], after))
        d.sb.wait_drained(_DRAIN_S)
        snap = d.snapshot()
        check_offboard(
            d.found,
            command,
            leavers,
            read_results(out),
            snap,
            snap,
            disables_logins=bool(flag),
            where=f"end of {command}",
            final=True,
        )
        d.secrets.add_journal(journal)
    return runs


def _login_bound(
    s: Scenario, invocations: list[Invocation], counters: dict[str, Any], sessions: dict[str, Any]
) -> int:
    """About one login per session per run (plus one up front), one more per session the
    server ended by expiry (observed by a request), one more per login the faults hit; with one
    live session per user, one more per session per run to find that out."""
    single = bool(s.options.get("single_session_per_user"))
    per_run = s.sessions + 1 + (s.sessions if single else 0)
    expiries = sum(int(sessions["observed"].get(r, 0)) for r in _EXPIRY_REASONS)
    bot = counters["logins"].get(BOT_USERNAME, {}).get("right_password", {})
    return per_run * len(invocations) + expiries + int(bot.get("faulted", 0))


def _scan_secrets(d: _Driver, final: Snapshot) -> None:
    for h in d.work.hires:
        emp = final.by_pos.get(h.pos_user_id)
        if emp is not None:
            d.secrets.pins.add(str(emp["pos_pin"]))
    d.secrets.passwords.add(d.password)
    files = [p for inv in d.invocations for p in (inv.stdout, inv.stderr, inv.log)]
    for finding in scan(files, d.secrets):
        # One finding per file and kind of secret ("onboard.0.debug.log: PHPSESSID").
        d.found.add("secrets", finding.split(" at ", 1)[0], finding)
