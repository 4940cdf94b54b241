"""The words of the core's facts (``bot.notices``): each fact type and the text that renders it.

Every process that queues the core's messages installs them at start-up — the ``hgj`` command
line, ``hgj scheduler`` (``bot.cli.scheduler``), the runtime and the web app each call ``install()`` — since
the core may not import this layer to find them itself.
"""

from __future__ import annotations

from bot import notices
from bot.issues.notices import Escalation
from bot.members.notices import BoundNotice, ClaimedElsewhere, RosterBound, UnboundNotice, UnboundToAccount
from bot.notices import InGroup
from bot.office.notices import MorningDigest, Scoreboard, WeeklyNote
from bot.rotas.notices import EveReminder, MissedCheckIn, QuorumCall, StartReminder

from .texts import common, issues, members, office, rotas

RENDERERS = {
    InGroup: common.in_group,
    # rotas
    EveReminder: rotas.eve_reminder,
    StartReminder: rotas.start_reminder,
    QuorumCall: rotas.quorum_call,
    MissedCheckIn: rotas.missed_checkin,
    # the office's digests
    MorningDigest: office.morning_digest,
    WeeklyNote: office.weekly_note,
    Scoreboard: office.scoreboard,
    # issues
    Escalation: issues.escalation_step,
    # members
    BoundNotice: members.bound_notice,
    UnboundNotice: members.unbound_notice,
    UnboundToAccount: members.unbound_to_account,
    ClaimedElsewhere: members.claimed_elsewhere,
    RosterBound: members.roster_bound,
}


def install() -> None:
    notices.install(RENDERERS)
