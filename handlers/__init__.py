"""The platform-neutral conversation: one ``Router`` per feature module, included here.

Handlers take an ``Inbound`` message or a ``Press`` and return a ``Reaction`` (what to say, whom
to notify); they never call a chat platform themselves.
"""
from . import handling, held, info, members, reports, rotas, tasks, wishes
from .conversation import Conversation


def build_conversation():
    """Every feature router, in the order text handlers are tried."""
    routers = [rotas.router, reports.router, handling.router, wishes.router, tasks.router, info.router,
               members.router, held.router]
    return Conversation(routers)
