"""How long to wait before the next try: exponential backoff with jitter."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sync.errors import TemporaryFailure

logger = logging.getLogger(__name__)
T = TypeVar("T")


def backoff_delay(
    failures: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after `failures` consecutive failures (1 = the first one).

    "Equal jitter": half of the exponential step is fixed, half is random, so the wait keeps
    growing while many clients that lost the same server do not come back in lockstep. A
    server's Retry-After is honoured, but never beyond `cap`.
    """
    step = min(cap, base * 2.0 ** max(failures - 1, 0))
    delay = step / 2 + rand() * step / 2
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap)


def retrying(
    action: Callable[[], T],
    *,
    retries: int,
    base: float,
    cap: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`action()`, tried again after a TemporaryFailure up to `retries` more times."""
    failures = 0
    while True:
        try:
            return action()
        except TemporaryFailure as exc:
            failures += 1
            if failures > retries:
                raise
            delay = backoff_delay(failures, base=base, cap=cap, retry_after=exc.retry_after)
            logger.info("retrying in %.1f s: %s", delay, exc)
            sleep(delay)
