"""Shared by the integration harnesses that drive the real binary."""
import json
import time

failures = []


def check(cond, what):
    """Prints an ok/FAIL line and remembers failures."""
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def wait_for(pred, timeout, step=0.05):
    """Polls pred until it returns something true or timeout seconds pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def read_json(path, default=None):
    """The JSON in path, or default while it is missing or half-written."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default
