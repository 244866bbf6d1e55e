#!/usr/bin/env python3
"""Breaks one rule, the first frame is a Hello: it connects, then waits without saying anything.

Usage: never_says_hello.py <dir of examples/python-worker>
"""
import os
import sys

sys.path.insert(0, sys.argv[1])
import worker  # noqa: E402


class NeverSaysHello(worker.Worker):
    def hello(self):
        worker.log("not saying hello")


if __name__ == "__main__":
    os._exit(worker.main(NeverSaysHello))
