"""Patrol and duty rotas (「我为大家巡一日，大家为我巡一月」): rotas, shifts, turns, check-ins.

- ``bot.rotas.service``   rotas, materialising shifts, the fair round-robin, overrides, away
                          dates, swaps, volunteers, check-ins, handoff notes
- ``bot.rotas.spec``      the words of a rota (「每周一三五」「20:00-22:00」「2人」), one parser for
                          the chat command, the spreadsheet import and the JSON API
- ``bot.rotas.reminders`` shift reminders and missed-check-in calls for ``bot.due``
- ``bot.rotas.importer``  ``hgj import-rota`` (all or nothing, rows numbered as the sheet shows)
- ``bot.rotas.ical``      iCalendar feeds per member and per rota
"""

from .service import (
    check_in,
    create_rota,
    materialise,
    materialise_all,
    repair,
    rota_code,
    shift_code,
)
from .spec import RotaSpec

__all__ = [
    "RotaSpec", "check_in", "create_rota", "materialise", "materialise_all", "repair", "rota_code", "shift_code",
]
