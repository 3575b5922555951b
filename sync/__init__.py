"""Store-and-forward client for rasoat servers (built on requests; never imports server).

Queue instances in an `Outbox` (a crash-safe SQLite file), push them to a server's OpenRosa
endpoint with a `SyncClient` the way ODK Collect would, and pull the aggregated tables. The
command line is `rasoat sync` (sync.cli); sync/README.md explains the design.
"""

from sync.client import BearerAuth, SyncClient
from sync.collect import FolderScan, read_instance, scan_instances
from sync.errors import (
    AuthenticationFailed,
    InstanceUnreadable,
    NotOpenRosa,
    OutboxError,
    Rejected,
    ServerError,
    ServerUnreachable,
    SyncError,
    TemporaryFailure,
)
from sync.outbox import (
    Attachment,
    Enqueued,
    EnqueueOutcome,
    Instance,
    ItemState,
    Outbox,
    OutboxItem,
)
from sync.pull import PullOutcome, PullRequest, TableResult, pull_tables, sign_in
from sync.push import Pusher, PushPolicy, PushSummary, send_item

__all__ = [
    "Attachment",
    "AuthenticationFailed",
    "BearerAuth",
    "EnqueueOutcome",
    "Enqueued",
    "FolderScan",
    "Instance",
    "InstanceUnreadable",
    "ItemState",
    "NotOpenRosa",
    "Outbox",
    "OutboxError",
    "OutboxItem",
    "PullOutcome",
    "PullRequest",
    "PushPolicy",
    "PushSummary",
    "Pusher",
    "Rejected",
    "ServerError",
    "ServerUnreachable",
    "SyncClient",
    "SyncError",
    "TableResult",
    "TemporaryFailure",
    "pull_tables",
    "read_instance",
    "scan_instances",
    "send_item",
    "sign_in",
]
