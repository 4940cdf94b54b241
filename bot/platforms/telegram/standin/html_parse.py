"""Telegram's ``parse_mode=HTML`` as the stand-in checks it: the parser lives in
``bot.rich.html_parse`` (the core reads the HTML of outbox rows written before migration 0011
with it too)."""

from bot.rich.html_parse import EntityParseError, parse_html, strip_formatted, utf16_len

__all__ = ["EntityParseError", "parse_html", "strip_formatted", "utf16_len"]
