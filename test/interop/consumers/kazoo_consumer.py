"""Shared plumbing of the kazoo consumers: one session, JSON on stdout, warnings on stderr.

Run with Debian's /usr/bin/python3, where python3-kazoo is installed.
"""

import inspect
import json
import signal
import sys

from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError

# Seconds; short, so an announcer killed with SIGKILL disappears quickly (the test ensemble allows 1 s).
SESSION_TIMEOUT = 3.0


def connect(hosts):
    """Starts a kazoo session; raises when no server answers in 20 s."""
    client = KazooClient(hosts=hosts, timeout=SESSION_TIMEOUT)
    client.start(timeout=20)
    return client


def emit(value):
    """Prints one JSON document on stdout, at once."""
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def warn(message):
    sys.stderr.write("warning: %s\n" % message)
    sys.stderr.flush()


def children_with_data(client, path, prefix=""):
    """[(name, data bytes, stat)] of the children of path whose names start with prefix, sorted by
    name; a missing path has none, and a child deleted meanwhile is left out."""
    try:
        names = client.get_children(path)
    except NoNodeError:
        return []
    out = []
    for name in sorted(names):
        if not name.startswith(prefix):
            continue
        try:
            data, stat = client.get("%s/%s" % (path.rstrip("/"), name))
        except NoNodeError:
            continue
        out.append((name, data, stat))
    return out


def parse_json_object(name, data):
    """The JSON object in data, or None with a warning naming the znode."""
    try:
        value = json.loads((data or b"").decode("utf-8"))
    except ValueError as e:
        warn("%s: not JSON (%s); skipped" % (name, e))
        return None
    if not isinstance(value, dict):
        warn("%s: not a JSON object; skipped" % name)
        return None
    return value


def is_int(value):
    """A JSON integer that fits Java's int, as Jackson's Integer (bools are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31


def hold_until_stdin_closes(client):
    """Keeps the session (and its ephemeral znodes) alive until stdin closes or SIGTERM, then
    closes it cleanly, which removes the ephemeral znodes at once."""

    def on_term(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    try:
        while sys.stdin.buffer.read(256):
            pass
    finally:
        client.stop()
        client.close()


def main(commands, usage):
    """Dispatches argv[1] to commands[name](args...), printing usage on a wrong call."""
    args = sys.argv[1:]
    if not args or args[0] not in commands:
        sys.stderr.write(usage)
        sys.exit(2)
    command = commands[args[0]]
    try:
        inspect.signature(command).bind(*args[1:])
    except TypeError as e:
        sys.stderr.write("%s\n%s" % (e, usage))
        sys.exit(2)
    command(*args[1:])
