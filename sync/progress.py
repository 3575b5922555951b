"""What a person sees while a push runs: a bar on a terminal, plain lines otherwise (logs,
cron, a pipe), and the summary at the end."""

from __future__ import annotations

from typing import TextIO

import click

from sync.errors import SyncError
from sync.outbox import ItemState, OutboxItem
from sync.push import PushSummary

BAR_WIDTH = 30


class LineReporter:
    """One line per event, for logs and pipes."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out

    def _say(self, text: str) -> None:
        click.echo(text, file=self.out)

    def started(self, queued: int) -> None:
        self._say(f"{queued} queued")

    def item_done(self, item: OutboxItem) -> None:
        self._say(f"{state_words(item)} {item.instance_id} ({item.form_id}): {describe(item)}")

    def waiting(self, seconds: float, error: SyncError) -> None:
        self._say(f"waiting {seconds:.1f} s: {error}")


class BarReporter:
    """A one-line bar redrawn in place: done/total, rejected, and what it is waiting for."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out
        self.total = self.sent = self.rejected = 0

    def started(self, queued: int) -> None:
        self.total = queued
        self._draw("")

    def item_done(self, item: OutboxItem) -> None:
        if item.state == ItemState.SENT:
            self.sent += 1
        else:
            self.rejected += 1
        self.total = max(self.total, self.sent + self.rejected)
        self._draw("")

    def waiting(self, seconds: float, error: SyncError) -> None:
        self._draw(f"waiting {seconds:.0f} s: {str(error)[:60]}")

    def _draw(self, note: str) -> None:
        done = self.sent + self.rejected
        filled = BAR_WIDTH * done // self.total if self.total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"[{bar}] {done}/{self.total} sent {self.sent}, rejected {self.rejected} {note}"
        click.echo("\r" + line.ljust(100)[:100], nl=False, file=self.out)

    def close(self) -> None:
        click.echo("", file=self.out)


def describe(item: OutboxItem) -> str:
    status = f"{item.last_status} " if item.last_status else ""
    return f"{status}{item.message or item.last_error or ''}".strip()


def state_words(item: OutboxItem) -> str:
    """`sent`, `rejected`, `queued`, or `sent, has issues` for a record the server stored but
    put aside for an officer: not a plain success, the cadre may have to correct it."""
    return "sent, has issues" if item.state == ItemState.SENT and item.issues else item.state


def summary_lines(summary: PushSummary) -> list[str]:
    flagged = [i for i in summary.sent if i.issues]
    note = f" ({len(flagged)} stored with issues for an officer to look at)" if flagged else ""
    lines = [f"Sent: {len(summary.sent)}{note}"]
    lines += [f"  has issues {i.instance_id} ({i.form_id}): {i.issues}" for i in flagged]
    lines.append(f"Rejected: {len(summary.rejected)}")
    lines += [f"  {i.instance_id} ({i.form_id}): {describe(i)}" for i in summary.rejected]
    lines.append(f"Still queued: {summary.still_queued}")
    if summary.stopped_by:
        lines.append(f"Stopped: {summary.stopped_by}")
    return lines
