"""The web side (FastAPI): the wish wall, dashboards, the office API, the Telegram webhook."""
