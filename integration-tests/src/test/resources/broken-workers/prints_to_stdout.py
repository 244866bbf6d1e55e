#!/usr/bin/env python3
"""Breaks one rule, stdout carries only frames: it prints a debug line to the real stdout for every ping.

Usage: prints_to_stdout.py <dir of examples/python-worker>
"""
import os
import sys

sys.path.insert(0, sys.argv[1])
import worker  # noqa: E402

REAL_STDOUT = os.dup(1)  # before the reference worker moves fd 1 aside: what a worker without that guard has


class PrintsToStdout(worker.Worker):
    def on_ping(self, rid, ping):
        os.write(REAL_STDOUT, b"debug: got ping %d\n" % rid)
        super().on_ping(rid, ping)


if __name__ == "__main__":
    os._exit(worker.main(PrintsToStdout))
