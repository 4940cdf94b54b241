"""Every Chinese text the bot says, and how things are shown, one module per feature: ``common``
(names, quotes, mentions, places, emergencies), ``issues``, ``wishes``, ``members``, ``held`` (the
flood rule); all of them here too, as ``texts.issue_card`` …

Texts are the neutral rich text (``bot.rich``: plain strings, ``bold``, ``mention``, ``link``):
nothing here escapes anything — each platform's renderer does. Nor does a text read the database:
the handler looks up what it shows (``handlers.facts``: an issue's place and handler, a wish's
claimer, where a member serves) and hands it in. Rules: every name and title goes through
``shown`` (invisible and direction characters removed, phone and ID numbers masked); what
residents wrote is shown through ``quote``, which masks phone and ID-card numbers
(``bot.infra.masking``: the same function as the web pages, digests and exports) wherever it goes
— groups and members' private cards alike; member phones are never shown; texts are short — the
groups are busy.
"""

from .common import *  # noqa: F401,F403
from .facts import IssueFacts, MemberFacts, WishFacts  # noqa: F401
from .held import *  # noqa: F401,F403
from .issues import *  # noqa: F401,F403
from .members import *  # noqa: F401,F403
from .wishes import *  # noqa: F401,F403
