#!/usr/bin/env python3
"""Breaks one rule, exactly one reply per request: it answers every Ping with two Pongs.

Usage: replies_twice.py <dir of examples/python-worker>
"""
import os
import sys

sys.path.insert(0, sys.argv[1])
import worker  # noqa: E402


class RepliesTwice(worker.Worker):
    def on_ping(self, rid, ping):
        super().on_ping(rid, ping)
        if rid != 0:
            super().on_ping(rid, ping)


if __name__ == "__main__":
    os._exit(worker.main(RepliesTwice))
