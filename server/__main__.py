"""`python -m server …` is the same as the `rasoat` command."""

from server.cli import main

main()
