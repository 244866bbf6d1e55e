#!/usr/bin/env python3
"""Breaks one rule, a CancelTask is answered at once: it logs each cancel and lets the task run to its end.

Usage: ignores_cancel.py <dir of examples/python-worker>
"""
import os
import sys

sys.path.insert(0, sys.argv[1])
import worker  # noqa: E402


class IgnoresCancel(worker.Worker):
    def on_cancel(self, cancel):
        worker.log("ignoring the cancel of task %d" % cancel.task_request_id)


if __name__ == "__main__":
    os._exit(worker.main(IgnoresCancel))
