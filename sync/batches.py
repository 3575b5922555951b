"""Splitting one submission into several POSTs the way ODK Collect does (openrosa.md §3.3)."""

from __future__ import annotations

from collections.abc import Sequence

DEFAULT_ACCEPT_LENGTH = 10_000_000
MAX_FILES_PER_POST = 100


def plan_batches(
    xml_size: int,
    files: Sequence[tuple[str, int]],
    limit: int,
    max_files: int = MAX_FILES_PER_POST,
) -> list[list[str]]:
    """Names of the attachments to send in each POST, in order.

    Every POST repeats the whole XML, so its size counts against each batch. A new POST starts
    when the next file would push the running total over `limit`, or after `max_files` files;
    a single file larger than the limit still goes alone. There is always at least one POST
    (the XML alone when there are no files left to send).
    """
    batches: list[list[str]] = [[]]
    size = xml_size
    for name, file_size in files:
        current = batches[-1]
        if current and (size + file_size > limit or len(current) >= max_files):
            batches.append([])
            size = xml_size
        batches[-1].append(name)
        size += file_size
    return batches
