"""SQLModel tables. Importing this package registers every table on ``SQLModel.metadata``."""

from sqlmodel import SQLModel

from .chat import ChatGroup
from .failures import FailedUpdate
from .identities import ChatAccount, ChatKind, PlatformChat
from .flood import HeldBundle, HeldMessage, ReportTrace
from .members import ROLE_NAMES_ZH, Member, MemberStatus, Resident, Role, WorkUnit
from .outbox import INTERACTIVE_KINDS, OutboxMessage, OutboxPriority, OutboxStatus, PendingQuestion, ProcessedUpdate
from .places import Building, Community, Compound, Grid, PlaceAlias
from .points import PointsEntry, PointsRule, Voucher
from .reports import (
    ISSUE_CATEGORY_ZH,
    ISSUE_OPEN,
    ISSUE_STATUS_ZH,
    WISH_CATEGORY_ZH,
    WISH_OPEN,
    WISH_STATUS_ZH,
    Issue,
    IssueCategory,
    IssueEvent,
    IssueFollower,
    IssueStatus,
    Wish,
    WishCategory,
    WishEvent,
    WishStatus,
)
from .rotas import (
    DAILY,
    ROTA_KIND_ZH,
    AssignmentRole,
    AssignmentSource,
    AwayPeriod,
    CalendarFeed,
    CheckIn,
    CheckInKind,
    EscalationPolicy,
    EscalationStep,
    Occurrence,
    PolicyKind,
    Rota,
    RotaKind,
    RotaMember,
    Shift,
    ShiftAssignment,
    ShiftOverride,
    ShiftStatus,
    SwapRequest,
    SwapStatus,
)
from .routing import RouteTarget, RoutingRule
from .tasks import Task, TaskParticipant
from .trust import BindAttempt, Invitation, MemberEvent, WebLogin

metadata = SQLModel.metadata

__all__ = [name for name in dir() if not name.startswith("_")]
