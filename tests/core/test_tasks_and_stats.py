"""Published tasks, and the funnel of the seed (collected → task list → solved)."""

from __future__ import annotations

import pytest

from bot.issues import service as issues
from bot.points import service as points
from bot.office import stats
from bot.tasks import service as tasks
from bot.infra.errors import InvalidInput, NotAllowed
from tests.factories import build_world


@pytest.fixture
def w(any_db, clock):
    with any_db.transaction() as session:
        yield build_world(session, clock.now())


def test_publish_invite_join_and_capacity(w):
    task = tasks.publish(w.session, w.m["volunteer"], title="周六大扫除", capacity=2, now=w.now,
                         invite=[w.m["volunteer2"], w.m["bh3"]])
    tasks.join(w.session, task, w.m["bh3"], now=w.now)
    with pytest.raises(InvalidInput, match="已参加"):
        tasks.join(w.session, task, w.m["bh3"], now=w.now)
    tasks.join(w.session, task, w.m["gm1"], now=w.now)
    with pytest.raises(InvalidInput, match="已满"):
        tasks.join(w.session, task, w.m["volunteer2"], now=w.now)
    with pytest.raises(NotAllowed):
        tasks.join(w.session, task, w.m["outsider"], now=w.now)
    assert tasks.joined_count(w.session, task) == 2
    assert points.balance(w.session, w.m["bh3"].id) == 2
    with pytest.raises(NotAllowed):
        tasks.close(w.session, task, w.m["gm1"], now=w.now)
    tasks.close(w.session, task, w.m["volunteer"], now=w.now)
    with pytest.raises(InvalidInput, match="已结束"):
        tasks.join(w.session, task, w.m["volunteer2"], now=w.now)


def test_funnel_counts_collected_accepted_solved(w):
    s = w.session
    a, b, c, d, e = (w.report(f"问题{i}") for i in range(5))
    issues.accept(s, a, w.actor("gm1"), now=w.now)
    issues.claim(s, b, w.actor("gm1"), now=w.now)
    issues.resolve(s, b, w.actor("gm1"), now=w.now)
    issues.claim(s, c, w.actor("gm1"), now=w.now)
    issues.resolve(s, c, w.actor("gm1"), now=w.now)
    issues.confirm(s, c, w.actor("resident"), now=w.now)
    issues.merge(s, d, a, w.actor("gm1"), now=w.now)
    issues.reject(s, e, w.actor("gm1"), reason="不属实", now=w.now)
    w.report("5栋", building=w.b5)
    f = stats.funnel(s, community_id=w.community.id)
    assert (f.collected, f.accepted, f.solved, f.open, f.rejected, f.duplicates) == (5, 3, 2, 2, 1, 1)
    assert stats.funnel(s, grid_id=w.grid2.id).collected == 1
    data = stats.breakdown(s)
    assert data["collected"] == 5
    grids = {g["grid"]: g for g in data["communities"][0]["grids"]}
    assert grids["第一网格"]["solved"] == 2 and grids["第二网格"]["open"] == 1
