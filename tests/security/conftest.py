"""The security tests replay attacks through the Telegram stand-in on the demo district: the chat
tests' fixtures (demo database, parser, people) serve here too."""

from tests.chat.conftest import (  # noqa: F401  (fixtures)
    conversation,
    cw,
    demo,
    demo_template,
    parser,
    people,
    unsure,
)
