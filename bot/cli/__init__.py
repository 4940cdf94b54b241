"""``hgj`` command line. Each feature registers its commands on ``app`` from its own module;
heavy imports stay inside the command functions so that start-up stays fast."""

from .app import app
from . import core_cmds  # noqa: F401  (registers commands)
from . import standin_cmds  # noqa: F401  (registers commands)
from . import chat_cmds  # noqa: F401  (registers commands)
from . import web_cmds  # noqa: F401  (registers commands)
from . import member_cmds  # noqa: F401  (registers commands)
from . import rota_cmds  # noqa: F401  (registers commands)
from . import nlu_cmds  # noqa: F401  (registers commands)


def main() -> None:
    from bot.infra.startup import guarded

    guarded(app)
