"""Durable, rate-limited sending. ``enqueue`` writes rows in the caller's transaction; the
``Sender`` (``bot.outbox.sender``) delivers them through a ``Transport`` within a ``RateLimiter``."""

from .ratelimit import RateLimiter, RateLimits
from .reroute import reroute_alert
from .sender import RetryPolicy, Sender, SenderStats
from .store import buttons_from_json, buttons_to_json, carried, enqueue, enqueue_all, refs_of
from .transport import (
    ChatMigrated,
    OutboundMessage,
    PermanentError,
    RetryAfter,
    TemporaryError,
    Transport,
    TransportError,
    Unreachable,
)

__all__ = [
    "enqueue", "enqueue_all", "buttons_to_json", "buttons_from_json", "carried", "refs_of",
    "Sender", "SenderStats", "RetryPolicy", "RateLimiter", "RateLimits", "reroute_alert",
    "Transport", "OutboundMessage", "TransportError", "RetryAfter", "Unreachable",
    "TemporaryError", "PermanentError", "ChatMigrated",
]
