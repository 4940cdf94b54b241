"""/healthz, /readyz and /metrics of the real web app: what an operator's probe and Prometheus see
when the database is gone, updates stop arriving, or replies wait in the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.infra.config import Settings
from bot.infra.db import Database
from bot.health import Probe
from bot.outbox import Sender, enqueue
from bot.outbox.testing import FakeTransport
from bot.web.app import create_app
from bot.messages import Outgoing
from tests import ids


def _client(db: Database, clock, probe: Probe | None = None, **settings) -> TestClient:
    config = Settings(_env_file=None, database_url=db.url, **settings)
    if probe is not None:
        probe.settings = config
    return TestClient(create_app(db, config, clock, probe=probe))


def _probe(db, clock, mode="polling", sender=False) -> Probe:
    probe = Probe(db, Settings(_env_file=None, database_url=db.url), clock, mode=mode)
    if sender:
        probe.sender = Sender(db, FakeTransport(), clock=clock)
    return probe


def test_alive_and_ready_on_a_fresh_process(db, clock):
    client = _client(db, clock, _probe(db, clock))
    assert client.get("/healthz").json() == {"ok": True}
    resp = client.get("/readyz")
    assert resp.status_code == 200
    body = resp.json()
    assert body["ready"] is True and body["database"] == {"ok": True}
    assert body["updates"]["mode"] == "polling" and body["updates"]["none_yet"] is True
    assert body["owners"] == {"scheduler": "not run here", "sender": "not run here"}
    assert resp.headers["cache-control"] == "no-store"


def test_polling_that_hears_nothing_is_not_ready_until_telegram_answers_again(db, clock):
    probe = _probe(db, clock)
    client = _client(db, clock, probe, ready_update_age_seconds=120)
    clock.advance(seconds=119)
    assert client.get("/readyz").status_code == 200
    clock.advance(seconds=2)
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["updates"] == {"mode": "polling", "last_update_age_seconds": 121.0, "none_yet": True,
                                      "limit_seconds": 120.0, "ok": False}
    probe.updates_arrived()  # an empty getUpdates answer counts: Telegram is reachable
    assert client.get("/readyz").status_code == 200


def test_a_quiet_webhook_is_ready_unless_a_limit_is_set(db, clock):
    probe = _probe(db, clock, mode="webhook")
    clock.advance(hours=8)  # a night without a message
    assert _client(db, clock, probe).get("/readyz").status_code == 200
    resp = _client(db, clock, probe, ready_webhook_age_seconds=3600).get("/readyz")
    assert resp.status_code == 503 and resp.json()["updates"]["ok"] is False


def test_a_reply_waiting_too_long_makes_the_sending_process_unready(any_db, clock):
    db = any_db
    probe = _probe(db, clock, sender=True)
    client = _client(db, clock, probe, ready_reply_age_seconds=300)
    with db.transaction() as s:
        enqueue(s, Outgoing(chat_id=ids.chat(s, -100123), text="已记录 Q1", kind="reply"), now=clock.now())
        # held for the morning: not due, so not late however long the night is
        enqueue(s, Outgoing(chat_id=ids.chat(s, -100123), text="提醒", kind="reminder",
                            not_before=clock.now() + timedelta(hours=9)), now=clock.now())
    clock.advance(seconds=240)
    probe.updates_arrived()
    body = client.get("/readyz").json()
    assert body["ready"] is True
    assert body["outbox"]["due"] == {"interactive": 1, "bulk": 0} and body["outbox"]["held"] == 1
    assert body["outbox"]["oldest_due_seconds"]["interactive"] == 240.0
    clock.advance(seconds=61)
    probe.updates_arrived()
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["outbox"]["late"] == ["interactive"]
    assert resp.json()["owners"]["sender"] == "this process"
    # a process that does not send is not the one to blame (nor to take out of a load balancer)
    probe.sender = None
    assert client.get("/readyz").status_code == 200


def test_metrics_show_the_outbox_backlog_and_its_age(any_db, clock):
    db = any_db
    client = _client(db, clock, _probe(db, clock))
    with db.transaction() as s:
        for i in range(3):
            enqueue(s, Outgoing(chat_id=ids.chat(s, 1000 + i), text="🔔 提醒", kind="alert"), now=clock.now())
    clock.advance(seconds=90)
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(resp.text) for s in family.samples}
    assert samples[("hgj_outbox_backlog", (("lane", "bulk"),))] == 3
    assert samples[("hgj_outbox_backlog", (("lane", "interactive"),))] == 0
    assert samples[("hgj_outbox_oldest_pending_seconds", ())] == 90


@pytest.mark.parametrize("url", ["sqlite:////nonexistent-dir/hgj.db",
                                 "postgresql+psycopg://postgres@127.0.0.1:1/test"])
def test_an_unreachable_database_is_not_ready_and_says_why(url, clock):
    db = Database(url)
    try:
        client = TestClient(create_app(db, Settings(_env_file=None), clock))
        assert client.get("/healthz").status_code == 200  # alive: restarting would not help
        resp = client.get("/readyz")
        assert resp.status_code == 503
        body = resp.json()
        assert body["ready"] is False and body["database"]["ok"] is False
        assert "OperationalError" in body["database"]["error"] and "\n" not in body["database"]["error"]
        assert "outbox" not in body
        assert client.get("/metrics").status_code == 200  # this process's counters are still served
    finally:
        db.dispose()
