#!/usr/bin/python3
"""Parse feeds with feedparser for the differential harness (feeddiff).

Reads one URL a line on stdin (served by feeddiff on 127.0.0.1) and prints
one JSON line per URL: whether feedparser found no feed at all, its bozo
flag and exception, and each entry's title (plain text), link and date
(published, else updated, as RFC 3339 UTC). Used with Debian's
python3-feedparser.
"""
import calendar
import html
import html.parser
import json
import sys
import time
import urllib.request

import feedparser

# The URLs are on loopback: never go through a proxy to reach them.
urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({})))


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def plain(value, detail):
    """A title as text: feedparser keeps (sanitised) markup when the feed
    says the title is HTML, and plain text otherwise."""
    typ = (detail or {}).get("type", "text/plain")
    if typ in ("text/html", "application/xhtml+xml"):
        p = _Text()
        p.feed(value)
        p.close()
        value = "".join(p.parts)
    return " ".join(value.split())


def date(entry):
    for key in ("published_parsed", "updated_parsed"):
        t = entry.get(key)
        if t:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(t)))
    return ""


def empty(entry):
    """An entry with nothing to show or link to, which talkstream drops."""
    return not (
        entry.get("title", "").strip()
        or entry.get("link")
        or entry.get("summary", "").strip()
        or any(c.get("value", "").strip() for c in entry.get("content", []))
        or entry.get("enclosures")
    )


def main():
    for line in sys.stdin:
        url = line.strip()
        if not url:
            continue
        try:
            d = feedparser.parse(url)
            entries = [
                {
                    "title": plain(e.get("title", ""), e.get("title_detail")),
                    "link": e.get("link", ""),
                    "date": date(e),
                    "empty": empty(e),
                }
                for e in d.entries
            ]
            out = {
                "url": url,
                "rejected": not d.get("version") and not entries,
                "bozo": bool(d.get("bozo")),
                "error": str(d.get("bozo_exception", ""))[:200],
                "entries": entries,
            }
        except Exception as exc:  # a crash is a rejection, reported
            out = {"url": url, "rejected": True, "bozo": True, "error": "crash: %s" % exc, "entries": []}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
