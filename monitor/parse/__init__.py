"""Parse stage: feed bytes → FeedItems, section pages → article links, plus the text/URL hygiene they share.

Public names are re-exported here; the modules behind them are private to the stage.
"""

from monitor.parse.charset import decode_body
from monitor.parse.feed import parse_feed
from monitor.parse.links import find_article_links
from monitor.parse.model import FeedItem, ParsedFeed
from monitor.parse.text import clean_text
from monitor.parse.urls import canonical_url, plausible_canonical

__all__ = [
    "FeedItem",
    "ParsedFeed",
    "canonical_url",
    "clean_text",
    "decode_body",
    "find_article_links",
    "parse_feed",
    "plausible_canonical",
]
