#!/usr/bin/python3
"""Parse every feed file in the given directories with feedparser, the
engine of Planet Venus and rawdog, and print one JSON line: feeds, entries,
bytes, bozo feeds, wall and CPU time (nanoseconds) of the parsing alone.

The files are read into memory first, so only feedparser.parse is timed,
with its defaults (HTML sanitising and relative URI resolution on), as a
planet runs it. Used by `talkbench run` (make bench) with Debian's
python3-feedparser.
"""
import json
import os
import sys
import time

import feedparser


def main(dirs):
    files = sorted(
        os.path.join(d, name) for d in dirs for name in os.listdir(d)
    )
    bodies = []
    for path in files:
        with open(path, "rb") as f:
            bodies.append(f.read())
    entries = bozo = 0
    wall0, cpu0 = time.perf_counter_ns(), time.process_time_ns()
    for body in bodies:
        d = feedparser.parse(body)
        entries += len(d.entries)
        bozo += 1 if d.bozo else 0
    wall, cpu = time.perf_counter_ns() - wall0, time.process_time_ns() - cpu0
    print(json.dumps({
        "feeds": len(bodies),
        "entries": entries,
        "bytes": sum(len(b) for b in bodies),
        "bozo": bozo,
        "wall_ns": wall,
        "cpu_ns": cpu,
        "version": feedparser.__version__,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
