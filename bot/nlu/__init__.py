"""Message understanding for 红管家: intent, category, urgency, place, duplicates, learned routing.

Platform-free (no chat or web framework here). Nothing heavy happens at import: jieba and the
model load on the first ``get_parser()`` call, once per process.
"""

from .parser import ParseResult, Parser, get_parser
from .place import Gazetteer, Place
from .similar import SameIssue, same_issue

__all__ = ["Gazetteer", "Parser", "ParseResult", "Place", "SameIssue", "get_parser", "same_issue"]
