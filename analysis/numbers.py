"""Figures stated in news text: how many, how much, how old, which year.

:func:`find_quantities` reads every figure in a text into one row with its
range, kind, unit and counted noun; :func:`compare_quantities` and
:func:`quantities_conflict` say which figures of two texts agree and which
contradict each other ("killed 20 people" against "killed 35 people").

A hand-written token scanner, not a library: quantulum3 (the general
quantity extractor) was measured on the examples the tests hold and missed
bounds ("more than"), vague amounts ("hundreds of"), ages, years and dates,
read "£3m" as pounds-metres, and took 80 ms per sentence. News states figures
in a small number of forms, and each is listed here.

Kinds (column ``kind``):

========== ===================================================== ==================
kind       examples                                              unit
========== ===================================================== ==================
count      "250,000 cables", "two counts of rape", "dozens"      'people' or None
age        "39-year-old", "aged 39", "Julian Assange, 39,"       'years'
money      "$2.5 billion", "£3m", "19 cents", "5 million euros"  'USD', 'GBP', ...
percent    "4.4%", "4.4 percent", "3 percentage points"          '%' or 'points'
year       "1998", "in 2010", "the 1990s" (1990-1999)            None
measure    "6.1-magnitude", "300 km", "20 tonnes"                'km', 't', ...
duration   "10 years in prison", "a three-day visit"             'year', 'day', ...
ordinal    "third", "21st" (not dates: "June 3rd")               None
========== ===================================================== ==================

Ranges (``low``, ``high``): equal for an exact value; "more than X", "over X",
"at least X" give ``high`` = inf; "fewer than X", "up to X", "under X" give
``low`` = 0; "between X and Y" and "X-Y" give X and Y. Vague amounts are
ranges too, flagged ``approximate``: "dozens" 24-100 (two dozen up to where
one says "hundreds"), "scores" 40-100, "hundreds" 100-1,000, "thousands"
1,000-10,000, "tens of thousands" 10,000-100,000, "hundreds of thousands"
100,000-1,000,000, "millions" 1e6-1e9. "About", "nearly", "some", "an
estimated", "roughly" keep the value and set ``approximate``.

Not figures: days of dates ("June 10", "10 June"), clock times ("0335 GMT",
"10:30", "3 p.m."), names and identifiers ("Boeing 747", "G8", "F-16",
"9/11"), and a bare "one" (mostly a pronoun).

Example:
    >>> find_quantities("More than 250,000 cables were leaked in 2010.")[["text", "low", "high", "kind", "noun"]]
                       text       low    high   kind    noun
    0  More than 250,000 cables  250000.0     inf  count  cables
    1                      2010    2010.0  2010.0   year    None
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from analysis.settings import setting

__all__ = ["COLUMNS", "KINDS", "compare_quantities", "find_quantities", "quantities_conflict", "quantity_records"]

COLUMNS = ["start", "end", "text", "low", "high", "kind", "unit", "noun", "approximate"]
KINDS = ("count", "age", "money", "percent", "year", "measure", "duration", "ordinal")

# --- vocabulary -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<cur>(?:US|A|C|NZ|HK|S)\$|\$|£|€|¥|₹)"
    r"|(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<word>[A-Za-z]+(?:['’][A-Za-z]+)*(?:-[A-Za-z]+(?:['’][A-Za-z]+)*)*)"
    r"|(?P<sym>[%\-–—:/,().'’])"
)
_CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "A$": "AUD", "C$": "CAD", "NZ$": "NZD", "HK$": "HKD", "S$": "SGD",
                     "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
_CURRENCY_WORDS = {"dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "yen": "JPY", "yuan": "CNY",
                   "rupees": "INR", "francs": "CHF", "usd": "USD", "eur": "EUR", "gbp": "GBP", "jpy": "JPY",
                   "aud": "AUD", "cad": "CAD", "cny": "CNY", "sterling": "GBP"}
_SUBUNITS = {"cents": ("USD", 0.01), "cent": ("USD", 0.01), "pence": ("GBP", 0.01)}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "tn": 1e12, "mn": 1e6,
           "mln": 1e6, "bln": 1e9}
# Letters that scale a figure only right after it and with a currency ("£3m", "$2bn", "$40k").
_CURRENCY_SCALES = {"m": 1e6, "b": 1e9, "k": 1e3}
_UNITS = {
    "km": "km", "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km",
    "miles": "mi", "mile": "mi", "metres": "m", "meters": "m", "metre": "m", "meter": "m", "feet": "ft", "foot": "ft",
    "ft": "ft", "inches": "in", "inch": "in", "yards": "yd", "cm": "cm", "mm": "mm",
    "kg": "kg", "kilograms": "kg", "kilogrammes": "kg", "tonnes": "t", "tons": "t", "tonne": "t", "ton": "t",
    "lb": "lb", "lbs": "lb", "ounces": "oz", "oz": "oz", "grams": "g", "acres": "acre", "hectares": "ha",
    "mph": "mph", "kph": "km/h", "degrees": "degrees", "barrels": "barrels", "gallons": "gal", "litres": "l",
    "liters": "l", "megawatts": "MW", "mw": "MW", "gw": "GW", "magnitude": "magnitude", "storeys": "storeys",
}
_DURATIONS = {"second": "second", "seconds": "second", "minute": "minute", "minutes": "minute", "hour": "hour",
              "hours": "hour", "day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
              "months": "month", "year": "year", "years": "year", "decade": "decade", "decades": "decade"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
_CLOCK_WORDS = {"gmt", "bst", "utc", "et", "est", "edt", "pt", "pst", "pdt", "cet", "am", "pm", "a", "p", "hrs",
                "o'clock", "local"}
_ONES = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
         "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                  "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20}
# (low, high) of vague amounts; "of thousands" etc. multiply both.
_VAGUE = {"dozens": (24, 100), "scores": (40, 100), "tens": (10, 100), "hundreds": (100, 1000),
          "thousands": (1e3, 1e4), "millions": (1e6, 1e9), "billions": (1e9, 1e12)}
_VAGUE_OF = {"thousands": 1e3, "millions": 1e6, "billions": 1e9}

# Words before a figure that bound or soften it; longest first.
_OPEN_HIGH = ("more than", "over", "at least", "upwards of", "in excess of", "greater than", "higher than",
              "no fewer than", "no less than", "exceeding", "above", "just over", "well over", "some more than")
_OPEN_LOW = ("fewer than", "less than", "under", "up to", "at most", "no more than", "below", "just under",
             "as many as", "as much as")
_APPROXIMATE = ("about", "around", "nearly", "almost", "some", "roughly", "approximately", "an estimated",
                "estimated", "close to", "circa", "more or less", "just about", "an approximate")
_AGE_BEFORE = ("aged", "age")

_PEOPLE = frozenset(
    "people persons person civilians civilian soldiers soldier troops children child kids men man women woman "
    "residents passengers workers employees staff students protesters demonstrators migrants refugees victims "
    "patients members fans police officers policemen militants fighters rebels prisoners inmates hostages "
    "journalists voters miners crew dead killed injured wounded missing casualties deaths fatalities lives "
    "suspects adults teenagers infants babies pilgrims tourists americans britons jobs".split()
)
# Counted nouns that name no particular group: they agree with any group of people.
_GENERIC_PEOPLE = frozenset("people persons person dead killed deaths casualties victims fatalities lives".split())
_IRREGULAR_PLURALS = frozenset("people police children men women staff crew personnel dead killed injured wounded "
                               "missing cattle sheep fish aircraft".split())
_NOT_NOUNS = frozenset(
    "a an the of and or but to in on at by for from with as is are was were be been has have had will would "
    "could should may might can do did does not no than that which who this these those it its their his her "
    "our your my percent per cent more less most least over under about around nearly almost some each every "
    "other another times time year years old ago earlier later each such all both".split()
)
_SENTENCE_WORDS = _NOT_NOUNS | frozenset("since until during after before between when while if so".split())


class _Token:
    """One token: ``kind`` (cur, num, word, sym), ``text``, offsets, and ``lower`` (read once: the
    scanner asks for it many times per token)."""

    __slots__ = ("kind", "text", "start", "end", "lower")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.kind, self.text, self.start, self.end, self.lower = kind, text, start, end, text.lower()

    def __repr__(self) -> str:
        return f"_Token(kind={self.kind!r}, text={self.text!r}, start={self.start!r}, end={self.end!r})"


_MOVEMENT_VERBS = frozenset("is are was were be been rose climbed moved went edged jumped ticked inched shot crept "
                            "soared surged".split())


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        token = _Token(match.lastgroup, match.group(), match.start(), match.end())
        head, _, rest = token.text.partition("-")
        if rest and head.lower() in _NUMBER_WORDS and rest.lower() not in _ONES:
            # "three-day" reads as "three", "-", "day", like "3-day"; "twenty-five" stays whole.
            cut = token.start + len(head)
            tokens += [_Token("word", head, token.start, cut), _Token("sym", "-", cut, cut + 1),
                       _Token("word", rest, cut + 1, token.end)]
            continue
        tokens.append(token)
    return tokens


# --- numbers ----------------------------------------------------------------------------------


def _digits_value(token: _Token) -> float | None:
    """Value of '250,000' or '4.4'; None for '1.2.3' or '10,20' (versions, lists)."""
    text = token.text
    if "," in text:
        head, *groups = text.split(",")
        last = groups[-1].split(".")
        if len(last) > 2 or any(len(g) != 3 for g in groups[:-1] + [last[0]]) or len(head) > 3:
            return None
        text = text.replace(",", "")
    if text.count(".") > 1:
        return None
    return float(text)


def _word_number(tokens: list[_Token], i: int) -> tuple[float, int] | None:
    """A number in words starting at ``tokens[i]``: (value, index after it)."""
    total, current, j, seen = 0.0, 0.0, i, False
    if tokens[i].lower == "a" and i + 1 < len(tokens) and tokens[i + 1].lower in {"hundred", "thousand", "million",
                                                                                   "billion", "dozen"}:
        current, j, seen = 1.0, i + 1, True
    while j < len(tokens) and tokens[j].kind == "word":
        word = tokens[j].lower
        parts = word.split("-")
        if len(parts) == 2 and parts[0] in _TENS and parts[1] in _ONES:
            current += _TENS[parts[0]] + _ONES[parts[1]]
        elif word in _ONES:
            current += _ONES[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred" and seen:
            current = max(current, 1.0) * 100
        elif word == "dozen" and seen:
            current = max(current, 1.0) * 12
        elif word in {"thousand", "million", "billion", "trillion"} and seen:
            total += max(current, 1.0) * _SCALES[word]
            current = 0.0
        elif word == "and" and seen and j + 1 < len(tokens) and (
            tokens[j + 1].lower.split("-")[0] in _ONES or tokens[j + 1].lower.split("-")[0] in _TENS
        ) and tokens[j - 1].lower in {"hundred", "thousand"}:
            j += 1
            continue
        else:
            break
        seen = True
        j += 1
    if not seen:
        return None
    return total + current, j


def _number(tokens: list[_Token], i: int) -> tuple[float, int, bool] | None:
    """A number (digits or words) at ``i`` with its scale word: (value, index after, written in digits)."""
    token = tokens[i]
    if token.kind == "num":
        value = _digits_value(token)
        if value is None:
            return None
        j, digits = i + 1, True
    elif token.kind == "word":
        found = _word_number(tokens, i)
        if found is None:
            return None
        value, j = found
        digits = False
    else:
        return None
    if j < len(tokens) and tokens[j].lower in _SCALES and tokens[j].kind == "word":
        value *= _SCALES[tokens[j].lower]
        j += 1
    return value, j, digits


def _adjacent(left: _Token, right: _Token) -> bool:
    return left.end == right.start


# --- the scanner ------------------------------------------------------------------------------


@dataclass
class _Figure:
    start: int
    end: int
    low: float
    high: float
    kind: str
    unit: str | None = None
    noun: str | None = None
    approximate: bool = False


def _qualifier_phrases() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """(kind, words) of every bound or softener, longest first within each kind, by last word
    (built once: this runs before every token of every sentence)."""
    by_last_word: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for kind, phrases in (("high", _OPEN_HIGH), ("low", _OPEN_LOW), ("approximate", _APPROXIMATE),
                          ("age", _AGE_BEFORE), ("between", ("between",))):
        for phrase in sorted(phrases, key=len, reverse=True):
            parts = tuple(phrase.split())
            by_last_word.setdefault(parts[-1], []).append((kind, parts))
    return by_last_word


def _qualifier(tokens: list[_Token], i: int) -> tuple[str | None, int]:
    """The bound or softener just before ``tokens[i]``: (its kind, index of its first token)."""
    words = [t.lower for t in tokens[max(0, i - 3) : i]]
    if len(words) >= 3 and words[-2:] == ["up", "to"] and words[-3] in _MOVEMENT_VERBS:
        return None, i  # "unemployment was up to 5.1 percent": a rise, not a bound
    for kind, parts in (_QUALIFIER_PHRASES.get(words[-1], ()) if words else ()):
        if len(parts) <= len(words) and tuple(words[len(words) - len(parts) :]) == parts and all(
            t.kind == "word" for t in tokens[i - len(parts) : i]
        ):
            return kind, i - len(parts)
    return None, i


def _is_plural_noun(word: str) -> bool:
    return word in _IRREGULAR_PLURALS or word in _PEOPLE or (
        len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ous"))
    )


def _counted_noun(tokens: list[_Token], j: int, value: float) -> tuple[str | None, int]:
    """The noun counted by a figure ending before ``tokens[j]``: (noun, index after it)."""
    if j < len(tokens) and tokens[j].lower == "of" and j + 1 < len(tokens) and tokens[j + 1].kind == "word":
        j += 1  # "hundreds of people", "a dozen of them"
    candidates = []
    for k in range(j, min(j + 2, len(tokens))):
        token = tokens[k]
        if token.kind != "word" or token.lower in _NOT_NOUNS or not token.text[0].islower():
            break
        candidates.append(k)
    for k in candidates:
        word = tokens[k].lower
        if _is_plural_noun(word) or (value == 1 and k == j):
            return word, k + 1
    return None, j


def _singular(noun: str) -> str:
    if noun in _IRREGULAR_PLURALS:
        return noun
    for ending, replacement in (("ies", "y"), ("ves", "f"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("s", "")):
        if noun.endswith(ending) and len(noun) > len(ending) + 2:
            return noun[: -len(ending)] + replacement
    return noun


def _is_date_day(tokens: list[_Token], i: int, j: int, value: float) -> bool:
    """'June 10', '10 June', 'June 10th', 'the 10th of June'."""
    if not (1 <= value <= 31 and value == int(value)):
        return False
    before = tokens[i - 1].lower.rstrip(".") if i > 0 else ""
    if i > 1 and tokens[i - 1].text == "." and tokens[i - 2].lower in _MONTHS:
        return True
    after = [t.lower for t in tokens[j : j + 3]]
    if after[:1] and after[0] in {"st", "nd", "rd", "th"}:
        after = after[1:]
    return before in _MONTHS or (after[:1] and after[0] in _MONTHS) or (after[:2] and after[0] == "of"
                                                                         and len(after) > 1 and after[1] in _MONTHS)


def _is_clock_or_code(tokens: list[_Token], i: int, j: int, text: str) -> bool:
    token = tokens[i]
    if i > 0 and tokens[i - 1].text in {":", "/"} and _adjacent(tokens[i - 1], token):
        return True
    if j < len(tokens) and tokens[j].text in {":", "/"} and _adjacent(tokens[j - 1], tokens[j]) and (
        j + 1 < len(tokens) and tokens[j + 1].kind == "num"
    ):
        return True
    if j < len(tokens) and tokens[j].lower in _CLOCK_WORDS and tokens[j].lower not in {"a", "p"}:
        return True
    if j < len(tokens) and tokens[j].lower in {"a", "p"} and re.match(r"\s*[ap]\.?m\b\.?", text[tokens[j - 1].end :],
                                                                        re.I):
        return True
    if i > 1 and tokens[i - 1].text == "." and tokens[i - 2].lower in {"no", "nos"}:
        return True  # "No. 2"
    # Letters glued to the number ("G8", "A380"), or a capital and a hyphen ("F-16", "COVID-19").
    if i > 0 and tokens[i - 1].kind == "word" and _adjacent(tokens[i - 1], token):
        return True
    if i > 1 and tokens[i - 1].text == "-" and _adjacent(tokens[i - 1], token) and tokens[i - 2].kind == "word" and (
        _adjacent(tokens[i - 2], tokens[i - 1]) and tokens[i - 2].text[0].isupper()
    ):
        return True
    return False


def _is_name_number(tokens: list[_Token], i: int) -> bool:
    """A number that is part of a name ('Boeing 747', 'Flight 93', 'Windows 2000')."""
    if i == 0 or tokens[i - 1].kind != "word":
        return False
    word = tokens[i - 1].text
    return word[0].isupper() and word.lower() not in _SENTENCE_WORDS and word.lower() not in _MONTHS and (
        word.lower() not in {w for phrase in _OPEN_HIGH + _OPEN_LOW + _APPROXIMATE + _AGE_BEFORE
                             for w in phrase.split()}
    )


def _scan(text: str) -> list[_Figure]:
    if not _DIGIT_OR_CURRENCY.search(text) and _FIGURE_HINT_WORDS.isdisjoint(
        map(str.lower, _LETTER_RUN.findall(text))
    ):  # no token _may_start_figure: most sentences
        return []
    tokens = _tokens(text)
    figures: list[_Figure] = []
    i = 0
    while i < len(tokens):
        if not _may_start_figure(tokens, i):  # _figure_at would give (None, i + 1)
            i += 1
            continue
        figure, after = _figure_at(tokens, i, text)
        if figure is not None:
            figures.append(figure)
        i = max(after, i + 1)
    return figures


_NUMBER_WORDS = frozenset(_ONES) | frozenset(_TENS)
# Words a figure can start with: a vague amount, an ordinal, a number word, "a" ("a dozen").
_FIGURE_START_WORDS = frozenset(_VAGUE) | frozenset(_ORDINAL_WORDS) | _NUMBER_WORDS | {"a"}


# In any text with a token that _may_start_figure: a digit, a currency sign, or a figure word as a
# whole run of ASCII letters (a word token is one, or its head before a hyphen); "a" counts only
# before a scale word.
_DIGIT_OR_CURRENCY = re.compile(r"[\d$£€¥₹]")
_LETTER_RUN = re.compile(r"[A-Za-z]+")
_FIGURE_HINT_WORDS = (_FIGURE_START_WORDS - {"a"}) | {"hundred", "thousand", "million", "billion", "dozen"}


def _may_start_figure(tokens: list[_Token], i: int) -> bool:
    """False where :func:`_figure_at` finds nothing for sure: a symbol, or a word that is no number,
    vague amount or ordinal (nor "twenty-five"): a cheap test before the full reading."""
    token = tokens[i]
    if token.kind == "sym":
        return False
    if token.kind != "word" or token.lower in _FIGURE_START_WORDS:
        return True
    parts = token.lower.split("-")
    return len(parts) == 2 and parts[0] in _TENS and parts[1] in _ONES


def _vague_at(tokens: list[_Token], i: int) -> tuple[float, float, int] | None:
    """'hundreds', 'dozens of', 'hundreds of thousands': (low, high, index after)."""
    word = tokens[i].lower
    if word not in _VAGUE:
        return None
    low, high = _VAGUE[word]
    j = i + 1
    if j + 1 < len(tokens) and tokens[j].lower == "of" and tokens[j + 1].lower in _VAGUE_OF:
        scale = _VAGUE_OF[tokens[j + 1].lower]
        low, high, j = low * scale, high * scale, j + 2
    elif word == "tens":
        return None  # "tens" alone is not an amount in news prose
    return low, high, j


_QUALIFIER_PHRASES = _qualifier_phrases()


def _figure_at(tokens: list[_Token], i: int, text: str) -> tuple[_Figure | None, int]:
    """The figure starting at ``tokens[i]`` (its currency or number), and the index after it."""
    token = tokens[i]
    qualifier, first = _qualifier(tokens, i)
    currency = None
    k = i
    if token.kind == "cur":
        currency = _CURRENCY_SYMBOLS[token.text]
        k = i + 1
        if k >= len(tokens):
            return None, i + 1

    vague = _vague_at(tokens, k) if currency is None and tokens[k].kind == "word" else None
    if vague is not None:
        low, high, j = vague
        digits, approximate = False, True
    else:
        if tokens[k].kind == "word" and tokens[k].lower in _ORDINAL_WORDS and currency is None:
            return _ordinal(tokens, k, first if qualifier is None else k, _ORDINAL_WORDS[tokens[k].lower])
        parsed = _number(tokens, k)
        if parsed is None:
            return None, i + 1
        low, j, digits = parsed
        high = low
        approximate = qualifier == "approximate"
        if not digits and low == 1 and tokens[k].lower == "one" and (
            j >= len(tokens) or (tokens[j].lower not in _UNITS and tokens[j].lower not in _CURRENCY_WORDS
                                 and tokens[j].lower not in _PEOPLE and tokens[j].lower not in _DURATIONS
                                 and tokens[j].text not in {"percent", "%", "per"} and currency is None)
        ):
            return None, j  # "one of", "no one", "one said": a pronoun far more often than a figure
        if not digits and tokens[k].lower == "a" and j == k + 1:
            return None, i + 1
    # A scale letter glued to the number: "£3m", "$2bn" (bn and tn are scale words anyway).
    if j < len(tokens) and digits and tokens[j].lower in _CURRENCY_SCALES and _adjacent(tokens[j - 1], tokens[j]) and (
        currency is not None
    ):
        low, high, j = low * _CURRENCY_SCALES[tokens[j].lower], high * _CURRENCY_SCALES[tokens[j].lower], j + 1

    if digits and _is_clock_or_code(tokens, k, j, text):
        return None, j
    # Ranges: "between 10 and 20", "10-20", "$10-$20 million".
    is_range = False
    if qualifier == "between" and j + 1 < len(tokens) and tokens[j].lower == "and":
        second = _range_end(tokens, j + 1)
        if second is not None:
            high, j = second
            is_range = True
    elif j + 1 < len(tokens) and tokens[j].text in {"-", "–", "—"} and (digits or not currency) and (
        tokens[j + 1].kind in {"num", "cur"} or tokens[j + 1].lower in _ONES or tokens[j + 1].lower in _TENS
    ):
        second = _range_end(tokens, j + 1)
        if second is not None and second[0] >= low:
            high, j = second
            is_range = True
        elif second is not None:
            return None, second[1]  # "3-2": a score or a vote, not an amount
    if is_range:
        # "between 1 and 2 million": the scale word after the second number scales the first too.
        scale_word = tokens[j - 1].lower if tokens[j - 1].kind == "word" else ""
        if scale_word in _SCALES and low * _SCALES[scale_word] <= high:
            low *= _SCALES[scale_word]
    if qualifier == "high":
        high = math.inf
    elif qualifier == "low":
        low = 0.0
        approximate = approximate or tokens[first].lower == "as"
    start = tokens[first if qualifier and qualifier != "between" or is_range else i].start
    if qualifier == "between" and not is_range:
        start = token.start
    figure = _Figure(start, tokens[j - 1].end, low, high, "count", approximate=approximate)
    return _classify(tokens, i, k, j, figure, currency, digits, qualifier, text)


def _range_end(tokens: list[_Token], i: int) -> tuple[float, int] | None:
    if tokens[i].kind == "cur":
        i += 1
        if i >= len(tokens):
            return None
    parsed = _number(tokens, i)
    if parsed is None:
        return None
    value, j, _ = parsed
    return value, j


def _ordinal(tokens: list[_Token], k: int, first: int, value: int) -> tuple[_Figure | None, int]:
    j = k + 1
    if k > 0 and tokens[k - 1].lower in {"a", "one", "two"} and j < len(tokens) and tokens[j].lower == "of":
        return None, j  # "a third of voters": a fraction, not a rank
    if _is_date_day(tokens, k, j, value) or (j < len(tokens) and tokens[j].lower in _MONTHS) or (
        j + 1 < len(tokens) and tokens[j].lower == "of" and tokens[j + 1].lower in _MONTHS
    ):
        return None, j
    if value == 2 and (j >= len(tokens) or tokens[j].kind != "word" or tokens[j].lower in _NOT_NOUNS):
        return None, j  # "a second", "second by": a unit of time or a verb as often as an ordinal
    noun, after = _counted_noun(tokens, j, 1)
    return _Figure(tokens[first].start, tokens[after - 1].end, value, value, "ordinal", noun=noun), after


def _classify(tokens, i, k, j, figure: _Figure, currency, digits, qualifier, text) -> tuple[_Figure | None, int]:
    """Give ``figure`` (number read from tokens[k] to tokens[j-1]) its kind, unit and noun."""
    nxt = tokens[j] if j < len(tokens) else None
    nxt_word = nxt.lower if nxt is not None and nxt.kind == "word" else ""
    glued_hyphen = nxt is not None and nxt.text == "-" and _adjacent(tokens[j - 1], nxt) and j + 1 < len(tokens) and (
        tokens[j + 1].kind == "word" and _adjacent(nxt, tokens[j + 1])
    )
    compound = tokens[j + 1].lower if glued_hyphen else ""

    def done(kind, unit=None, noun=None, end_index=j):
        figure.kind, figure.unit, figure.noun = kind, unit, noun
        figure.end = tokens[end_index - 1].end
        return figure, end_index

    # Money.
    if currency is not None:
        if nxt_word in _CURRENCY_WORDS and _CURRENCY_WORDS[nxt_word] == currency:
            return done("money", currency, end_index=j + 1)
        return done("money", currency)
    if nxt_word in _SUBUNITS and not glued_hyphen:
        unit, factor = _SUBUNITS[nxt_word]
        figure.low, figure.high = figure.low * factor, figure.high * factor
        return done("money", unit, end_index=j + 1)
    if nxt_word in _CURRENCY_WORDS and nxt_word not in {"sterling"}:
        return done("money", _CURRENCY_WORDS[nxt_word], end_index=j + 1)
    if nxt_word in {"pounds", "pound"}:
        sterling = j + 1 < len(tokens) and tokens[j + 1].lower == "sterling"
        if sterling or tokens[j - 1].lower in _SCALES:
            return done("money", "GBP", end_index=j + 2 if sterling else j + 1)
        return done("measure", "lb", end_index=j + 1)
    # Percentages.
    if nxt is not None and nxt.text == "%":
        return done("percent", "%", end_index=j + 1)
    if nxt_word in {"percent", "pct"}:
        return done("percent", "%", end_index=j + 1)
    if nxt_word == "per" and j + 1 < len(tokens) and tokens[j + 1].lower == "cent":
        return done("percent", "%", end_index=j + 2)
    if nxt_word in {"percentage", "basis"} and j + 1 < len(tokens) and tokens[j + 1].lower in {"point", "points"}:
        return done("percent", "points" if nxt_word == "percentage" else "basis points", end_index=j + 2)
    # Ages.
    if glued_hyphen and compound in {"year-old", "years-old"}:
        return done("age", "years", end_index=j + 2)
    if nxt_word in {"year", "years"} and j + 1 < len(tokens) and tokens[j + 1].lower in {"old", "-old"}:
        return done("age", "years", end_index=j + 2)
    if nxt_word in {"year-old", "years-old"}:
        return done("age", "years", end_index=j + 1)
    if qualifier == "age":
        if figure.low == figure.high and 0 < figure.low < 130 and tokens[i - 1].lower in _AGE_BEFORE:
            figure.start = tokens[i - 1].start
        return done("age", "years")
    # Units of measure and of time, also in compounds ("6.1-magnitude", "a three-day visit").
    unit_word = compound if glued_hyphen else nxt_word
    end_index = j + 2 if glued_hyphen else j + 1
    if unit_word in _UNITS:
        return done("measure", _UNITS[unit_word], end_index=end_index)
    if unit_word in _DURATIONS:
        return done("duration", _DURATIONS[unit_word], end_index=end_index)
    # Dates, years, clock times and names.
    value = figure.low
    if digits and _is_date_day(tokens, k, j, value):
        return None, j
    if digits and nxt is not None and nxt.lower in {"st", "nd", "rd", "th"} and _adjacent(tokens[j - 1], nxt):
        noun, after = _counted_noun(tokens, j + 1, 1)
        return done("ordinal", None, noun, end_index=after)
    written = tokens[k].text
    if digits and re.fullmatch(r"1[5-9]\d\d|20\d\d", written) and qualifier in {None, "between"}:
        if nxt is not None and nxt.text == "s" and _adjacent(tokens[j - 1], nxt):  # "the 1990s"
            figure.high = figure.low + 9
            return done("year", end_index=j + 1)
        return done("year")
    if digits and qualifier is None and _is_name_number(tokens, k):
        # "Julian Assange, 39," is an age; "Boeing 747" a name.
        return None, j
    if digits and qualifier is None and 0 < value < 120 and value == int(value) and k > 1 and (
        tokens[k - 1].text == "," and tokens[k - 2].kind == "word" and tokens[k - 2].text[0].isupper()
        and nxt is not None and nxt.text in {",", ")"}
    ):
        return done("age", "years")
    noun, after = _counted_noun(tokens, j, figure.low)
    unit = "people" if noun in _PEOPLE else None
    return done("count", unit, noun, end_index=after)


# --- public API -------------------------------------------------------------------------------


def quantity_records(text: str) -> list[dict]:
    """:func:`find_quantities` as plain dicts (same keys as its columns): no DataFrame per
    sentence when figures are read from hundreds of thousands of them."""
    return [
        {"start": f.start, "end": f.end, "text": text[f.start : f.end], "low": float(f.low), "high": float(f.high),
         "kind": f.kind, "unit": f.unit, "noun": f.noun, "approximate": bool(f.approximate)}
        for f in _scan(str(text))
    ]


def find_quantities(text: str) -> pd.DataFrame:
    """Every figure stated in ``text``, one row each, in reading order.

    Returns:
        DataFrame with columns ``start``, ``end`` (character offsets, ``text[start:end]``
        is the phrase), ``text``, ``low``, ``high`` (floats; equal for an exact value,
        ``high`` inf for "more than X", ``low`` 0 for "up to X"), ``kind`` (one of
        :data:`KINDS`), ``unit`` ('USD', 'GBP', '%', 'km', 'years', 'people', ... or
        None), ``noun`` (the counted noun as written, lower case, or None) and
        ``approximate`` (bool).

    Example:
        >>> find_quantities("He faces two counts of rape.")[["text", "low", "kind", "noun"]].values.tolist()
        [['two counts', 2.0, 'count', 'counts']]
    """
    rows = [
        (f.start, f.end, text[f.start : f.end], float(f.low), float(f.high), f.kind, f.unit, f.noun, f.approximate)
        for f in _scan(str(text))
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame = frame.astype({"start": int, "end": int, "low": float, "high": float, "approximate": bool})
    for column in ("unit", "noun"):  # None, not NaN, where there is none
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _compatible(a, b) -> bool:
    """Whether two figures (rows) measure the same kind of thing, so that they can disagree."""
    if a.kind != b.kind:
        return False
    if a.kind in {"money", "percent", "measure", "duration"}:
        return a.unit == b.unit
    if a.kind in {"year", "age"}:
        return True
    if a.noun is None or b.noun is None:
        return a.noun is None and b.noun is None and a.kind == "count"
    if _singular(a.noun) == _singular(b.noun):
        return True
    return a.unit == b.unit == "people" and (a.noun in _GENERIC_PEOPLE or b.noun in _GENERIC_PEOPLE)


def _overlap(a, b, exact_tolerance: float, approximate_tolerance: float) -> bool:
    """Whether the ranges of two figures overlap, each widened by its tolerance (relative)."""
    def widened(row):
        tolerance = approximate_tolerance if row.approximate else exact_tolerance
        return row.low * (1 - tolerance), row.high * (1 + tolerance)

    if a.kind in {"year", "age", "ordinal"}:  # whole numbers: 1998 and 2003, 39 and 40 differ
        return a.low <= b.high and b.low <= a.high
    a_low, a_high = widened(a)
    b_low, b_high = widened(b)
    return a_low <= b_high and b_low <= a_high


def _compare_figures(figures_a: list, figures_b: list, tolerance: float, approximate_tolerance: float) -> list[tuple]:
    """:func:`compare_quantities` on lists of figures (rows or :class:`_Figure`): (side, index, status, other)."""
    frames = {"a": figures_a, "b": figures_b}
    comparable = {
        side: [[n for n, other in enumerate(frames[their]) if _compatible(figure, other)]
               for figure in frames[side]]
        for side, their in (("a", "b"), ("b", "a"))
    }
    agreeing = {
        side: [[n for n in candidates
                if _overlap(figure, frames[their][n], tolerance, approximate_tolerance)]
               for figure, candidates in zip(frames[side], comparable[side])]
        for side, their in (("a", "b"), ("b", "a"))
    }
    rows = []
    for side, their in (("a", "b"), ("b", "a")):
        for position, figure in enumerate(frames[side]):
            if agreeing[side][position]:
                rows.append((side, position, "agrees", agreeing[side][position][0]))
                continue
            # Only a figure the other text leaves unexplained can contradict: "1995 and 1998"
            # against "1998" adds a year, it does not dispute one.
            rivals = [n for n in comparable[side][position] if not agreeing[their][n]]
            if not rivals:
                rows.append((side, position, "unmatched", -1))
                continue
            nearest = min(rivals, key=lambda n: _distance(figure, frames[their][n]))
            rows.append((side, position, "conflicts", nearest))
    return rows


def compare_quantities(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    tolerance: float | None = None,
    approximate_tolerance: float | None = None,
) -> pd.DataFrame:
    """How each figure of one text fares in the other (both from :func:`find_quantities`).

    A figure **agrees** when a figure of the same kind and compatible unit or noun in
    the other text overlaps its range; it **conflicts** when none does and the other
    text has a comparable figure that agrees with nothing either (both texts state the
    same kind of figure and the figures differ); otherwise it is **unmatched** (the
    other text says nothing comparable that it does not already account for).
    Exact values agree within ``tolerance`` (relative; rounding: "$2.47 billion" and
    "$2.5 billion"), approximate ones within ``approximate_tolerance``. Years are exact.

    Returns:
        DataFrame with columns ``side`` ('a' or 'b'), ``index`` (row position in its
        frame), ``status`` ('agrees', 'conflicts', 'unmatched') and ``other`` (row
        position of the nearest comparable figure on the other side, or -1).
    """
    tolerance = float(setting("figure_tolerance") if tolerance is None else tolerance)
    approximate_tolerance = float(
        setting("approximate_figure_tolerance") if approximate_tolerance is None else approximate_tolerance
    )
    rows = _compare_figures(list(a.itertuples(index=False)), list(b.itertuples(index=False)),
                            tolerance, approximate_tolerance)
    return pd.DataFrame(rows, columns=["side", "index", "status", "other"]).astype({"index": int, "other": int})


def _distance(a, b) -> float:
    low, high = max(a.low, b.low), min(a.high, b.high)
    return low - high if low > high else 0.0


def quantities_conflict(a: pd.DataFrame, b: pd.DataFrame, **tolerances) -> list[tuple[int, int]]:
    """Pairs ``(row in a, row in b)`` of figures that contradict each other.

    Two figures conflict when they are of the same kind with a compatible unit or
    noun ("20 people" and "35 people", "$2.5 billion" and "$1.8 billion", "4.4%"
    and "4.6%") and their ranges do not overlap, while no other comparable figure
    of the other text agrees with them ("1995 and 1998" against "1998" is no
    conflict). Keyword arguments are those of :func:`compare_quantities`.

    Example:
        >>> quantities_conflict(find_quantities("killed 20 people"), find_quantities("killed 35 people"))
        [(0, 0)]
    """
    compared = compare_quantities(a, b, **tolerances)
    conflicts = compared[compared["status"] == "conflicts"]
    pairs = {
        (row.index, row.other) if row.side == "a" else (row.other, row.index)
        for row in conflicts.itertuples(index=False)
    }
    return sorted(pairs)
