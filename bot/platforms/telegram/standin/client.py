"""Async client of the stand-in's control API (for tests, benchmarks and the demo)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp

__all__ = ["StandinClient", "StandinClientError"]


class StandinClientError(RuntimeError):
    """The control API refused a call (``status`` and the server's message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class StandinClient:
    """``async with StandinClient(server.base_url) as sc: ...``

    ``bot`` (token, id or username) picks the bot whose private chats are meant when
    several bots use the server; by default the first registered bot.

    Waiting: every action (``send_*``, ``press``, ``start_private``) remembers the event
    cursor at which it happened; ``wait_for_message`` then returns the bot's first message
    in the chat after that point (and after the last message it returned for that chat),
    so "do something, wait for the answer" needs no bookkeeping. Pass ``after=`` to choose
    the starting point yourself.
    """

    def __init__(self, base_url: str, bot: str | int | None = None,
                 session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.bot = bot
        self._session = session
        self._own_session = session is None
        self.mark = 0
        self._chat_marks: dict[int, int] = {}

    async def __aenter__(self) -> "StandinClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def _call(self, method: str, path: str, *, json: Any = None,
                    params: dict[str, Any] | None = None, timeout: float = 30.0) -> Any:
        session = await self._http()
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        if self.bot is not None and "bot" not in query:
            query["bot"] = str(self.bot)
        async with session.request(method, f"{self.base_url}/_standin{path}", json=json,
                                   params=query, timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            data = await resp.json(content_type=None)
            if resp.status >= 400:
                message = data.get("error", str(data)) if isinstance(data, dict) else str(data)
                raise StandinClientError(resp.status, message)
            return data

    def _acted(self, result: dict) -> dict:
        if result.get("cursor"):
            self.mark = int(result["cursor"])
        return result

    # -- setup ------------------------------------------------------------------------------
    async def health(self) -> dict:
        return await self._call("GET", "/health")

    async def add_bot(self, token: str, username: str | None = None,
                      first_name: str | None = None) -> dict:
        return await self._call("POST", "/bots", json={"token": token, "username": username,
                                                        "first_name": first_name})

    async def bots(self) -> list[dict]:
        return await self._call("GET", "/bots")

    async def add_user(self, first_name: str, username: str | None = None, id: int | None = None,
                       last_name: str | None = None, language_code: str | None = "zh-hans",
                       phone_number: str | None = None) -> dict:
        return await self._call("POST", "/users", json={
            "first_name": first_name, "username": username, "id": id, "last_name": last_name,
            "language_code": language_code, "phone_number": phone_number})

    async def users(self) -> list[dict]:
        return await self._call("GET", "/users")

    async def add_group(self, title: str, members: Iterable[int] = (), id: int | None = None,
                        type: str = "supergroup", admins: Iterable[int] = (),
                        owner: int | None = None, username: str | None = None,
                        bots: Iterable[str | int] | None = None) -> dict:
        return await self._call("POST", "/chats", json={
            "title": title, "members": list(members), "id": id, "type": type,
            "admins": list(admins), "owner": owner, "username": username,
            "bots": None if bots is None else list(bots)})

    async def add_member(self, chat_id: int, user_id: int) -> dict:
        return await self._call("POST", f"/chats/{chat_id}/members", json={"user_id": user_id})

    async def migrate(self, chat_id: int, id: int | None = None, user_id: int | None = None) -> dict:
        """Upgrade a group to a supergroup → ``{chat: the new supergroup, old, update_ids, cursor}``."""
        return self._acted(await self._call("POST", f"/chats/{chat_id}/migrate",
                                            json={"id": id, "user_id": user_id}))

    async def chats(self) -> list[dict]:
        return await self._call("GET", "/chats")

    async def chat(self, chat_id: int) -> dict:
        return await self._call("GET", f"/chats/{chat_id}")

    async def keyboard(self, chat_id: int) -> dict | None:
        """The reply keyboard the user currently sees in that chat (None: their letters)."""
        return (await self.chat(chat_id))["keyboard"]

    # -- acting as users --------------------------------------------------------------------
    async def start_private(self, user_id: int, payload: str | None = None,
                            send: bool = True) -> dict | None:
        """The user opens the private chat with the bot (sends ``/start`` unless ``send=False``)."""
        result = self._acted(await self._call("POST", f"/users/{user_id}/start",
                                              json={"payload": payload, "send": send}))
        return result["message"]

    async def block(self, user_id: int) -> dict:
        return (await self._call("POST", f"/users/{user_id}/block", json={}))["chat"]

    async def unblock(self, user_id: int) -> dict:
        return (await self._call("POST", f"/users/{user_id}/unblock", json={}))["chat"]

    async def send_text(self, user_id: int, chat_id: int, text: str,
                        reply_to: int | None = None, on_behalf: Any = None) -> dict:
        """The user writes ``text`` in the chat; returns the message (Bot API shape).
        ``on_behalf``: sent as an anonymous admin or a channel (see the control API)."""
        body = {"user_id": user_id, "text": text, "reply_to_message_id": reply_to}
        if on_behalf is not None:
            body["on_behalf"] = on_behalf
        result = self._acted(await self._call("POST", f"/chats/{chat_id}/messages", json=body))
        return result["message"]

    async def send_photo(self, user_id: int, chat_id: int, data: bytes | None = None,
                         caption: str | None = None, reply_to: int | None = None) -> dict:
        """The user sends a photo (``data`` bytes, or a placeholder image)."""
        photo: Any = {"data_b64": base64.b64encode(data).decode()} if data else True
        result = self._acted(await self._call("POST", f"/chats/{chat_id}/messages", json={
            "user_id": user_id, "photo": photo, "caption": caption,
            "reply_to_message_id": reply_to}))
        return result["message"]

    async def send_location(self, user_id: int, chat_id: int, latitude: float, longitude: float,
                            reply_to: int | None = None) -> dict:
        result = self._acted(await self._call("POST", f"/chats/{chat_id}/messages", json={
            "user_id": user_id, "location": {"latitude": latitude, "longitude": longitude},
            "reply_to_message_id": reply_to}))
        return result["message"]

    async def share_contact(self, user_id: int, phone_number: str | None = None) -> dict:
        """The user taps the bot's request-contact button in their private chat: their own
        contact (``user_id`` = theirs; their stored number unless ``phone_number``)."""
        own: dict[str, Any] = {"own": True}
        if phone_number:
            own["phone_number"] = phone_number
        result = self._acted(await self._call("POST", f"/chats/{user_id}/messages", json={
            "user_id": user_id, "contact": own}))
        return result["message"]

    async def send_contact(self, user_id: int, chat_id: int, phone_number: str, first_name: str,
                           contact_user_id: int | None = None) -> dict:
        """The user sends someone's contact card (forwarded: another ``user_id``, or none)."""
        result = self._acted(await self._call("POST", f"/chats/{chat_id}/messages", json={
            "user_id": user_id, "contact": {"phone_number": phone_number, "first_name": first_name,
                                            "user_id": contact_user_id}}))
        return result["message"]

    async def press(self, user_id: int, chat_id: int, message_id: int, data: str | None = None,
                    *, text: str | None = None, force: bool = False) -> str:
        """The user taps the inline button with callback ``data`` (or labelled ``text``);
        returns the callback query id. ``force`` sends data no button carries."""
        result = self._acted(await self._call("POST", "/callbacks", json={
            "user_id": user_id, "chat_id": chat_id, "message_id": message_id, "data": data,
            "button_text": text, "force": force}))
        return result["callback_query_id"]

    async def redeliver(self, update_id: int | None = None) -> dict:
        """Deliver update ``update_id`` (default: the last one) to the bot once more, with the
        same ``update_id``; returns the update."""
        return (await self._call("POST", "/updates/redeliver", json={"update_id": update_id}))["update"]

    # -- reading ----------------------------------------------------------------------------
    async def messages(self, chat_id: int, limit: int | None = None) -> list[dict]:
        return await self._call("GET", f"/chats/{chat_id}/messages", params={"limit": limit})

    async def message(self, chat_id: int, message_id: int) -> dict:
        return await self._call("GET", f"/chats/{chat_id}/messages/{message_id}")

    async def callback_answer(self, callback_query_id: str, wait: float = 0.0) -> dict | None:
        """The bot's answer to a button press (``{text, show_alert, url, cache_time}``), or
        None if not answered (after waiting up to ``wait`` seconds)."""
        record = await self._call("GET", f"/callbacks/{callback_query_id}",
                                  params={"wait": wait}, timeout=wait + 30)
        return record["answer"]

    async def events(self, after: int = 0, wait: float = 0.0, types: Iterable[str] | None = None,
                     chat_id: int | None = None, limit: int | None = None) -> tuple[list[dict], int]:
        """Events after cursor ``after`` (long-polls up to ``wait`` s); (events, new cursor)."""
        data = await self._call("GET", "/events", params={
            "after": after, "wait": wait, "types": ",".join(types) if types else None,
            "chat_id": chat_id, "limit": limit}, timeout=wait + 30)
        return data["events"], data["cursor"]

    async def cursor(self) -> int:
        return (await self.health())["cursor"]

    async def wait_for_message(self, chat_id: int, predicate: Callable[[dict], bool] | None = None,
                               timeout: float = 5.0, after: int | None = None,
                               edits: bool = False) -> dict:
        """The bot's next message in ``chat_id`` matching ``predicate`` (also edits of its
        messages if ``edits``); raises ``TimeoutError`` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        cursor = after if after is not None else max(self.mark, self._chat_marks.get(chat_id, 0))
        types = ("sent", "edited") if edits else ("sent",)
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = await self.messages(chat_id, limit=3)
                shown = [(m.get("from", {}).get("first_name"), m.get("text") or m.get("caption"))
                         for m in recent]
                raise TimeoutError(f"no matching bot message in chat {chat_id} within {timeout}s; "
                                   f"last messages: {shown}")
            found, new_cursor = await self.events(after=cursor, wait=remaining, types=types,
                                                  chat_id=chat_id)
            for ev in found:
                if predicate is None or predicate(ev["message"]):
                    self._chat_marks[chat_id] = ev["seq"]
                    return ev["message"]
            cursor = new_cursor

    # -- limits and figures -----------------------------------------------------------------
    async def set_limits(self, **changes: Any) -> dict:
        """E.g. ``set_limits(enabled=False)`` or ``set_limits(group_count=100)``."""
        return await self._call("POST", "/limits", json=changes)

    async def limits(self) -> dict:
        return await self._call("GET", "/limits")

    async def stats(self) -> dict:
        return await self._call("GET", "/stats")

    async def reset_stats(self) -> dict:
        return await self._call("POST", "/stats/reset")
