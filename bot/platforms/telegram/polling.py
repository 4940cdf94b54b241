"""Long polling that loses nothing: a batch of updates is confirmed (the next ``getUpdates``
offset) only after every update in it was handled — committed, or saved as a dead letter. If the
process dies in between, the updates come again and the processed-update marks skip what was
already done. (aiogram's ``start_polling`` confirms a batch as soon as it is read.)

Polling never deletes a webhook it did not set: ``check_webhook`` refuses (``WebhookActive``)
unless told to replace it, and a webhook set while polling ends the polling instead of a fight."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError
from aiogram.methods import GetUpdates

log = logging.getLogger(__name__)


class WebhookActive(RuntimeError):
    """Polling would take the updates away from a webhook someone set (another instance)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url

    def __str__(self) -> str:
        where = f"（{self.url}）" if self.url else ""
        return (f"Telegram 上已设置 webhook{where}，轮询会删掉它，那边的实例就再也收不到消息，所以没有开始轮询。"
                "要改用轮询：hgj run --polling --replace-webhook；要用 webhook：设置 HGJ_WEBHOOK_URL 后 hgj run")


async def check_webhook(bot: Bot, *, replace: bool) -> None:
    """Before polling: a webhook set on Telegram belongs to someone (a webhook instance behind a
    load balancer); polling never deletes it unless told to (``--replace-webhook``)."""
    info = await bot.get_webhook_info()
    if not info.url:
        return
    if not replace:
        raise WebhookActive(info.url)
    await bot.delete_webhook(drop_pending_updates=False)
    log.warning("deleted the webhook %s (--replace-webhook): updates now come by polling", info.url)


async def poll(bot: Bot, dp: Dispatcher, stop: asyncio.Event, *, timeout: int = 10, limit: int = 100,
               backoff: tuple[float, float] = (0.5, 30.0), after_batch=None, on_fetch=None, **data) -> None:
    """Run until ``stop`` is set; the batch in hand is finished first. ``after_batch()`` runs
    when a batch is handled (the runtime wakes the sender there); ``on_fetch()`` whenever
    Telegram answered ``getUpdates``, empty or not (``/readyz``: updates are arriving). Raises
    ``WebhookActive`` when a webhook is set meanwhile (someone started webhook mode): its updates
    are not ours to take."""
    allowed = dp.resolve_used_update_types()
    offset: int | None = None
    delay = backoff[0]
    while not stop.is_set():
        request = GetUpdates(offset=offset, timeout=timeout, limit=limit, allowed_updates=allowed)
        fetch = asyncio.ensure_future(bot(request, request_timeout=timeout + 30))
        stopped = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            fetch.cancel()
            await asyncio.gather(fetch, return_exceptions=True)
            break
        stopped.cancel()
        try:
            updates = fetch.result()
        except TelegramConflictError as err:
            if "webhook" in str(err).lower():
                raise WebhookActive("") from err
            # another poller that does not share our database (so not our lock): say so, then again
            log.warning("getUpdates: %s; again in %.1fs", err, delay)
            delay = await _backoff(stop, delay, backoff[1])
            continue
        except Exception as err:  # noqa: BLE001 — the network or the server: wait, then again
            log.warning("getUpdates failed (%s: %s); again in %.1fs", type(err).__name__, err, delay)
            delay = await _backoff(stop, delay, backoff[1])
            continue
        delay = backoff[0]
        if on_fetch is not None:
            on_fetch()
        if not updates:
            continue
        results = await asyncio.gather(*(dp.feed_update(bot, u, **data) for u in updates), return_exceptions=True)
        for update, result in zip(updates, results):
            if isinstance(result, BaseException):
                log.error("update %s: %s: %s", update.update_id, type(result).__name__, result)
        if after_batch is not None:
            after_batch()
        offset = updates[-1].update_id + 1
    if offset is not None:
        # confirm the last batch so a restart does not fetch it again (harmless if it did)
        try:
            await bot(GetUpdates(offset=offset, timeout=0, limit=1, allowed_updates=allowed))
        except Exception:  # noqa: BLE001
            pass


async def _backoff(stop: asyncio.Event, delay: float, most: float) -> float:
    """Wait ``delay`` (or until stopped); the next delay."""
    try:
        await asyncio.wait_for(stop.wait(), delay)
    except asyncio.TimeoutError:
        pass
    return min(delay * 2, most)
