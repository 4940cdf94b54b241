"""Logging of the long-running processes (``hgj run``, ``hgj scheduler``, ``hgj demo``).

One line per event. ``HGJ_LOG_FORMAT=text`` (the default) reads well under systemd's journal;
``json`` writes one JSON object a line (python-json-logger) with the event's fields as keys —
``update_id``, ``chat_id``, ``report`` (Q12, W5) where an update is concerned — for a log
collector. ``HGJ_LOG_LEVEL`` is INFO by default, so every update handled and every change of
who owns the scheduler or the sender shows.
"""

from __future__ import annotations

import logging
import sys

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# libraries that say at INFO what our own lines already say (aiogram: "Update id=… is handled")
QUIET = {"aiogram.event": logging.WARNING, "aiogram.dispatcher": logging.WARNING, "httpx": logging.WARNING,
         "apscheduler": logging.WARNING, "uvicorn.error": logging.WARNING, "alembic": logging.WARNING}


def setup(level: str = "INFO", fmt: str = "text", *, stream=None) -> None:
    """Configure the root logger once, replacing what was there (a second call reconfigures)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter  # only the json format needs it

        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        ))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    # Neither format shows where a call was made nor the thread or process: skip collecting them
    # for every record (the logging HOWTO's "Optimization" section; a line per update adds up)
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet in QUIET.items():
        # a deliberately verbose run (DEBUG) hears the libraries too
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else quiet)


def from_settings(settings, *, verbose: bool = False) -> None:
    setup("DEBUG" if verbose else settings.log_level, settings.log_format)


def report_number(ref: str | None) -> str | None:
    """``issue:12`` → ``Q12``, ``wish:5`` → ``W5``: the numbers people see in the chat."""
    if not ref:
        return None
    kind, _, number = ref.partition(":")
    prefix = {"issue": "Q", "wish": "W", "held": "H", "shift": "S"}.get(kind)
    return f"{prefix}{number}" if prefix and number.isdigit() else None
