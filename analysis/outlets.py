"""Which outlet published an article, when the input does not say.

The evidence, strongest first: an outlet given by the user or the input
record; the page's own site name (HTML metadata); the registered domain of its
URL (``www.telegraph.co.uk`` → ``telegraph.co.uk``, from tldextract's bundled
public-suffix list, never fetched); an outlet named in the text's sign-off or
author blurb. With none of these the outlet is ``unknown``.

Example:
    >>> outlet_from_url("https://www.telegraph.co.uk/news/worldnews/8171234/x.html")
    'telegraph.co.uk'
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

__all__ = ["UNKNOWN_OUTLET", "infer_outlet", "outlet_from_url"]

UNKNOWN_OUTLET = "unknown"

# Connectors a greedy name match can drag along at its end ("... Report at").
_TRAILING_CONNECTORS = {"of", "and", "the", "in", "on", "for", "at", "a", "an", "to"}


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # No suffix-list URLs and no cache directory: only the snapshot shipped in the package.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def outlet_from_url(url: str | None) -> str | None:
    """The registered domain of ``url`` (lower case), or None for IP addresses and local hosts."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:  # "http://[::1": an unclosed IPv6 bracket, or a bad port
        return None
    if not host:
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    parts = _extractor()(host)
    if not parts.domain or not parts.suffix:
        return None
    return f"{parts.domain}.{parts.suffix}".lower()


def _tidy_name(name: str | None) -> str | None:
    if not name:
        return None
    words = name.strip(" .,:;-|").split()
    while words and words[-1].lower() in _TRAILING_CONNECTORS:
        words.pop()
    return " ".join(words) or None


def infer_outlet(
    *,
    given: str | None = None,
    site_name: str | None = None,
    url: str | None = None,
    signoff: str | None = None,
    blurb_outlet: str | None = None,
) -> tuple[str, str]:
    """Choose an outlet name from the evidence at hand.

    Returns:
        ``(outlet, basis)`` where basis is one of ``given``, ``site_name``, ``url``,
        ``signoff``, ``author_blurb`` or ``unknown``.
    """
    for name, basis in (
        (_tidy_name(given), "given"),
        (_tidy_name(site_name), "site_name"),
        (outlet_from_url(url), "url"),
        (_tidy_name(signoff), "signoff"),
        (_tidy_name(blurb_outlet), "author_blurb"),
    ):
        if name:
            return name, basis
    return UNKNOWN_OUTLET, "unknown"
