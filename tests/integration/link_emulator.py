"""A point-to-point link with delay and loss, in user space: the netem fallback.

The kernel of the machines this project runs on is built without sch_netem, so
``tc qdisc add ... netem`` is refused there. This does the same job for one link: a TUN
interface in each of two namespaces, and this process carrying every packet between
them, holding each for the one-way delay and dropping the given share at random.

    python link_emulator.py NS_A ADDR_A NS_B ADDR_B DELAY_MS LOSS_PCT
"""

from __future__ import annotations

import ctypes
import fcntl
import heapq
import os
import random
import struct
import subprocess
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
libc = ctypes.CDLL(None, use_errno=True)


def setns(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


def open_tun(namespace: str, name: str) -> int:
    """A TUN device created inside ``namespace``; the fd stays usable from anywhere."""
    home = "/proc/self/ns/net"
    home_fd = os.open(home, os.O_RDONLY)
    try:
        setns(f"/run/netns/{namespace}")
        fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    finally:
        libc.setns(home_fd, CLONE_NEWNET)
        os.close(home_fd)
    return fd


def pump(src: int, dst: int, delay_s: float, loss: float, stop: threading.Event) -> None:
    pending: list[tuple[float, int, bytes]] = []
    lock = threading.Condition()
    counter = 0

    def writer() -> None:
        while not stop.is_set():
            with lock:
                while not pending:
                    lock.wait(0.2)
                    if stop.is_set():
                        return
                due, _, packet = pending[0]
                wait = due - time.monotonic()
                if wait > 0:
                    lock.wait(wait)
                    continue
                heapq.heappop(pending)
            os.write(dst, packet)

    threading.Thread(target=writer, daemon=True).start()
    while not stop.is_set():
        packet = os.read(src, 65535)
        if random.random() < loss:
            continue
        with lock:
            counter += 1
            heapq.heappush(pending, (time.monotonic() + delay_s, counter, packet))
            lock.notify()


def main() -> None:
    ns_a, addr_a, ns_b, addr_b, delay_ms, loss_pct = sys.argv[1:7]
    fa, fb = open_tun(ns_a, "emu0"), open_tun(ns_b, f"emu{ns_a[-6:]}"[:15])
    name_b = f"emu{ns_a[-6:]}"[:15]
    for ns, dev, mine, peer in ((ns_a, "emu0", addr_a, addr_b), (ns_b, name_b, addr_b, addr_a)):
        subprocess.run(["ip", "-n", ns, "addr", "add", mine, "peer", peer, "dev", dev], check=True)
        subprocess.run(["ip", "-n", ns, "link", "set", dev, "up"], check=True)
    subprocess.run(
        ["ip", "-n", ns_a, "route", "add", "default", "via", addr_b, "dev", "emu0"], check=True
    )
    stop = threading.Event()
    delay, loss = float(delay_ms) / 1000.0, float(loss_pct) / 100.0
    threading.Thread(target=pump, args=(fa, fb, delay, loss, stop), daemon=True).start()
    threading.Thread(target=pump, args=(fb, fa, delay, loss, stop), daemon=True).start()
    print("ready", flush=True)
    try:
        sys.stdin.read()  # runs until its parent closes stdin or kills it
    finally:
        stop.set()


if __name__ == "__main__":
    main()
