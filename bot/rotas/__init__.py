"""Patrol and duty rotas (「我为大家巡一日，大家为我巡一月」): rotas, shifts, turns, check-ins.

- ``bot.rotas.turns``     codes, lookups, materialising shifts, the fair round-robin, repair
- ``bot.rotas.admin``     creating and changing rotas, their team, size, extra shifts, overrides
- ``bot.rotas.away``      away dates (请假/外出) and what they take off the rota
- ``bot.rotas.swaps``     swapping a turn, volunteering for a short shift
- ``bot.rotas.checkins``  check-ins (打卡), handoff notes, check-in points
- ``bot.rotas.spec``      the words of a rota (「每周一三五」「20:00-22:00」「2人」), one parser for
                          the chat command, the spreadsheet import and the JSON API
- ``bot.rotas.scheduled`` shift reminders and missed-check-in calls for ``bot.due``
- ``bot.rotas.notices``   what those tell, as facts (their words: ``handlers.texts.rotas``)
- ``bot.rotas.importer``  ``hgj import-rota`` (all or nothing, rows numbered as the sheet shows)
- ``bot.rotas.ical``      iCalendar feeds per member and per rota
"""

from bot.rotas.checkins import check_in
from bot.rotas.admin import create_rota
from bot.rotas.turns import materialise, materialise_all, repair, rota_code, shift_code
from bot.rotas.spec import RotaSpec

__all__ = [
    "RotaSpec", "check_in", "create_rota", "materialise", "materialise_all", "repair", "rota_code", "shift_code",
]
