"""红管家 core: the domain services, message understanding, scheduling and adapters.

Sub-packages that talk to a platform (``bot.telegram``, ``bot.web``, ``bot.standin``)
are the only places that may import aiogram or FastAPI.
"""
