"""`rasoat sync push | pull | status | requeue`: the command line over the sync library.

Exit codes of `push`: 0 everything sent, 3 some items rejected, 4 items still queued (the server
could not be reached often enough), 1 a fatal error (credentials, wrong address, busy outbox),
130 interrupted. The outbox is the state: running the same command again is always safe.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from datetime import date
from pathlib import Path
from types import FrameType
from typing import NoReturn

import click
from requests.auth import AuthBase, HTTPDigestAuth

from sync.client import SyncClient
from sync.collect import instance_label, scan_instances
from sync.errors import SyncError
from sync.lock import push_lock
from sync.outbox import EnqueueOutcome, ItemState, Outbox, OutboxItem
from sync.progress import BarReporter, LineReporter, describe, state_words, summary_lines
from sync.pull import (
    TABLES,
    PullOutcome,
    PullRequest,
    api_base,
    pull_tables,
    sign_in,
    sign_out,
    use_token,
)
from sync.push import Pusher, PushPolicy, PushSummary

EXIT_REJECTED, EXIT_QUEUED, EXIT_INTERRUPTED = 3, 4, 130


def default_outbox() -> Path:
    configured = os.environ.get("RASOAT_SYNC_OUTBOX")
    if configured:
        return Path(configured)
    return Path.home() / ".local" / "share" / "rasoat" / "outbox.sqlite3"


def _quiet_library_logs(verbose: bool) -> None:
    """The commands print their own lines; the library's INFO records would repeat each one
    (the rasoat CLI sets the root logger to INFO). --verbose shows them, with timestamps."""
    logging.getLogger("sync").setLevel(logging.DEBUG if verbose else logging.WARNING)


sync_group = click.Group(
    "sync",
    help="Store-and-forward: push queued submissions, pull tables.",
    params=[
        click.Option(
            ["--verbose", "-v"], is_flag=True, help="Also log every step (with timestamps)."
        )
    ],
    callback=_quiet_library_logs,
)

outbox_option = click.option(
    "--outbox",
    "outbox_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=default_outbox,
    show_default="$RASOAT_SYNC_OUTBOX or ~/.local/share/rasoat/outbox.sqlite3",
    help="The local queue (SQLite file).",
)


def _terminate_as_interrupt(_signum: int, _frame: FrameType | None) -> NoReturn:
    # SIGTERM (systemd stop, `kill`) ends a push like Ctrl-C: summary printed, outbox intact.
    # SIGINT is set too: a push started in the background of a script inherits SIGINT
    # ignored, and Python then never turns Ctrl-C or `kill -INT` into KeyboardInterrupt.
    raise KeyboardInterrupt


def _auth(username: str | None, password: str | None) -> AuthBase | None:
    if not username:
        return None
    if password is None:
        password = click.prompt("Password", hide_input=True)
    return HTTPDigestAuth(username, password)


@sync_group.command("push")
@outbox_option
@click.option(
    "--server",
    required=True,
    envvar="RASOAT_SYNC_SERVER",
    help="Token URL (<base>/v1/key/<token>/projects/<id>), or the base URL with --username.",
)
@click.option("--username", help="Digest user name (instead of a token URL).")
@click.option("--password", envvar="RASOAT_SYNC_PASSWORD", help="Digest password.")
@click.option(
    "--from-collect",
    "collect_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Queue the instances of an ODK Collect instances/ folder first (repeatable).",
)
@click.option("--watch", is_flag=True, help="Keep running; send as soon as the server answers.")
@click.option("--retries", default=5, show_default=True, help="Consecutive failures to allow.")
@click.option("--base-delay", default=1.0, show_default=True, help="First wait, seconds.")
@click.option("--max-delay", default=60.0, show_default=True, help="Longest wait, seconds.")
@click.option("--interval", default=5.0, show_default=True, help="--watch: queue poll, seconds.")
@click.option("--connect-timeout", default=10.0, show_default=True)
@click.option("--read-timeout", default=120.0, show_default=True)
@click.option("--progress/--no-progress", default=None, help="Bar (default on a terminal).")
def push_command(
    outbox_path: Path,
    server: str,
    username: str | None,
    password: str | None,
    collect_dirs: tuple[Path, ...],
    watch: bool,
    retries: int,
    base_delay: float,
    max_delay: float,
    interval: float,
    connect_timeout: float,
    read_timeout: float,
    progress: bool | None,
) -> None:
    """Send every queued submission to SERVER's OpenRosa endpoint."""
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _terminate_as_interrupt)
    policy = PushPolicy(retries, base_delay, max_delay, watch, interval)
    auth = _auth(username, password)
    try:
        with Outbox(outbox_path) as outbox, push_lock(outbox_path):
            for folder in collect_dirs:
                _enqueue_folder(outbox, folder)
            client = SyncClient(
                server,
                auth=auth,
                timeout=(connect_timeout, read_timeout),
                device_id=outbox.device_id,
            )
            with client:
                summary = _run_push(outbox, client, policy, progress)
    except SyncError as exc:
        raise click.ClickException(str(exc)) from exc
    sys.exit(_exit_code(summary))


def _run_push(
    outbox: Outbox, client: SyncClient, policy: PushPolicy, progress: bool | None
) -> PushSummary:
    use_bar = sys.stderr.isatty() if progress is None else progress
    reporter = BarReporter(sys.stderr) if use_bar else LineReporter(sys.stderr)
    pusher = Pusher(outbox, client, policy, reporter)
    try:
        pusher.run()
    except KeyboardInterrupt:
        pusher.summary.stopped_by = "interrupted"
    except SyncError as exc:
        pusher.summary.stopped_by = str(exc)
    finally:
        if isinstance(reporter, BarReporter):
            reporter.close()
    pusher.summary.still_queued = len(outbox.queued_ids())
    for line in summary_lines(pusher.summary):
        click.echo(line)
    return pusher.summary


def _exit_code(summary: PushSummary) -> int:
    if summary.stopped_by == "interrupted":
        return EXIT_INTERRUPTED
    if summary.still_queued:
        return EXIT_QUEUED if summary.stopped_by is None or "gave up" in summary.stopped_by else 1
    if summary.stopped_by:
        return 1
    return EXIT_REJECTED if summary.rejected else 0


def _enqueue_folder(outbox: Outbox, folder: Path) -> None:
    scan = scan_instances(folder)
    results = outbox.enqueue_all(scan.instances)
    added = sum(r.outcome == EnqueueOutcome.ADDED for r in results)
    click.echo(f"{folder}: {added} queued, {len(results) - added} already in the outbox", err=True)
    skipped = dict(scan.unreadable)
    for instance, result in zip(scan.instances, results, strict=True):
        if result.outcome == EnqueueOutcome.DIFFERENT:
            skipped[instance.source or instance.instance_id] = (
                f"{result.instance_id}: {result.outcome} (an edit saved as a new instance?)"
            )
    for source, reason in skipped.items():
        click.echo(f"  skipped {source}: {reason}", err=True)
    queued = [i.source for i in scan.instances if i.source and i.source not in skipped]
    outbox.note_scan(skipped, queued)


@sync_group.command("status")
@outbox_option
@click.option("--all", "show_all", is_flag=True, help="List sent items too.")
def status_command(outbox_path: Path, show_all: bool) -> None:
    """Show the outbox: counts, then every queued and rejected item with its last error."""
    try:
        with Outbox(outbox_path) as outbox:
            counts = outbox.counts()
            click.echo(
                f"{outbox_path}: " + ", ".join(f"{n} {state}" for state, n in counts.items())
            )
            for item in outbox.items():
                if show_all or item.state != ItemState.SENT or item.issues:
                    click.echo(_status_line(item, outbox.xml(item.id)))
            skipped = outbox.skipped()
            if skipped:
                click.echo(f"Skipped when queuing ({len(skipped)}):")
            for entry in skipped:
                click.echo(f"  {entry.source}: {entry.reason} ({entry.seen_at[:19]})")
    except SyncError as exc:
        raise click.ClickException(str(exc)) from exc


def _status_line(item: OutboxItem, xml: bytes) -> str:
    """One item as a person knows it: the household code and head's name (the instance's
    name), else the file it came from, beside the uuid."""
    known_as = instance_label(xml) or Path(item.source or item.xml_name).name
    what = describe(item) if not item.issues else item.issues
    return (
        f"{item.id:>6} {state_words(item)} {item.instance_id} ({item.form_id}) — {known_as},"
        f" attempts {item.attempts}: {what}"
    )


@sync_group.command("requeue")
@outbox_option
@click.argument("item_ids", type=int, nargs=-1, required=True)
def requeue_command(outbox_path: Path, item_ids: tuple[int, ...]) -> None:
    """Put rejected items (by the number `status` shows) back in the queue."""
    with Outbox(outbox_path) as outbox:
        for item_id in item_ids:
            done = outbox.requeue(item_id)
            click.echo(f"{item_id}: {'queued again' if done else 'not a rejected item'}")


@sync_group.command("pull")
@click.option(
    "--server",
    required=True,
    envvar="RASOAT_SYNC_SERVER",
    help="The server's address (a token URL works too).",
)
@click.option("--email", help="Sign in with this staff account…")
@click.option("--password", envvar="RASOAT_SYNC_PASSWORD", help="…and this password.")
@click.option("--token", envvar="RASOAT_SYNC_TOKEN", help="Or use this bearer token.")
@click.option("--area", required=True, help="Area code, e.g. 468.")
@click.option(
    "--period",
    type=int,
    default=lambda: date.today().year,
    show_default="this year",
    help="Review year, e.g. 2026.",
)
@click.option(
    "--table",
    "tables",
    multiple=True,
    type=click.Choice(list(TABLES)),
    help="Only these tables (repeatable; default all).",
)
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi")
@click.option(
    "--dir",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the files go.",
)
@click.option("--retries", default=3, show_default=True)
@click.option("--connect-timeout", default=10.0, show_default=True)
@click.option("--read-timeout", default=120.0, show_default=True)
def pull_command(
    server: str,
    email: str | None,
    password: str | None,
    token: str | None,
    area: str,
    period: int,
    tables: tuple[str, ...],
    file_format: str,
    lang: str,
    folder: Path,
    retries: int,
    connect_timeout: float,
    read_timeout: float,
) -> None:
    """Download the tables and action lists of an area into DIR, only those that changed.

    Exit codes: 0 every table downloaded or unchanged, 3 some table refused or not reached
    (each named with the reason), 1 a fatal error (sign-in, wrong address)."""
    if not token and not email:
        raise click.UsageError("give --email (and --password) or --token")
    wanted = PullRequest(area, period, tables or tuple(TABLES), file_format, lang, retries)
    try:
        with SyncClient(api_base(server), timeout=(connect_timeout, read_timeout)) as client:
            refused = _pull(client, folder, wanted, token, email, password)
    except SyncError as exc:
        raise click.ClickException(str(exc)) from exc
    if refused:
        click.echo(f"{refused} of {len(wanted.tables)} tables not downloaded (see above)", err=True)
        sys.exit(EXIT_REJECTED)


def _pull(
    client: SyncClient,
    folder: Path,
    wanted: PullRequest,
    token: str | None,
    email: str | None,
    password: str | None,
) -> int:
    """Pull, print one line per table; the number of tables that did not arrive."""
    signed_in = token is None
    if token is None:
        password = password if password is not None else click.prompt("Password", hide_input=True)
        token = sign_in(client, email or "", password or "")
    use_token(client, token)
    try:
        results = pull_tables(client, folder, wanted)
    finally:
        if signed_in:
            sign_out(client)
    for result in results:
        click.echo(f"{result.outcome:<10} {result.filename} {result.detail}".rstrip())
    return sum(r.outcome in (PullOutcome.REFUSED, PullOutcome.FAILED) for r in results)
