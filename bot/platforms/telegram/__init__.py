"""The Telegram adapter (aiogram 3): the only code besides the stand-in that knows Telegram.

``build_bot`` / ``build_dispatcher`` are factories (nothing is built at import time);
``bridge.UpdateBridge`` turns aiogram updates into the conversation's ``Inbound``/``Press`` and
runs them as one database transaction each; ``polling.poll`` confirms a batch of updates only
after it was handled; ``webhook.webhook_router`` serves webhook mode.
"""
