"""`rasoat` commands run beside a benchmark's server (same database and data folder)."""

from __future__ import annotations

import os
import subprocess

from bench.ingest import RASOAT, REPO_ROOT, TOKEN_URL_RE


def rasoat(env: dict[str, str], *args: str) -> str:
    """Run `rasoat ARGS` with the server's RASOAT_* settings; its output, or RuntimeError."""
    done = subprocess.run(
        [str(RASOAT), *args],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"rasoat {' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def create_phone(env: dict[str, str], name: str, *options: str) -> str:
    """A new phone (app user); its ODK Collect token URL."""
    match = TOKEN_URL_RE.search(rasoat(env, "app-user", "create", "--name", name, *options))
    if match is None:
        raise RuntimeError("app-user create printed no token URL")
    return match.group(0)
