"""A small sample community for trying the stand-in on its own (``hgj standin --seed``)."""

from __future__ import annotations

from bot.platforms.telegram.standin.state import World

SAMPLE_RESIDENTS = [
    ("王阿姨", "wang_ayi"),
    ("李师傅", "li_shifu"),
    ("张楼长", "zhang_louzhang"),
    ("刘网格员", "liu_wangge"),
]


def seed_sample(world: World, title: str = "幸福里社区居民群") -> dict:
    """Four residents in one supergroup; returns ``{"users": [...], "group": {...}}``."""
    users = [world.add_user(name, username=username) for name, username in SAMPLE_RESIDENTS]
    group = world.add_group(title, members=[u.id for u in users], owner=users[3].id,
                            admins=[users[2].id])
    return {"users": [u.to_dict() for u in users], "group": group.summary()}
