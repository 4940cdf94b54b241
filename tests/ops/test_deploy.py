"""The deploy kit read as an operator would run it: the compose file as compose resolves it, the
systemd units as systemd reads them, the Caddyfile as Caddy does — each where the tool is on the
machine (skipped, with the reason, where not) — and what must hold in the files whatever the tools."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
BOT_SHUTDOWN_SECONDS = 30  # bot.runtime.Runtime.stop waits up to 15 s for polling and 15 s for the rest


def _seconds(value: str) -> float:
    value = str(value)
    return float(value[:-1]) * (60 if value.endswith("m") else 1) if value[-1] in "sm" else float(value)


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_publishes_only_the_tls_proxy_and_waits_for_the_bot_to_stop():
    services = _compose()["services"]
    bots = [name for name in services if name.startswith("bot-")]
    assert len(bots) == 2  # the scaled set-up: two replicas behind the proxy
    for name in bots + ["migrate", "db"]:
        assert "ports" not in services[name], name  # 8080 and 5432 stay inside the compose network
    assert set(services["caddy"]["ports"]) >= {"80:80", "443:443"}
    for name in bots:
        bot = services[name]
        assert _seconds(bot["stop_grace_period"]) > BOT_SHUTDOWN_SECONDS
        assert "/readyz" in " ".join(bot["healthcheck"]["test"])
        assert bot["environment"]["HGJ_WEBHOOK_URL"].endswith("/telegram/webhook")
        assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        # the URL defaults to the compose database but never overrides .env's own
        assert bot["environment"]["HGJ_DATABASE_URL"].startswith("${HGJ_DATABASE_URL:-postgresql+psycopg://")
        assert ":${" not in bot["environment"]["HGJ_DATABASE_URL"]  # no password in it
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    assert "change-me" not in text  # the password is written once, in .env


def test_the_dockerfile_has_a_healthcheck_on_healthz():
    lines = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()
    check = " ".join(lines[i] + lines[i + 1] for i, line in enumerate(lines) if line.startswith("HEALTHCHECK"))
    assert "/healthz" in check


def _compose_command() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.fixture
def compose_dir(tmp_path) -> Path:
    command = _compose_command()
    if command is None:
        pytest.skip("needs docker compose (or docker-compose) to resolve the compose file")
    shutil.copytree(DEPLOY, tmp_path / "deploy")
    shutil.copy(DEPLOY / "hongguanjia.env.example", tmp_path / "deploy" / ".env")
    return tmp_path / "deploy"


def _config(compose_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*_compose_command(), "-f", "docker-compose.yml", "config"], cwd=compose_dir,
                          capture_output=True, text=True, timeout=60)


def test_compose_resolves_the_env_file_as_documented(compose_dir):
    proc = _config(compose_dir)
    assert proc.returncode == 0, proc.stderr
    services = yaml.safe_load(proc.stdout)["services"]
    env = services["bot-1"]["environment"]
    assert env["HGJ_DATABASE_URL"] == "postgresql+psycopg://hongguanjia@db:5432/hongguanjia"
    assert env["PGPASSWORD"] == services["db"]["environment"]["POSTGRES_PASSWORD"] == "change-me"
    assert env["HGJ_WEBHOOK_URL"] == "https://hgj.example.org/telegram/webhook"
    assert "HGJ_TELEGRAM_TOKEN" not in services["caddy"].get("environment", {})  # the proxy needs no token

    env_file = compose_dir / ".env"
    with env_file.open("a", encoding="utf-8") as f:
        f.write("HGJ_DATABASE_URL=postgresql+psycopg://hgj:pw@pg.example.org/hgj\n")
    proc = _config(compose_dir)
    assert yaml.safe_load(proc.stdout)["services"]["bot-2"]["environment"]["HGJ_DATABASE_URL"] == \
        "postgresql+psycopg://hgj:pw@pg.example.org/hgj"  # .env wins

    env_file.write_text("\n".join(line for line in env_file.read_text(encoding="utf-8").splitlines()
                                  if not line.startswith("POSTGRES_PASSWORD")) + "\n", encoding="utf-8")
    proc = _config(compose_dir)
    assert proc.returncode != 0 and "set POSTGRES_PASSWORD in deploy/.env" in proc.stderr


@pytest.mark.parametrize("unit", ["hongguanjia.service", "hongguanjia-scheduler.service"])
def test_systemd_units_need_no_user_made_by_hand_and_outwait_the_shutdown(unit):
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    keys = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    assert keys["DynamicUser"] == "yes" and keys["StateDirectory"] == "hongguanjia"
    assert keys["WorkingDirectory"] == "/var/lib/hongguanjia"
    assert _seconds(keys["TimeoutStopSec"]) > BOT_SHUTDOWN_SECONDS
    assert keys["RestartPreventExitStatus"] == "2"  # a bad setting (exit 2) is not restarted in a loop
    assert "install -m 600" in (DEPLOY / "hongguanjia.service").read_text(encoding="utf-8")


def test_systemd_analyze_finds_nothing_wrong_in_the_units(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("needs systemd-analyze")
    hgj = Path(shutil.which("hgj") or "")
    if not hgj.is_file():
        pytest.skip("needs the installed hgj command to stand for /opt/hongguanjia/.venv/bin/hgj")
    env = tmp_path / "hongguanjia.env"
    env.write_text("", encoding="utf-8")
    units = []
    for unit in ("hongguanjia.service", "hongguanjia-scheduler.service"):
        text = (DEPLOY / unit).read_text(encoding="utf-8")
        text = text.replace("/opt/hongguanjia/.venv/bin", str(hgj.parent)).replace("/etc/hongguanjia.env", str(env))
        (tmp_path / unit).write_text(text, encoding="utf-8")
        units.append(str(tmp_path / unit))
    proc = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr.strip() == "", proc.stderr


def test_caddy_accepts_the_caddyfile(tmp_path):
    if shutil.which("caddy") is None:
        pytest.skip("needs caddy")
    proc = subprocess.run(["caddy", "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                          env={"HGJ_PUBLIC_URL": "https://hgj.example.org", "HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert '"/readyz"' in proc.stdout and '"hgj.example.org"' in proc.stdout
