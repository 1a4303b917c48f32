"""A consumer of the "json" registration format (the original search-based style), on kazoo.

  jsonfmt.py read <connect> <path>
      All providers of the service at path: every child holding a JSON object with a string
      "address", an int "port" and a numeric or string "timestamp" (other keys are payload and
      kept). Prints a JSON array sorted by timestamp, then znode name: [{id, address, port,
      timestamp, ...}]. Children that do not parse are skipped with a warning on stderr.
"""

import numbers

from kazoo_consumer import children_with_data, connect, emit, is_int, main, parse_json_object, warn


def parse_provider(name, data):
    entry = parse_json_object(name, data)
    if entry is None:
        return None
    timestamp = entry.get("timestamp")
    valid_timestamp = isinstance(timestamp, (numbers.Real, str)) and not isinstance(timestamp, bool)
    if not isinstance(entry.get("address"), str) or not is_int(entry.get("port")) or not valid_timestamp:
        warn("%s: needs a string address, an int port and a timestamp; skipped" % name)
        return None
    return dict(entry, id=name)


def sort_key(provider):
    timestamp = provider["timestamp"]
    # Numbers before strings, so a mixed set still sorts instead of failing.
    return (isinstance(timestamp, str), timestamp, provider["id"])


def read(hosts, path):
    client = connect(hosts)
    try:
        providers = [parse_provider(n, d) for n, d, _ in children_with_data(client, path)]
    finally:
        client.stop()
        client.close()
    emit(sorted((p for p in providers if p is not None), key=sort_key))


if __name__ == "__main__":
    main({"read": read}, __doc__)
