"""Durable, rate-limited sending. ``enqueue`` writes rows in the caller's transaction; the
sender (``bot.outbox.sender``) delivers them through a ``Transport``."""

from .store import buttons_from_json, buttons_to_json, enqueue, enqueue_all

__all__ = ["enqueue", "enqueue_all", "buttons_to_json", "buttons_from_json"]
