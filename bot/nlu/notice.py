"""Announcements: a notice forwarded into the group (停水通知, 燃气安检公告, a class schedule)
reports nothing, however many problem words it holds (停电, 电梯, 燃气, 垃圾 …).

What marks one is its form, not its topic: a header (【停水通知】, 转发：, 📢), a word that
names the genre (通知 / 公告 / 温馨提示 …) at the head, an audience (各位业主, 尊敬的居民), a
closing (敬请谅解, 感谢配合, a signature or a date), more than one line or a numbered list, a
title line that names its genre (「水表更换公告」「志愿者招募」), a fraud warning. Two of
these on a message of some length make a notice, unless it asks for something the way a
complaint does (投诉, 恳请, 怎么办 …). Reads the raw text: line breaks count.
"""

from __future__ import annotations

import re

MIN_LENGTH = 40

_HEADER = re.compile(r"^\s*(?:【[^】]{1,24}】|\[[^\]]{1,24}\]|转发|转给|转[:：]|转自|📢|⚠️|❗|@所有人|@全体)")
_GENRE = re.compile(r"通知|公告|通告|公示|温馨提示|提示|提醒|告.{0,4}书|预警|倡议|须知|启事|小课堂|菜单|安排表")
_AUDIENCE = re.compile(
    r"(?:各位|全体|亲爱的|尊敬的)(?:的)?(?:业主|居民|住户|家长|邻居|朋友|用户|租户|小区居民|居民朋友|业主朋友)"
    r"|广大(?:业主|居民|市民|群众)|请(?:各位|广大|全体)|(?:业主|居民|家长|邻居|朋友|住户)们"
)
_CLOSING = re.compile(
    r"敬请谅解|请(?:大家)?(?:相互|互相)转告|特此(?:通知|公告|说明)|(?:感谢|谢谢)(?:大家|您|各位)?的?(?:配合|支持|理解)"
    r"|带来(?:的)?不便|做好.{0,4}准备|(?:物业|服务中心|管理处|居委会|委员会|社区|办事处|公司|派出所|街道)\s*$"
    r"|\n\s*[—-]{2}.{1,20}$|欢迎.{0,10}参加[!！。~]?$"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$"
)
# A title line above the body, named by its genre at its end: 「水表更换公告」「光纤入户改造告知」
# 「老年优待证办理指南」「📣志愿者招募」「社区长者食堂开业啦🍱」 — a line of its own, no sentence in it.
_TITLE = re.compile(
    r"^[^\n，,。；;]{2,20}?(?:通知|公告|通告|告知|说明|指南|须知|招募|启事|倡议|提示|提醒|安排|活动|开业|开课|开班)"
    r"(?:啦|了|喽)?[^\w\n]{0,4}\n"
)
_LIST = re.compile(r"(?:^|\n)\s*(?:\d{1,2}|[一二三四五六七八九十])\s*[.、．)）]|(?:^|\n)\s*[✅•·●▪-]\s*")
# A fraud warning passed on (「防诈骗！！…大家别上当」, round 20): what it warns of is no report. Not a
# neighbour's 「大家注意脚下」, which a report of a hazard says too.
_WARNING = re.compile(r"(?:别|不要|千万别|谨防)上当|谨防|提高警惕|防(?:诈|骗)")
# How a complaint or a request reads, even when formal: not a notice.
_ASKING = re.compile(
    r"投诉|举报|恳请|请求|怎么办|咋办|能不能|能否|为什么|为何|没人管|不管不问|何时能|希望.{0,8}(?:解决|处理|整改)"
    r"|请.{0,4}(?:整治|解决|处理|查处)|尊敬的.{0,8}(?:市长|书记|领导|局长|主任|县长|区长)"
)


def is_notice(text: str) -> bool:
    """True when raw ``text`` is an announcement rather than a report."""
    if len(text) < MIN_LENGTH:
        return False
    lines = [line for line in text.splitlines() if line.strip()]
    signs = (
        _HEADER.search(text) is not None,
        _GENRE.search(text[:40]) is not None,
        _AUDIENCE.search(text) is not None,
        _CLOSING.search(text.strip()) is not None,
        len(lines) >= 2 or len(_LIST.findall(text)) >= 2,
        _TITLE.search(text.lstrip()) is not None,
        _WARNING.search(text) is not None,
    )
    return sum(signs) >= 2 and _ASKING.search(text) is None
