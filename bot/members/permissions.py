"""Who may do what — the one place for it: act on an issue or a wish, manage a rota, see the
dashboards, the statistics and phone numbers, change settings. The ``may_*`` checks of actions
return None when allowed, or the reason (Chinese, shown to the person) when not; the checks of
what one may see return a bool. A member who left (``status == left``) may do none of it."""

from __future__ import annotations

from models import Issue, IssueCategory, Member, MemberStatus, Role, Wish

NOT_A_MEMBER = "只有红管家可以做这一步。已是红管家的，请先私聊机器人发送 /bind 按提示完成绑定"


def in_community(member: Member | None, community_id: int) -> str | None:
    """A member of this community who has not left; the reason otherwise."""
    if member is None:
        return NOT_A_MEMBER
    if member.status == MemberStatus.left:
        return "你已退出红管家，不能再处理事项"
    if member.community_id != community_id:
        return "这件事不属于你所在的社区"
    return None


def _grid_worker(member: Member, issue: Issue) -> bool:
    return member.role == Role.community_worker and (
        member.grid_id is None or issue.grid_id is None or member.grid_id == issue.grid_id
    )


def may_handle(member: Member | None, issue: Issue) -> str | None:
    """Accept, reject, merge: the grid's manager and community workers, the office, the building
    head for their own building, mediators for disputes in their grid."""
    problem = in_community(member, issue.community_id)
    if problem:
        return problem
    if member.is_office_admin or _grid_worker(member, issue):
        return None
    if member.role == Role.building_head and issue.building_id and member.building_id == issue.building_id:
        return None
    if (
        member.is_mediator
        and issue.category == IssueCategory.dispute
        and member.grid_id in (None, issue.grid_id)
    ):
        return None
    return "只有本网格的网格员和社区工作人员、本楼的楼栋长（纠纷另有调解员）可以处理这件事"


def may_claim(member: Member | None, issue: Issue) -> str | None:
    """Handlers, plus district leaders and unit cadres who take on hard cases (主动认领)."""
    problem = in_community(member, issue.community_id)
    if problem:
        return problem
    if member.role in (Role.district_leader, Role.unit_cadre):
        return None
    if may_handle(member, issue) is None:
        return None
    return "只有本网格的网格员、社区工作人员、本楼楼栋长和包联干部可以领办这件事"


def may_resolve(member: Member | None, issue: Issue) -> str | None:
    problem = in_community(member, issue.community_id)
    if problem:
        return problem
    if issue.handler_id == member.id or may_handle(member, issue) is None:
        return None
    return "只有领办人或本网格的处理人员可以标记解决"


def may_reassign(member: Member | None, issue: Issue) -> str | None:
    problem = in_community(member, issue.community_id)
    if problem:
        return problem
    if member.is_office_admin or _grid_worker(member, issue):
        return None
    return "只有本网格的网格员、社区工作人员或社区工作室可以转派"


def may_answer_as_reporter(resident_id: int | None, issue: Issue) -> str | None:
    if resident_id is not None and resident_id == issue.reporter_id:
        return None
    return "只有反映人本人可以确认或重新打开"


def may_claim_wish(member: Member | None, wish: Wish, poster_member_id: int | None) -> str | None:
    problem = in_community(member, wish.community_id)
    if problem:
        return "认领微心愿需要先成为红管家志愿者" if member is None else problem
    if member.status != MemberStatus.active:
        return "你当前处于请假/外出状态，暂不能认领"
    if poster_member_id == member.id:
        return "不能认领自己发布的心愿"
    return None


# --- rotas ---------------------------------------------------------------------------------


def may_manage_rota(member: Member | None, community_id: int, grid_id: int | None) -> str | None:
    """Create rotas or change them: the grid's community workers (grid managers among them),
    community workers without a grid, and the community's office admins."""
    problem = in_community(member, community_id)
    if problem:
        return problem
    if member.is_office_admin:
        return None
    if member.role == Role.community_worker and (member.grid_id is None or member.grid_id == grid_id):
        return None
    return "只有本网格的网格员、社区工作人员或社区工作室管理员可以管理排班"


# --- what one may see -----------------------------------------------------------------------


def holds_staff_role(member: Member) -> bool:
    """Leaders, unit cadres, community workers and office admins: the roles that see the
    community's dashboard and its rotas' calendar links — whatever the member's status now."""
    return member.is_office_admin or member.role in (Role.district_leader, Role.unit_cadre, Role.community_worker)


def may_see_dashboard(member: Member | None) -> bool:
    """Leaders, unit cadres, community workers and office admins see their community's dashboard."""
    return member is not None and member.status != MemberStatus.left and holds_staff_role(member)


def may_see_stats(member: Member | None) -> bool:
    """The community's figures (/stats) are for those who see its dashboard."""
    return may_see_dashboard(member)


def may_see_phones(member: Member | None) -> bool:
    """Phone numbers are for the community office only."""
    return member is not None and member.status != MemberStatus.left and member.is_office_admin


def may_change_settings(member: Member | None) -> bool:
    return may_see_phones(member)
