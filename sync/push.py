"""Pushing the outbox upstream: each queued item HEAD-checked, split like Collect, POSTed.

The outbox is the only memory: an item is `sent` once the final POST got 201/202 and that fact
is committed, so a push killed at any point and started again re-sends at most the one item that
was in flight, which the server acknowledges as an identical resubmission (202) and stores once.
Files of a split upload that were already acknowledged are not sent again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sync.backoff import backoff_delay
from sync.batches import plan_batches
from sync.client import SyncClient
from sync.errors import Rejected, SyncError, TemporaryFailure
from sync.outbox import ItemState, Outbox, OutboxItem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushPolicy:
    """How hard to try. `retries` counts consecutive temporary failures; --watch never stops."""

    retries: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    watch: bool = False
    poll_interval: float = 5.0


@dataclass
class PushSummary:
    sent: list[OutboxItem] = field(default_factory=list)
    rejected: list[OutboxItem] = field(default_factory=list)
    still_queued: int = 0
    stopped_by: str | None = None  # why the run ended early, if it did


class PushReporter(Protocol):
    def started(self, queued: int) -> None: ...
    def item_done(self, item: OutboxItem) -> None: ...
    def waiting(self, seconds: float, error: SyncError) -> None: ...


class SilentReporter:
    def started(self, queued: int) -> None:
        pass

    def item_done(self, item: OutboxItem) -> None:
        pass

    def waiting(self, seconds: float, error: SyncError) -> None:
        pass


def send_item(client: SyncClient, outbox: Outbox, item: OutboxItem) -> None:
    """Send one queued item; its outcome is committed to the outbox before this returns."""
    outbox.record_attempt(item.id)
    limit = client.preflight()
    xml = outbox.xml(item.id)
    pending = [(a.name, a.size) for a in item.attachments if not a.sent]
    batches = plan_batches(len(xml), pending, limit)
    for number, names in enumerate(batches, start=1):
        last = number == len(batches)
        files = [(name, outbox.attachment(item.id, name)) for name in names]
        answer = client.post_submission(xml, files, xml_name=item.xml_name, incomplete=not last)
        if last:
            outbox.mark_sent(item.id, answer.status, answer.message, names, answer.issues)
        else:
            outbox.mark_attachments_sent(item.id, names)


class Pusher:
    """One push run over an outbox. Stops on a final error about the run itself (credentials,
    wrong address), after `retries` consecutive temporary failures, or never with `watch`."""

    def __init__(
        self,
        outbox: Outbox,
        client: SyncClient,
        policy: PushPolicy,
        reporter: PushReporter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.outbox, self.client, self.policy = outbox, client, policy
        self.reporter = reporter or SilentReporter()
        self.sleep = sleep
        self.summary = PushSummary()
        self._failures = 0

    def run(self) -> PushSummary:
        """Push until the queue is empty (or forever with `watch`); the summary is kept up to
        date on `self.summary`, so a caller interrupted by Ctrl-C can still print it."""
        self.reporter.started(len(self.outbox.queued_ids()))
        try:
            while self._one_pass():
                pass
        finally:
            self.summary.still_queued = len(self.outbox.queued_ids())
        return self.summary

    def _one_pass(self) -> bool:
        """Go once over the queue; True to go again."""
        ids = self.outbox.ready_ids()
        if not ids:
            if self.policy.watch:
                self.sleep(self.policy.poll_interval)
            return self.policy.watch
        # all() stops at the first item that ends the run.
        return all(self._push_one(item_id) for item_id in ids)

    def _push_one(self, item_id: int) -> bool:
        """Send one item; False when the run must stop."""
        item = self.outbox.get(item_id)
        if item.state != ItemState.QUEUED:
            return True
        try:
            send_item(self.client, self.outbox, item)
        except Rejected as exc:
            self.outbox.mark_rejected(item.id, exc.status, str(exc))
            self._done(item.id, self.summary.rejected)
        except TemporaryFailure as exc:
            return self._temporary(item, exc)
        else:
            self._done(item.id, self.summary.sent)
        return True

    def _done(self, item_id: int, bucket: list[OutboxItem]) -> None:
        self._failures = 0
        item = self.outbox.get(item_id)
        bucket.append(item)
        logger.info("%s %s (%s)", item.state, item.instance_id, item.last_status)
        self.reporter.item_done(item)

    def _temporary(self, item: OutboxItem, exc: TemporaryFailure) -> bool:
        """Keep the item queued and wait; the next item is tried after the wait, so one item
        the server cannot digest never holds the others back."""
        self.outbox.record_failure(item.id, str(exc), exc.status)
        self._failures += 1
        if not self.policy.watch and self._failures > self.policy.retries:
            retries = self.policy.retries
            self.summary.stopped_by = (
                f"gave up after {retries} {'retry' if retries == 1 else 'retries'}"
                f" ({self._failures} failed attempts in a row): {exc}"
            )
            return False
        delay = backoff_delay(
            self._failures,
            base=self.policy.base_delay,
            cap=self.policy.max_delay,
            retry_after=exc.retry_after,
        )
        self.reporter.waiting(delay, exc)
        self.sleep(delay)
        return True
