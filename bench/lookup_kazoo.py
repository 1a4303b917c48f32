"""kazoo's column of the lookup benchmark (bench/lookup.ts), in its own process.

Usage: /usr/bin/python3 bench/lookup_kazoo.py <connectString> <basePath> <service> <repeats>
(one cold read, then `repeats` warm ones)
Prints one JSON line: {reader, ms: [...], cpuMs: [...], instances, warnings, baselineRssKiB, peakRssKiB}.
"""

import json
import logging
import resource
import sys
import time

from kazoo.client import KazooClient


def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read(connect_string, path):
    """Connects, lists, reads every child with get_async (pipelined) and parses it."""
    client = KazooClient(hosts=connect_string, timeout=10.0)
    client.start(timeout=10.0)
    try:
        names = client.get_children(path)
        pending = [client.get_async(f"{path}/{name}") for name in names]
        return len([json.loads(p.get()[0].decode("utf-8")) for p in pending])
    finally:
        client.stop()
        client.close()


def main():
    logging.basicConfig(level=logging.ERROR)
    connect_string, base_path, service, repeats = sys.argv[1:5]
    baseline = rss_kib()
    times, cpu_times, instances = [], [], 0
    # The first read is the cold one; `repeats` warm reads follow.
    for _ in range(int(repeats) + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        instances = read(connect_string, f"{base_path}/{service}")
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "reader": "kazoo",
                "ms": times,
                "cpuMs": cpu_times,
                "instances": instances,
                "warnings": 0,
                "baselineRssKiB": baseline,
                "peakRssKiB": peak,
            }
        )
    )


if __name__ == "__main__":
    main()
