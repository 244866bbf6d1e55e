#!/usr/bin/env python3
"""Breaks one rule, exit on end-of-file on stdin: it carries on after it, until its parent pid changes.

It still watches getppid(), so it does exit when its parent dies: only the end-of-file rule is broken.

Usage: ignores_stdin_eof.py <dir of examples/python-worker>
"""
import os
import sys
import time

sys.path.insert(0, sys.argv[1])
import worker  # noqa: E402


class IgnoresStdinEof(worker.Worker):
    def serve(self):
        status = super().serve()
        if status != worker.PARENT_GONE:
            return status
        worker.log("end of file on stdin; carrying on regardless")
        while True:
            time.sleep(1)  # the parent-pid watch thread ends the process when the parent dies


if __name__ == "__main__":
    os._exit(worker.main(IgnoresStdinEof, watch_stdin=False))
