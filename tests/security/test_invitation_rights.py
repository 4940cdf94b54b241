"""Red team on invitations: who holds a way in.

- A grid manager may invite the members of their grid — the office admins among them too: the
  link, redeemed with a second account, made the grid manager the office (every phone number,
  unbinding, every group). Only office admins invite office admins now.
- Invitations outlived the account that made them: an impostor who had bound as an office admin
  (or a departing grid manager) kept the links they had made after /unbind (or leaving), and could
  hand them to accounts of their own for a week. Unbinding or leaving voids the unused ones."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.infra.errors import NotAllowed
from bot.members import binding
from bot.members.service import Titles
from models import MemberStatus
from tests.factories import build_world
from tests import ids

ATTACKER_SECOND_ACCOUNT = 9_201


@pytest.fixture
def w(db, clock):
    with db.transaction() as session:
        world = build_world(session, clock.now())
        ids.bind(session, world.m["office"], 8_001)
        ids.bind(session, world.m["gm1"], 8_002)
        session.flush()
        yield world


def test_a_grid_manager_cannot_invite_an_office_admin_of_their_grid(w):
    admin = w.add_member("grid_admin", 3, grid=w.grid1, titles=Titles(office_admin=True))  # unbound, grid 1
    assert not binding.may_invite(w.m["gm1"], admin)
    with pytest.raises(NotAllowed):
        binding.create_invitation(w.session, admin, by=w.m["gm1"], now=w.now)
    assert binding.may_invite(w.m["gm1"], w.m["volunteer"])  # their grid's other members, as before
    issued = binding.create_invitation(w.session, admin, by=w.m["office"], now=w.now)  # the office may
    assert binding.bind_by_code(w.session, ids.account(w.session, 9_300), issued.code, now=w.now).status == "bound"


@pytest.mark.parametrize("how", ["unbind", "leave"])
def test_the_invitations_an_account_made_die_with_its_binding(w, how):
    made = binding.create_invitation(w.session, w.m["volunteer"], by=w.m["gm1"], now=w.now)
    other = binding.create_invitation(w.session, w.m["bh3"], by=w.m["office"], now=w.now)
    if how == "unbind":
        binding.unbind(w.session, w.m["gm1"], by=w.m["office"], how="office", now=w.now)
    else:
        binding.set_status(w.session, w.m["gm1"], MemberStatus.left, now=w.now)
    refused = binding.bind_by_code(w.session, ids.account(w.session, ATTACKER_SECOND_ACCOUNT), made.code, now=w.now)
    assert refused.status == "refused" and ids.member_telegram_id(w.session, w.m["volunteer"]) is None
    # another's invitation still works
    assert binding.bind_by_code(w.session, ids.account(w.session, 9_301), other.code, now=w.now).status == "bound"


def test_the_roster_naming_another_account_ends_what_the_old_one_held(w, tmp_path):
    """The office's usual cure for an impostor — the roster's 电报ID column naming the member's
    real account — ended the old account's web logins, but not its calendar link nor the
    invitations it had made."""
    from bot.members import logins as access
    from bot.rotas import ical
    from bot.members.roster import import_roster
    from models import CalendarFeed

    gm1 = w.m["gm1"]  # bound to 8002 (the impostor's account, say)
    made = binding.create_invitation(w.session, w.m["volunteer"], by=gm1, now=w.now)
    token = access.issue_login(w.session, gm1, now=w.now)
    ical.member_token(w.session, gm1, now=w.now)
    w.session.flush()
    path = tmp_path / "roster.csv"
    path.write_text(f"姓名,手机号,角色,社区,网格,电报ID\n{gm1.name},{gm1.phone},网格员,白庙社区,第一网格,8999\n",
                    encoding="utf-8")
    import_roster(w.session, path, now=w.now)
    assert ids.member_telegram_id(w.session, gm1) == 8_999
    assert access.member_for_token(w.session, token, now=w.now) is None
    assert w.session.exec(select(CalendarFeed).where(CalendarFeed.member_id == gm1.id)).first() is None
    assert binding.bind_by_code(w.session, ids.account(w.session, ATTACKER_SECOND_ACCOUNT), made.code, now=w.now).status == "refused"
