"""A ServerSet consumer and announcer (Finagle, Aurora) built on kazoo, for the interop tests.

  serverset.py read <connect> <path>
      Members of the ServerSet at path, parsed by Finagle's rules (serverset2 Entry.parseJson):
      children named member_*, JSON with serviceEndpoint {host, port}, additionalEndpoints
      {name: {host, port}}, status, shard. An endpoint without a string host and an int port is
      dropped (a member left without endpoints is skipped); an unknown status counts as UNKNOWN. Only ALIVE members are printed, as a JSON
      array sorted by znode name: [{member, serviceEndpoint, additionalEndpoints, status, shard,
      metadata, ephemeral}].

  serverset.py announce <connect> <path> <host> <port> [status] [shard] [name=host:port ...]
      Creates an ephemeral sequential member_ znode (parents made as needed) holding the ServerSet
      JSON, additionalEndpoints always present; prints {"path": ...}; keeps it until stdin closes.
"""

import json

from kazoo_consumer import (
    children_with_data,
    connect,
    emit,
    hold_until_stdin_closes,
    is_int,
    main,
    parse_json_object,
    warn,
)

MEMBER_PREFIX = "member_"
STATUSES = ("DEAD", "STARTING", "ALIVE", "STOPPING", "STOPPED", "WARNING", "UNKNOWN")


def parse_endpoint(value):
    if not isinstance(value, dict):
        return None
    host, port = value.get("host"), value.get("port")
    if not isinstance(host, str) or not is_int(port):
        return None
    return {"host": host, "port": port}


def parse_member(name, data, stat):
    entry = parse_json_object(name, data)
    if entry is None:
        return None
    status = entry.get("status")
    additional = entry.get("additionalEndpoints")
    endpoints = {}
    if isinstance(additional, dict):
        for key, value in additional.items():
            endpoint = parse_endpoint(value)
            if endpoint is not None:
                endpoints[key] = endpoint
    service_endpoint = parse_endpoint(entry.get("serviceEndpoint"))
    if service_endpoint is None and not endpoints:
        # Finagle makes one entry per valid endpoint, so such a member is not there at all.
        warn("%s: no endpoint with a string host and an int port; skipped" % name)
        return None
    shard = entry.get("shard")
    return {
        "member": name,
        "serviceEndpoint": service_endpoint,
        "additionalEndpoints": endpoints,
        "status": status if status in STATUSES else "UNKNOWN",
        "shard": shard if is_int(shard) else None,
        "metadata": entry.get("metadata"),
        "ephemeral": stat.ephemeralOwner != 0,
    }


def read(hosts, path):
    client = connect(hosts)
    try:
        members = [parse_member(n, d, s) for n, d, s in children_with_data(client, path, MEMBER_PREFIX)]
    finally:
        client.stop()
        client.close()
    emit([m for m in members if m is not None and m["status"] == "ALIVE"])


def parse_host_port(text):
    host, _, port = text.rpartition(":")
    return {"host": host, "port": int(port)}


def announce(hosts, path, host, port, status="ALIVE", shard=None, *additional):
    member = {
        "serviceEndpoint": {"host": host, "port": int(port)},
        "additionalEndpoints": {},
        "status": status,
    }
    for spec in additional:
        name, _, host_port = spec.partition("=")
        member["additionalEndpoints"][name] = parse_host_port(host_port)
    if shard not in (None, ""):
        member["shard"] = int(shard)
    client = connect(hosts)
    created = client.create(
        "%s/%s" % (path.rstrip("/"), MEMBER_PREFIX),
        json.dumps(member).encode("utf-8"),
        ephemeral=True,
        sequence=True,
        makepath=True,
    )
    emit({"path": created})
    hold_until_stdin_closes(client)


if __name__ == "__main__":
    main({"read": read, "announce": announce}, __doc__)
