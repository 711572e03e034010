"""Invented news articles and pages for tests (no corpus text is copied into tests)."""

from __future__ import annotations

import json
from pathlib import Path


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


FERRY = {
    "title": "Island Ferry Returns After Storm Damage",
    "text": "The island ferry returned to service on Monday after storm damage kept it in port for a week. "
    "Operators said every sailing would run to the normal timetable.\n\n"
    "Shopkeepers on the island said deliveries of fresh food had run low.",
    "outlet": "Harbour Gazette",
    "published": "2021-02-08T07:15:00Z",
    "url": "https://harbourgazette.example/ferry",
    "author": "Ana Lopes",
}
LIBRARY = {
    "title": "Central Library Extends Opening Hours",
    "text": "The central library will stay open until nine on weekday evenings from next month. "
    "The council said demand for quiet study space had grown sharply since the spring.",
    "outlet": "Riverside Courier",
    "published": "2021-03-10",
}

BRIDGE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Harbour Bridge Reopens After Two-Year Repair | The Coastal Herald</title>
<meta property="og:site_name" content="The Coastal Herald">
<meta property="og:title" content="Harbour Bridge Reopens After Two-Year Repair">
<meta property="article:published_time" content="2021-05-14T08:30:00+00:00">
<meta name="author" content="Dana Whitfield">
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main>
<article>
<h1>Harbour Bridge Reopens After Two-Year Repair</h1>
<p>The Harbour Bridge reopened to traffic on Friday morning after a two-year repair programme that replaced most of its steel deck and all of its cables.</p>
<p>City engineers said the work finished three weeks ahead of schedule and slightly under the budget approved by the council in 2019, despite delays in the delivery of steel.</p>
<p>Commuters who had faced detours of up to forty minutes welcomed the reopening. "It gives me back nearly an hour a day," said one driver waiting at the toll plaza.</p>
<p>The mayor, speaking at a short ceremony on the eastern approach, thanked residents for their patience and promised that a new cycle lane would open on the bridge next month.</p>
<p>Officials warned that some lane closures would continue overnight until the end of June while crews finish painting the towers and testing the new lighting system.</p>
</article>
</main>
<footer><p>Copyright 2021 The Coastal Herald. All rights reserved.</p></footer>
</body>
</html>
"""

MARKET = {
    "title": "Farmers Market Moves Indoors For Winter",
    "text": "The weekly farmers market moved into the old corn exchange for the winter. "
    "Stallholders said the hall was warmer and drier, and that more shoppers came.",
    "outlet": "Riverside Courier",
}
