"""`python -m sync …`: the same commands as `rasoat sync …`."""

from sync.cli import sync_group

sync_group(prog_name="rasoat sync")
