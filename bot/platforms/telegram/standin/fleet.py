"""Several ``hgj run`` processes against one stand-in, for the tests and ``bench/scale.py``: start
them, see which one owns a role, kill one with SIGKILL, and time what the stand-in received.

Nothing here is used by the bot itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bot.infra.ownership import lock_for

ROOT = Path(__file__).resolve().parents[4]


class SendLog:
    """Every message the stand-in accepted from a bot, with the monotonic time it arrived. Wraps
    ``world.emit`` (called on the stand-in's loop; read from any thread)."""

    def __init__(self, world) -> None:
        self.world = world
        self.sends: list[tuple[float, int]] = []  # (time, chat id)
        self.user_messages: dict[tuple[int, int], float] = {}
        self.replies: list[tuple[float, int, int | None]] = []
        self._lock = threading.Lock()
        original = world.emit

        def emit(type_, **fields):
            now = time.monotonic()
            if type_ == "sent":
                msg = fields.get("message") or {}
                with self._lock:
                    self.sends.append((now, fields.get("chat_id")))
                    replied = (msg.get("reply_to_message") or {}).get("message_id")
                    self.replies.append((now, fields.get("chat_id"), replied))
            elif type_ == "user_message":
                self.user_messages[(fields["chat_id"], fields["message_id"])] = now
            return original(type_, **fields)

        world.emit = emit

    def count(self) -> int:
        return len(self.sends)

    def per_chat(self) -> Counter:
        with self._lock:
            return Counter(chat for _, chat in self.sends)

    def first_after(self, t: float) -> float | None:
        with self._lock:
            return next((at for at, _ in self.sends if at > t), None)

    def reply_delay(self, chat_id: int, message_id: int) -> float | None:
        """Seconds from a user's message to the bot's reply to it."""
        start = self.user_messages.get((chat_id, message_id))
        with self._lock:
            at = next((a for a, c, r in self.replies if c == chat_id and r == message_id), None)
        return None if start is None or at is None else at - start


class Instance:
    """``hgj run`` in its own process; its output goes to ``log`` (INFO: ownership changes are in it)."""

    def __init__(self, name: str, env: dict, log: Path, *, args: tuple[str, ...] = ()) -> None:
        self.name = name
        self.log = log
        self._out = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", *args], cwd=str(ROOT),
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env}, stdout=self._out, stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def started(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited {self.proc.returncode}:\n{self.text()[-3000:]}")
        return "已启动" in self.text()

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._out.close()


def holder_pid(engine, role: str) -> int | None:
    """The pid of the process owning ``role`` (from the PostgreSQL lock's connection name, or the
    file written beside the SQLite lock)."""
    name = lock_for(engine, role).holder() or ""
    for part in name.split():
        if part.startswith("pid="):
            return int(part[4:])
    return None


def wait_until(cond, timeout: float, what: str, step: float = 0.02):
    end = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > end:
            raise TimeoutError(what)
        time.sleep(step)
