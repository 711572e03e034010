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

# An agency story, the same story run word for word by another outlet (a wire copy), and a third
# outlet's own report of the same event; plus an unrelated story.
_TERMINAL = (
    "The regional council of Norvale voted on Tuesday to close the old ferry terminal at Brackwater after "
    "engineers found cracks in its main pier. Council leader Mara Quist said passengers would use a temporary "
    "landing stage at the north quay from next month.\n\n"
    "A new terminal will be built within three years at a cost of about 40 million, the council said. Ferry "
    "operators warned that crossings could be delayed during the first weeks while crews learn the new approach, "
    "and local traders asked for compensation for the lost trade."
)
WIRE_STORY = {
    "title": "Norvale Council Closes Brackwater Ferry Terminal Over Cracked Pier",
    "text": _TERMINAL,
    "outlet": "Norvale Wire",
    "published": "2022-04-05T09:00:00Z",
}
WIRE_COPY = {
    "title": "Brackwater Ferry Terminal To Close After Cracks Found In Pier",
    "text": _TERMINAL + "\n\nReporting by Norvale Wire.",
    "outlet": "Daily Post",
    "published": "2022-04-05T11:30:00Z",
}
OWN_REPORT = {
    "title": "Brackwater Ferry Terminal Closed As Norvale Council Votes Over Cracked Pier",
    "text": "Norvale councillors voted on Tuesday to shut the Brackwater ferry terminal after inspectors reported "
    "cracks in the main pier. Mara Quist, the council leader, said the decision was about safety and that a "
    "temporary landing stage at the north quay would open next month.\n\n"
    "Harbour pilots told the Herald the north quay is exposed in winter storms. The council said a new terminal "
    "would cost about 40 million and take three years to build.",
    "outlet": "Harbour Herald",
    "published": "2022-04-05T15:00:00Z",
}
UNRELATED = {
    "title": "Valley Towns Swelter As Heatwave Passes 38 Degrees",
    "text": "A heatwave pushed temperatures past 38 degrees in the valley towns on Sunday, and the health office "
    "opened cooling rooms in three libraries. Farmers said the harvest had started two weeks early.",
    "outlet": "Harbour Herald",
    "published": "2022-06-12T08:00:00Z",
}
