"""Where the development-only data sets are found (never needed at run time).

The real chatter and citizen messages live in the project's ``shared/data`` folder beside the
checkout (``../shared/data``); a git worktree one level deeper finds it one level up, and
``HGJ_SHARED_DATA`` names it explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path:
    """The shared data folder; the conventional ``../shared/data`` when none is found."""
    env = os.environ.get("HGJ_SHARED_DATA")
    if env:
        return Path(env)
    for base in (REPO.parent, REPO.parent.parent):
        candidate = base / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "data"
