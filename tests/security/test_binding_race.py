"""Red team on binding: two proofs for one member at the same moment.

The real member shares their phone on their own account while someone else redeems an invitation
for that member on another (a leaked link): each transaction saw the member without an account
and bound it, the later write silently replacing the earlier — both accounts were told 「绑定成功」,
two bind events and notices went out, and the member ended up with whichever committed last.
On PostgreSQL (read committed) that was a plain race; SQLite's single writer queues them. Only one
bind wins now; the other reads 「没有完成绑定」 and the office hears that a proven phone found its
member taken."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.members import binding
from models import Member, MemberEvent
from tests.factories import build_world
from tests import ids

REAL, LEAKED = 9_101, 9_102


@pytest.mark.postgres
def test_two_binds_of_one_member_at_once_cannot_both_win(pg_db, clock):
    db, now = pg_db, clock.now()
    with db.transaction() as s:
        world = build_world(s, now)
        ids.bind(world.session, world.m["office"], 8_001)
        member_id = world.m["volunteer"].id
        issued = binding.create_invitation(s, world.m["volunteer"], by=None, now=now)
    with db.transaction() as slow:  # the phone's transaction has read the member (no account yet) …
        member = slow.get(Member, member_id)
        assert ids.member_telegram_id(slow, member) is None
        with db.transaction() as fast:  # … when the leaked invitation commits its bind
            assert binding.bind_by_code(fast, ids.account(fast, LEAKED), issued.code, now=now).status == "bound"
        outcome = binding.bind_by_contact(slow, ids.account(slow, REAL), phone=member.phone, owner_id=ids.account(slow, REAL), now=now)
        assert outcome.status == "refused"
    with db.session() as s:
        assert ids.member_telegram_id(s, member_id) == LEAKED  # the first, not silently replaced
        events = s.exec(select(MemberEvent).where(MemberEvent.member_id == member_id)).all()
        assert [(e.kind, ids.telegram_user(s, e.account_id)) for e in events] == [("bind", LEAKED)]


def test_a_bind_still_binds_and_tells(any_db, clock):
    with any_db.transaction() as s:
        world = build_world(s, clock.now())
        member = world.m["volunteer"]
        outcome = binding.bind_by_contact(s, ids.account(s, REAL), phone=member.phone, owner_id=ids.account(s, REAL), now=clock.now())
        assert outcome.status == "bound" and ids.member_telegram_id(s, outcome.member) == REAL
        assert binding.bind_by_contact(s, ids.account(s, REAL), phone=member.phone, owner_id=ids.account(s, REAL), now=clock.now()).status == "already"
