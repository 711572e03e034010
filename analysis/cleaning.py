"""Turn the raw text of a news page into the article's own words.

Cleaning removes what a page adds around an article by *general* rules (no
outlet- or article-specific strings): page chrome and promo lines ("Watch ...
Live", "[Read: ...]", "Sign up for ..."), lists of related headlines, link
labels glued after a paragraph's last sentence, author blurbs and credit lines.
It normalises unicode (curly quotes to straight ones, non-breaking and other
odd spaces to plain spaces, invisible characters dropped) and returns
paragraphs separated by one blank line, with no other newlines.

What was removed is returned too (:attr:`CleanedText.removed`), so an analyst
can see why a line is missing, and so the outlet's sign-off and the author's
name in a blurb can be used as metadata.

Example:
    >>> cleaned = clean_article("Big News Today\\n\\nThe mayor resigned.\\n\\nWatch CBSN Live",
    ...                         title_in_text=True)
    >>> cleaned.title, cleaned.text
    ('Big News Today', 'The mayor resigned.')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from analysis.settings import setting

__all__ = ["CleanedText", "RemovedText", "clean_article", "normalize_unicode"]


@dataclass(frozen=True)
class RemovedText:
    """A piece of the raw text that cleaning dropped, and the rule that dropped it."""

    text: str
    reason: str


@dataclass(frozen=True)
class CleanedText:
    """The result of :func:`clean_article`.

    Attributes:
        text: the article body, paragraphs separated by ``"\\n\\n"``.
        title: the headline (given, or found as the first line when ``title_in_text``).
        removed: what was dropped, in order, with the reason.
        signoff: an outlet name signed off at the end of the text ("... distressed." The Telegraph).
        blurb_author: the author named in a removed author blurb.
        blurb_outlet: the outlet named in a removed author blurb ("... an editor at U.S. News & World Report").
    """

    text: str
    title: str | None
    removed: tuple[RemovedText, ...] = field(default_factory=tuple)
    signoff: str | None = None
    blurb_author: str | None = None
    blurb_outlet: str | None = None


# --- unicode -------------------------------------------------------------------

_CHARACTER_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
    "\u2002": " ", "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ",
    "\u2008": " ", "\u205f": " ", "\u3000": " ", "\t": " ", "\u000b": " ", "\u000c": "\n",
    "\u2028": "\n", "\u2029": "\n\n", "\u0085": "\n",
    # invisible characters that break word matching
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
    "\u00ad": "",
}
_CHARACTER_MAP.update({chr(code): "" for code in [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0x85), *range(0x86, 0xA0)]})
# One regex pass finds the few odd characters faster than str.translate walks every character.
_ODD_CHARACTER = re.compile("[" + "".join(re.escape(character) for character in _CHARACTER_MAP) + "]")
_SPACE_RUN = re.compile(r" {2,}")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")


def normalize_unicode(text: str) -> str:
    """NFC-normalise, straighten quotes, turn odd spaces into plain ones, drop control characters.

    Line structure is kept: ``\\r\\n`` and ``\\r`` become ``\\n``; spaces are collapsed
    and trimmed on each line.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _ODD_CHARACTER.sub(lambda match: _CHARACTER_MAP[match.group()], text)
    # The substring tests skip a regex pass over the many texts that need none.
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    return text.strip(" ")


# --- line rules ------------------------------------------------------------------

# Imperative words that open promo and navigation lines ("Watch CBSN Live", "View CBS News In").
_UI_VERB_LINE = re.compile(
    r"^[-•*>\s]*(?:watch|view|listen|read|subscribe|sign (?:up|in)|log ?in|follow|share|click|tap|"
    r"download|get (?:the|our)|see (?:more|also|all|the latest)|skip|continue reading|close|"
    r"enlarge|toggle|print|e-?mail this|tweet|like us|join us|more (?:on|from|about|stories)|"
    r"related|recommended|trending|most (?:read|popular|viewed)|also (?:read|see)|back to top|"
    r"advertisement|sponsored|promoted|up next|next up|prev(?:ious)?|next)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")

# Whole lines that are page furniture whatever their length: (pattern, reason, keywords).
# A pattern that can match anywhere in a line is only tried when one of its lower-case
# keywords occurs, which keeps the line rules cheap on long corpora.
_CHROME_LINES = [
    (re.compile(r"^(?:copyright\b|©|\(c\) ?\d{4}|all rights reserved)", re.I), "copyright line", None),
    (re.compile(r"\ball rights reserved\.?$", re.I), "copyright line", ("reserved",)),
    (re.compile(r"^(?:advertisement|ad|ads|sponsored content|story continue[sd] below.*|"
                r"continue reading.*|skip (?:to|past) .*|close|photo|video|image|audio)[:.]?$", re.I),
     "page chrome", None),
    (re.compile(r"^\[(?:[a-z_/ -]{1,30})\]$", re.I), "markup placeholder", None),
    (re.compile(r"^[_*=~#-]{3,}$"), "separator", None),
    (re.compile(r"^\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?) ago$", re.I), "timestamp", None),
    (re.compile(r"\btoggle caption\b|^image copyright\b|^(?:next|prev) image \d+ of \d+$|"
                r"^slideshow \(\d+ images?\)$|^(?:photo|image|video) credit\b", re.I),
     "image caption chrome", ("caption", "image", "photo", "video", "slideshow")),
    (re.compile(r"\bsign(?:ing)? up\b.*\b(?:newsletter|inbox|privacy policy)\b|"
                r"\bdelivered to your inbox\b|\bmanage newsletters\b", re.I),
     "newsletter promo", ("newsletter", "inbox", "privacy")),
    (re.compile(r"\bcontributed (?:to )?(?:this|the) (?:report|story|article)\b|"
                r"^(?:reporting|additional reporting|writing|editing) by\b", re.I),
     "credit line", ("contributed", " by")),
    (re.compile(r"\bopinions expressed\b.*\b(?:own|necessarily)\b|"
                r"^this (?:is a rush transcript|article (?:was )?originally (?:appeared|published))", re.I),
     "disclaimer", ("opinions", "this ")),
    (re.compile(r"^(?:follow|like|find) (?:us|him|her|them|@\w+)\b.*(?:twitter|facebook|instagram|@\w+)", re.I),
     "social promo", None),
]
_CHROME_KEYWORDS = tuple({keyword for _, _, keywords in _CHROME_LINES for keyword in keywords or ()})
# A short bracketed or parenthesised promo: "[Read: ...]", "(See also: ...)".
_BRACKETED_PROMO = re.compile(
    r"^[\[(]\s*(?:read|see|watch|related|more|also|listen|click|photos?|video|gallery)\b.*[\])][.:]?$", re.I
)
# A short label line such as "READ MORE:" or "Urgent:".
_LABEL_LINE = re.compile(r"^[\w/&' .-]{1,30}:$")
# Inline player widgets that publishers splice into paragraphs.
_INLINE_CHROME = re.compile(r"\bJUST WATCHED\b.*?\b(?:MUST WATCH|Replay More Videos \.\.\.)\s*")

# --- paragraph-end rules -----------------------------------------------------------

# A capitalised word, an abbreviation like "U.S.", an ampersand or a small connector.
_LABEL_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w'&-]*|&|of|and|the|in|on|for|at|a|an|to|de|la)"
_TRAILING_LABEL = re.compile(
    r"(?<=[.!?\"')\]])\s+(?P<label>(?:(?:[A-Z]\.){2,}|[A-Z][\w'&-]*)(?::?\s" + _LABEL_WORD + r")*:?)\s*$"
)

_ABBREVIATION_END = re.compile(r"(?:^|[\s.])[A-Za-z]\.$")

# Author blurbs and contact lines that close an article.
_BLURB = re.compile(
    r"^(?P<author>[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3}) (?:is|was|has been) (?:an?|the|a former) "
    r"[^.]{0,80}?\b(?:reporter|editor|writer|correspondent|columnist|contributor|journalist|producer|"
    r"author|analyst|fellow|professor|intern|anchor|host|blogger|staff)\b"
    r"(?:[^.]{0,20}?\s(?:at|for|with|of)\s(?P<outlet>(?:the )?" + _LABEL_WORD + r"(?: " + _LABEL_WORD + r")*))?"
)
_CONTACT = re.compile(
    r"\b(?:you can (?:contact|reach|follow|email|e-mail|write to)|contact (?:him|her|them) at|"
    r"follow (?:him|her|them) on (?:twitter|facebook|instagram)|reach (?:him|her|them) at)\b",
    re.I,
)
_WORD = re.compile(r"[^\W_]+(?:['.-][^\W_]+)*")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_title_case(text: str, *, threshold: float = 0.6) -> bool:
    """True when most words longer than three letters start with a capital (headline style)."""
    long_words = [w for w in _words(text) if len(w) > 3]
    if not long_words:
        return any(w[:1].isupper() for w in _words(text))
    return sum(w[0].isupper() or w[0].isdigit() for w in long_words) / len(long_words) >= threshold


def _looks_like_headline(line: str, *, max_words: int) -> bool:
    if line.endswith("."):
        return False
    return 0 < len(_words(line)) <= max_words and _is_title_case(line)


# Chrome lines are short; longer lines are article paragraphs and skip the line rules.
_CHROME_MAX_CHARS = 300


def _line_chrome_reason(line: str, chrome_max_words: int) -> str | None:
    """Why a whole line is not article content, or None when it may be content."""
    if len(line) > _CHROME_MAX_CHARS:
        return None
    lower = line.lower()
    has_keyword = any(keyword in lower for keyword in _CHROME_KEYWORDS)
    for pattern, reason, keywords in _CHROME_LINES:
        if keywords and not (has_keyword and any(keyword in lower for keyword in keywords)):
            continue
        if pattern.search(line):
            return reason
    if _BRACKETED_PROMO.match(line):
        return "promo link"
    if not _SENTENCE_END.search(line) and len(_words(line)) <= chrome_max_words:
        if _UI_VERB_LINE.match(line):
            return "promo line"
        if _LABEL_LINE.match(line) and len(_words(line)) <= 3 and all(w[0].isupper() for w in _words(line)):
            return "label line"
    return None


def chrome_reason(line: str) -> str | None:
    """Why a line or sentence is page chrome (a promo, a label, an author blurb, a contact
    line), or None when it may be content."""
    line = line.strip()
    if len(line) <= _CHROME_MAX_CHARS:
        if _BLURB.match(line):
            return "author blurb"
        if _CONTACT.search(line):
            return "contact line"
    return _line_chrome_reason(line, int(setting("chrome_max_words")))


def _split_blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks, each a list of its non-empty lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _headline_list_runs(lines: list[str], max_words: int) -> set[int]:
    """Indexes of lines that sit in a run of two or more headline-like lines (related-story lists)."""
    flags = [_looks_like_headline(line, max_words=max_words) for line in lines]
    in_run: set[int] = set()
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and flags[end]:
            end += 1
        if end - start >= 2:
            in_run.update(range(start, end))
        start = end + 1 if end == start else end
    return in_run


def _join_wrapped(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines into paragraphs; keep lines that end a sentence as paragraphs."""
    paragraphs: list[str] = []
    for line in lines:
        continues = (
            paragraphs
            and not _SENTENCE_END.search(paragraphs[-1])
            and not paragraphs[-1].endswith(":")
            and (line[0].islower() or line[0].isdigit())
        )
        if continues:
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
    return paragraphs


def _same_text(a: str, b: str) -> bool:
    return [w.casefold() for w in _words(a)] == [w.casefold() for w in _words(b)]


def clean_article(raw_text: str, *, title: str | None = None, title_in_text: bool = False) -> CleanedText:
    """Clean one article's raw text.

    Args:
        raw_text: the text as read (a .txt file, a JSONL ``text`` field, trafilatura output).
        title: the headline when it is known from metadata; a line repeating it near the
            top of the text is removed from the body.
        title_in_text: the first content line of ``raw_text`` is the headline (plain-text
            files); it becomes ``title`` when no title is given.

    Returns:
        A :class:`CleanedText`. Its ``text`` may be empty when nothing but chrome was found.
    """
    removed: list[RemovedText] = []
    paragraphs: list[str] = []
    chrome_max_words = int(setting("chrome_max_words"))
    headline_list_max_words = int(setting("headline_list_max_words"))
    for block in _split_blocks(normalize_unicode(raw_text)):
        list_lines = _headline_list_runs(block, headline_list_max_words) if len(block) >= 2 else set()
        kept: list[str] = []
        for index, line in enumerate(block):
            reason = "related-headline list" if index in list_lines else _line_chrome_reason(line, chrome_max_words)
            if reason:
                removed.append(RemovedText(line, reason))
            else:
                kept.append(line)
        paragraphs.extend(_join_wrapped(kept))

    title = normalize_unicode(title).replace("\n", " ").strip() if title else None
    # The headline is repeated at the top of many pages and every plain-text file.
    for index, paragraph in enumerate(paragraphs[:3]):
        if title and _same_text(paragraph, title):
            removed.append(RemovedText(paragraphs.pop(index), "headline"))
            break
        if not title and title_in_text and index == 0 and not paragraph.endswith("."):
            title = paragraphs.pop(0)
            break

    paragraphs = [_INLINE_CHROME.sub("", p).strip() if "JUST WATCHED" in p else p for p in paragraphs]
    paragraphs, signoff = _strip_trailing_labels([p for p in paragraphs if p], removed)
    paragraphs, blurb_author, blurb_outlet = _strip_closing_blurbs(paragraphs, removed)
    return CleanedText(
        text="\n\n".join(paragraphs),
        title=title or None,
        removed=tuple(removed),
        signoff=signoff,
        blurb_author=blurb_author,
        blurb_outlet=blurb_outlet,
    )


def _strip_trailing_labels(paragraphs: list[str], removed: list[RemovedText]) -> tuple[list[str], str | None]:
    """Cut link labels and sign-offs glued after a paragraph's last sentence.

    Returns the paragraphs and the sign-off of the last paragraph when it reads as an
    outlet name (a label without a colon).
    """
    max_words = int(setting("trailing_label_max_words"))
    signoff = None
    result = []
    for index, paragraph in enumerate(paragraphs):
        # Labels are short: searching the tail keeps this linear in paragraph count.
        match = _TRAILING_LABEL.search(paragraph, max(0, len(paragraph) - 40 * max_words))
        label = match.group("label") if match else None
        if (
            label
            and not label.endswith(".")
            and len(_words(label)) <= max_words
            and len(_words(paragraph)) > len(_words(label)) + 3
            # "... at 9 p.m. ET on Wednesday": the full stop ends an abbreviation, not a sentence.
            and not _ABBREVIATION_END.search(paragraph, 0, match.start())
        ):
            removed.append(RemovedText(label, "trailing link label or sign-off"))
            paragraph = paragraph[: match.start()].rstrip()
            if index == len(paragraphs) - 1 and ":" not in label:
                signoff = label
        result.append(paragraph)
    return result, signoff


def _strip_closing_blurbs(
    paragraphs: list[str], removed: list[RemovedText]
) -> tuple[list[str], str | None, str | None]:
    """Drop author blurbs and contact lines among the last two paragraphs."""
    author = outlet = None
    kept = list(paragraphs)
    for index in range(len(kept) - 1, max(len(kept) - 3, -1), -1):
        paragraph = kept[index]
        if len(_words(paragraph)) > 60:
            continue
        blurb = _BLURB.match(paragraph)
        if blurb or _CONTACT.search(paragraph):
            removed.append(RemovedText(paragraph, "author blurb"))
            del kept[index]
            if blurb:
                author = author or blurb.group("author")
                outlet = outlet or (blurb.group("outlet") or "").strip() or None
    return kept, author, outlet
