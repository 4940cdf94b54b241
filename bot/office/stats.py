"""The funnel of the seed (collected → task list → solved) and open counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import case, func
from sqlmodel import Session, select

from models import ISSUE_OPEN, WISH_OPEN, Community, Grid, Issue, IssueStatus, Wish, WishStatus

S = IssueStatus


@dataclass
class Funnel:
    collected: int = 0  # every report except duplicates merged into another
    accepted: int = 0  # ever taken into the task list
    solved: int = 0  # resolved or confirmed now
    open: int = 0
    rejected: int = 0
    duplicates: int = 0
    wishes_open: int = 0
    wishes_fulfilled: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def _issue_columns():
    not_dup = Issue.status != S.duplicate
    return (
        func.sum(case((not_dup, 1), else_=0)),
        func.sum(case((not_dup & Issue.accepted_at.is_not(None), 1), else_=0)),
        func.sum(case((Issue.status.in_((S.resolved, S.confirmed)), 1), else_=0)),
        func.sum(case((Issue.status.in_(ISSUE_OPEN), 1), else_=0)),
        func.sum(case((Issue.status == S.rejected, 1), else_=0)),
        func.sum(case((Issue.status == S.duplicate, 1), else_=0)),
    )


def _wish_columns():
    return (
        func.sum(case((Wish.status.in_(WISH_OPEN), 1), else_=0)),
        func.sum(case((Wish.status.in_((WishStatus.fulfilled, WishStatus.thanked)), 1), else_=0)),
    )


def _fill(funnel: Funnel, issue_row, wish_row) -> Funnel:
    if issue_row is not None:
        (funnel.collected, funnel.accepted, funnel.solved, funnel.open, funnel.rejected,
         funnel.duplicates) = (int(v or 0) for v in issue_row)
    if wish_row is not None:
        funnel.wishes_open, funnel.wishes_fulfilled = (int(v or 0) for v in wish_row)
    return funnel


def funnel(session: Session, *, community_id: int | None = None, grid_id: int | None = None) -> Funnel:
    iq = select(*_issue_columns())
    wq = select(*_wish_columns())
    if community_id is not None:
        iq, wq = iq.where(Issue.community_id == community_id), wq.where(Wish.community_id == community_id)
    if grid_id is not None:
        iq, wq = iq.where(Issue.grid_id == grid_id), wq.where(Wish.grid_id == grid_id)
    return _fill(Funnel(), session.exec(iq).one(), session.exec(wq).one())


def breakdown(session: Session) -> dict:
    """Totals, then each community and its grids, in one pass per table."""
    by_grid_issues = {
        (r[0], r[1]): r[2:]
        for r in session.exec(
            select(Issue.community_id, Issue.grid_id, *_issue_columns()).group_by(Issue.community_id, Issue.grid_id)
        ).all()
    }
    by_grid_wishes = {
        (r[0], r[1]): r[2:]
        for r in session.exec(
            select(Wish.community_id, Wish.grid_id, *_wish_columns()).group_by(Wish.community_id, Wish.grid_id)
        ).all()
    }
    communities = []
    for community in session.exec(select(Community).order_by(Community.code)).all():
        grids = []
        for grid in session.exec(select(Grid).where(Grid.community_id == community.id).order_by(Grid.number)):
            key = (community.id, grid.id)
            f = _fill(Funnel(), by_grid_issues.get(key), by_grid_wishes.get(key))
            grids.append({"grid": grid.name, "number": grid.number, **f.to_dict()})
        f = funnel(session, community_id=community.id)
        communities.append({"community": community.name, "code": community.code, **f.to_dict(), "grids": grids})
    return {**funnel(session).to_dict(), "communities": communities}
