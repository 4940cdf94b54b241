"""What the bot does with a message it reads in a group: act on it, ask about it, or ignore it.

One pure function, shared by the conversation (``handlers/reports.py``) and the command line
(``hgj parse``'s ``action`` field), so the two can never disagree. No database here: the
conversation's own state (a question already waiting for the writer, a recent 「不用管」) is
applied by the conversation on top of this.

Urgency decides before intent: anything urgent is acted on at once as an urgent issue, however
short and whatever the model thought of its intent (a plea such as 「救命」 reads like a wish,
「着火了」 is three characters). Otherwise very short talk is ignored, what the model is sure
of is acted on (an issue filed, a wish posted) or ignored (chatter) — surer when the message
names nothing of the community's life — and the rest is asked about (是问题 / 是心愿 / 不用管)
when the model leans towards a report, rather than passed over in silence.
"""

from __future__ import annotations

from dataclasses import dataclass

ACT, ASK, IGNORE = "act", "ask", "ignore"
ACTIONS = (ACT, ASK, IGNORE)
# Shorter messages (「好的」「哈哈」) are never reports, unless urgent.
MIN_TEXT = 4
# The default of the ``nlu_confidence`` setting: below it the bot asks instead of acting.
DEFAULT_CONFIDENCE = 0.6
# Asked about only while the model thinks chatter no more likely than not: a message it leans
# to call chatter is left alone (real group chat is asked about far less often that way, and
# short complaint titles, which lean the other way, are still asked about).
ASK_CHATTER = 0.5
# A message naming nothing of the community's life (no thing, no place, no topic such as garbage
# or noise) is acted on only when the model is very sure; otherwise the writer is asked. Real
# group chat the model misreads is mostly of this sort; real reports rarely are.
SURE_WITHOUT_EVIDENCE = 0.9


@dataclass(frozen=True, slots=True)
class Decision:
    action: str  # act | ask | ignore
    intent: str  # what acting files (issue | wish), or the question's default; chatter when ignored
    urgent: bool = False


def decide(parsed, text: str, confidence: float = DEFAULT_CONFIDENCE) -> Decision:
    """The action for a message ``text`` whose parse is ``parsed`` (a ``ParseResult``), with
    ``confidence`` the least model confidence the bot acts on without asking."""
    if parsed.urgent:
        return Decision(ACT, "issue", True)
    if len(text.strip()) < MIN_TEXT:
        return Decision(IGNORE, "chatter")
    needed = confidence if parsed.evidence else max(confidence, SURE_WITHOUT_EVIDENCE)
    if parsed.intent != "chatter" and parsed.confidence >= needed:
        return Decision(ACT, parsed.intent)
    if parsed.chatter_p <= ASK_CHATTER:
        # more likely a report than not, but not sure enough to act: ask the writer
        return Decision(ASK, parsed.intent if parsed.intent != "chatter" else "issue")
    return Decision(IGNORE, "chatter")
