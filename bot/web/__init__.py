"""The web side (FastAPI): the app factory, the Telegram webhook, dashboards."""
