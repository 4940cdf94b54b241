"""Issue 9, finding 7: no input gives the web app a server error.

First the requests a schemathesis run found answering 500 (each a regression test), then a
bounded schemathesis run over the app's own OpenAPI — anonymous, as staff and as the office — that
must find no server error. Bounded by examples (not time) and derandomised: the same cases every
run, a few hundred per role, so the suite stays within its minutes on 2 cores.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.members import logins as access
from bot.demo import data as demo_data
from bot.infra.config import Settings
from bot.infra.db import Database
from bot.web.app import create_app
from models import Member
from tests.conftest import TZ

SECRET = "fuzz-secret"
BIG = "9" * 30
NON_ASCII_TOKEN = "1.1900000000.é"  # the shape of a token, one letter outside ASCII


@pytest.fixture(scope="module")
def demo_db(sqlite_template, tmp_path_factory):
    """The demo district (every kind of row the pages show), shared by this module's read-mostly
    requests."""
    path = tmp_path_factory.mktemp("fuzz") / "demo.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    with db.transaction() as session:
        demo_data.load(session, now=datetime(2026, 11, 28, 8, 0, tzinfo=TZ))
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def app(demo_db, tmp_path_factory):
    from bot.infra.clock import FixedClock

    clock = FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=TZ))
    settings = Settings(database_url=demo_db.url, web_secret=SECRET, _env_file=None)
    app = create_app(demo_db, settings, clock, secret_dir=tmp_path_factory.mktemp("secret"))
    app.state.tokens = {}
    with demo_db.transaction() as s:
        office = s.exec(select(Member).where(Member.is_office_admin).order_by(Member.id)).first()
        staff = s.exec(select(Member).where(Member.is_grid_manager).order_by(Member.id)).first()
        for who, member in (("office", office), ("staff", staff)):
            app.state.tokens[who] = access.issue_login(s, member, now=clock.now(), lifetime=timedelta(days=30))
    return app


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def bearer(app, who: str) -> dict:
    return {"Authorization": f"Bearer {app.state.tokens[who]}"}


# --- the five distinct errors of the first run, one request each -------------------------------


@pytest.mark.parametrize("path", ["/wall/²", "/wall/①", "/api/communities/²/wishes", f"/wall/{BIG}",
                                  f"/api/communities/{BIG}/wishes", "/wall/１"])
def test_odd_community_references_are_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["detail"] == "没有这个社区"


def test_a_community_code_still_finds_its_wall(client):
    assert client.get("/wall/1").status_code == 200
    assert client.get("/wall/001").status_code == 200


@pytest.mark.parametrize("where", ["query", "bearer", "cookie", "bearer-raw"])
def test_a_non_ascii_token_is_just_not_a_login(client, where):
    if where == "query":
        response = client.get(f"/login?token={NON_ASCII_TOKEN}")
        assert response.status_code == 401 and "链接无效" in response.text
        return
    if where == "bearer":
        headers = {"Authorization": f"Bearer {NON_ASCII_TOKEN}".encode()}
    elif where == "bearer-raw":
        headers = {"Authorization": b"Bearer \xff\xfe.\x80"}
    else:
        headers = {"Cookie": f"hgj_token={NON_ASCII_TOKEN}".encode()}
    assert client.get("/dashboard", headers=headers).status_code == 401
    response = client.get("/api/issues", headers=headers)
    assert response.status_code == 401 and "/web" in response.json()["detail"]


@pytest.mark.parametrize("url", [
    f"/api/rotas/{BIG}", "/api/rotas/9223372036854775808", "/api/rotas/0",
    f"/api/leaderboard?grid_id={BIG}", f"/api/leaderboard?scope=grid&grid_id={BIG}",
    "/api/leaderboard?day=9999-12-31", "/api/leaderboard?day=0001-01-01",
    "/api/leaderboard?day=0001-01-01&period=quarter", "/api/leaderboard?day=9999-12-31&period=quarter",
])
def test_numbers_and_days_out_of_range_are_refused_with_a_reason(app, client, url):
    response = client.get(url, headers=bearer(app, "office"))
    assert response.status_code == 422
    assert response.json()["detail"]


def test_the_largest_id_is_simply_not_found(app, client):
    response = client.get("/api/rotas/9223372036854775807", headers=bearer(app, "office"))
    assert response.status_code == 404 and "R9223372036854775807" in response.json()["detail"]


def test_days_at_the_edges_of_the_range_still_count(app, client):
    for day in ("1970-01-01", "9998-12-31"):
        for period in ("month", "quarter"):
            response = client.get(f"/api/leaderboard?day={day}&period={period}", headers=bearer(app, "office"))
            assert response.status_code == 200, response.text
            assert response.json()["rows"] == []


def test_a_refusal_of_the_core_is_a_4xx_whatever_the_route(app, client):
    """``DomainError`` is the core's 'no' with a reason: it answers 404/403/422, never 500."""
    from bot.infra.errors import InvalidInput, NotAllowed, NotFound

    def raiser(err):
        def route():
            raise err
        return route

    for path, err, status in (("/_t/nf", NotFound("没有"), 404), ("/_t/na", NotAllowed("不行"), 403),
                              ("/_t/ii", InvalidInput("不对"), 422)):
        app.add_api_route(path, raiser(err), include_in_schema=False)
        response = client.get(path)
        assert response.status_code == status and response.json() == {"detail": str(err)}


def test_a_non_ascii_webhook_secret_is_forbidden_not_a_crash():
    from aiogram import Bot, Dispatcher
    from fastapi import FastAPI

    from bot.platforms.telegram.webhook import SECRET_HEADER, webhook_router

    app = FastAPI()
    app.include_router(webhook_router(Dispatcher(), Bot("123:abc"), "right-secret"))
    client = TestClient(app, raise_server_exceptions=False)
    update = {"update_id": 1}
    for given in ("é".encode(), b"\xff\xfe", "wrong".encode(), b""):
        response = client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: given})
        assert response.status_code == 403, given


def test_rota_with_an_unknown_time_zone_is_refused(app, client):
    body = {"name": "时区测试", "kind": "巡逻", "rhythm": "每天", "time": "20:00-22:00", "team": ["陈静"]}
    for zone in ("Mars/Base", "../../etc/passwd", "/abs"):
        response = client.post("/api/rotas", json={**body, "timezone": zone}, headers=bearer(app, "office"))
        assert response.status_code == 422 and "时区" in response.json()["detail"], response.text


@pytest.mark.parametrize("db_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_nul_character_is_refused_before_it_reaches_the_database(request, db_kind, tmp_path):
    """PostgreSQL refuses NUL in text (a ValueError deep in the driver): in a path, a query or a
    JSON body it is a 400/422 with a reason, on both databases."""
    from bot.infra.clock import FixedClock

    db = request.getfixturevalue("sqlite_db" if db_kind == "sqlite" else "pg_db")
    clock = FixedClock(datetime(2026, 11, 28, 9, 0, tzinfo=TZ))
    with db.transaction() as session:
        from tests.factories import build_world

        world = build_world(session, clock.now())
        token = access.issue_login(session, world.m["office"], now=clock.now())
    app = create_app(db, Settings(database_url=db.url, web_secret=SECRET, _env_file=None), clock, secret_dir=tmp_path)
    client = TestClient(app, raise_server_exceptions=False)
    headers = {"Authorization": "Bearer " + token}
    for url in ("/wall/a%00b", "/api/communities/%00/wishes", "/login?token=%00", "/api/leaderboard?scope=%00"):
        response = client.get(url, headers=headers)
        assert response.status_code == 400 and "NUL" in response.json()["detail"], (url, response.text)
    body = {"name": "夜\x00巡", "kind": "巡逻", "rhythm": "每天", "time": "20:00-22:00", "team": ["gm1"]}
    response = client.post("/api/rotas", json=body, headers=headers)
    assert response.status_code == 422 and "NUL" in response.text
    response = client.put("/api/rules/routing", json=[{"category": "\x00", "target": "office"}], headers=headers)
    assert response.status_code == 422 and "NUL" in response.text
    assert client.get("/wall/1").status_code == 200  # and the site still answers


# --- schemathesis over the app's own OpenAPI ---------------------------------------------------

EXAMPLES = 40  # per operation and role (fuzzing phase; the examples and coverage phases add theirs)


@pytest.mark.parametrize("who", ["anonymous", "staff", "office"])
def test_schemathesis_finds_no_server_error(app, who):
    """Schemathesis' own phases — the OpenAPI's examples, its coverage cases (boundaries, wrong
    types, missing and unexpected parameters, other methods) and fuzzing, positive and negative —
    for every operation, with the role's login. Derandomised: the same cases every run."""
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.pytest.lazy import get_all_tests

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.generation.update(modes=list(schemathesis.GenerationMode))
    headers = bearer(app, who) if who != "anonymous" else {}
    statuses: list[int] = []

    def check(case):
        response = case.call(headers={**(case.headers or {}), **headers})
        statuses.append(response.status_code)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} query={case.query} body={case.body!r} "
            f"→ {response.status_code}: {response.text[:300]}"
        )

    budget = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
    failures, operations = [], 0
    for result in get_all_tests(schema=schema, test_func=check, settings=budget, given_kwargs=None):
        operation, test = result.ok()
        operations += 1
        try:
            test()
        except Exception as err:  # noqa: BLE001 — every operation is tried; all failures are shown
            failures.append(f"{operation.label}: {err}")
    assert failures == []
    assert operations >= 15 and len(statuses) > 20 * operations
    if who == "anonymous":
        assert 200 in statuses and 401 in statuses  # the public pages answer, the rest asks for a login
    else:
        assert statuses.count(200) > operations  # logged in: the protected operations were explored
