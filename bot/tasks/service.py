"""Published tasks (发布任务): any member publishes a task and invites others; members join."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from models import Member, MemberStatus, Task, TaskParticipant

from bot.points import service as points
from bot.infra.errors import InvalidInput, NotAllowed, NotFound


def code(task: Task | int) -> str:
    return f"T{task if isinstance(task, int) else task.id}"


def get(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(f"没有找到任务 {code(task_id)}")
    return task


def publish(
    session: Session,
    publisher: Member,
    *,
    title: str,
    now: datetime,
    description: str = "",
    capacity: int | None = None,
    invite: list[Member] = (),
) -> Task:
    if publisher.status == MemberStatus.left:
        raise NotAllowed("你已退出红管家，不能发布任务")
    title = title.strip()
    if not title:
        raise InvalidInput("任务标题不能为空")
    if capacity is not None and capacity < 1:
        raise InvalidInput("人数上限至少为 1")
    task = Task(
        community_id=publisher.community_id,
        grid_id=publisher.grid_id,
        publisher_id=publisher.id,
        title=title[:128],
        description=description.strip(),
        capacity=capacity,
        created_at=now,
    )
    session.add(task)
    session.flush()
    for member in invite:
        invite_member(session, task, publisher, member, now=now)
    return task


def _participant(session: Session, task: Task, member: Member) -> TaskParticipant | None:
    return session.exec(
        select(TaskParticipant).where(
            TaskParticipant.task_id == task.id, TaskParticipant.member_id == member.id
        )
    ).first()


def joined_count(session: Session, task: Task) -> int:
    return session.exec(
        select(func.count()).select_from(TaskParticipant).where(
            TaskParticipant.task_id == task.id, TaskParticipant.status == "joined"
        )
    ).one()


def invite_member(session: Session, task: Task, by: Member, member: Member, *, now: datetime) -> TaskParticipant:
    if task.status != "open":
        raise InvalidInput(f"任务 {code(task)} 已结束")
    if member.community_id != task.community_id:
        raise InvalidInput(f"{member.name} 不在本社区")
    found = _participant(session, task, member)
    if found:
        return found
    participant = TaskParticipant(task_id=task.id, member_id=member.id, status="invited", invited_by_id=by.id, at=now)
    session.add(participant)
    session.flush()
    return participant


def join(session: Session, task: Task, member: Member, *, now: datetime) -> TaskParticipant:
    if task.status != "open":
        raise InvalidInput(f"任务 {code(task)} 已结束")
    if member.community_id != task.community_id:
        raise NotAllowed("只能参加本社区的任务")
    if member.status == MemberStatus.left:
        raise NotAllowed("你已退出红管家")
    participant = _participant(session, task, member)
    if participant and participant.status == "joined":
        raise InvalidInput(f"你已参加任务 {code(task)}")
    if task.capacity is not None and joined_count(session, task) >= task.capacity:
        raise InvalidInput(f"任务 {code(task)} 人数已满")
    if participant is None:
        participant = TaskParticipant(task_id=task.id, member_id=member.id, at=now)
    participant.status = "joined"
    participant.at = now
    session.add(participant)
    session.flush()
    if member.id != task.publisher_id:  # publishing tasks to join them oneself would mint points
        points.award(session, "task_joined", member, f"task:{task.id}:member:{member.id}", now=now)
    return participant


def close(session: Session, task: Task, by: Member, *, now: datetime) -> Task:
    if by.id != task.publisher_id and not by.is_office_admin:
        raise NotAllowed("只有发布人或社区工作室可以结束任务")
    task.status = "closed"
    task.closed_at = now
    session.add(task)
    return task


def open_tasks(session: Session, community_id: int, limit: int = 20) -> list[Task]:
    return list(
        session.exec(
            select(Task).where(Task.community_id == community_id, Task.status == "open")
            .order_by(Task.id.desc()).limit(limit)
        ).all()
    )
