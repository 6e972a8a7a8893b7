"""A real Redis Cluster on loopback ports for the tests (and benchmarks): three masters, three
replicas; and a single Redis of the same make, to compare with.

    with local_cluster(folder) as cluster:   # six redis-server processes, each in its folder
        cluster.url                           # redis://127.0.0.1:<a node's port>
        cluster.kill_master_of(key)           # SIGKILL; returns when its replica took over

Every server it starts is stopped (and its folder left to the caller's temporary directory) when
the block ends, also after a failure. Servers listen on 127.0.0.1 only, with a short
cluster-node-timeout so that a failover takes about a second.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

NODES = 6
NODE_TIMEOUT_MS = 1000
WAIT_SECONDS = 30.0
"""The longest the cluster may take to form, or a replica to take over."""
MISSING = shutil.which("redis-server") is None or shutil.which("redis-cli") is None
WHY_MISSING = "redis-server and redis-cli are not installed (Debian package redis-server)"


@dataclass
class LocalCluster:
    ports: list[int]
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}"

    def cli(self, port: int, *args: str) -> str:
        """One redis-cli command against the node on `port`; its output."""
        done = subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return done.stdout

    def alive(self) -> list[int]:
        return [port for port, process in self.processes.items() if process.poll() is None]

    def masters(self) -> list[int]:
        """The ports of the masters serving slots, as a live node sees them."""
        lines = self.cli(self.alive()[0], "cluster", "nodes").splitlines()
        return sorted(
            int(line.split()[1].split(":")[1].split("@")[0])
            for line in lines
            if "master" in line.split()[2]
            and "fail" not in line.split()[2]
            and len(line.split()) > 8
        )

    def master_of(self, key: str) -> int:
        slot = int(self.cli(self.alive()[0], "cluster", "keyslot", key))
        for line in self.cli(self.alive()[0], "cluster", "nodes").splitlines():
            parts = line.split()
            if "master" not in parts[2] or "fail" in parts[2]:
                continue
            for served in parts[8:]:
                low, _, high = served.partition("-")
                if int(low) <= slot <= int(high or low):
                    return int(parts[1].split(":")[1].split("@")[0])
        raise AssertionError(f"no master serves slot {slot}")

    def kill(self, port: int) -> None:
        """SIGKILL the node on `port`: no goodbye to the others, as a crashed machine."""
        self.processes[port].send_signal(signal.SIGKILL)
        self.processes[port].wait(timeout=10)

    def kill_master_of(self, key: str) -> int:
        """Kills the master of `key`'s slot; returns its port once its replica serves the slot."""
        port = self.master_of(key)
        self.kill(port)
        self.wait_until(lambda: self.master_of(key) != port and self.serving(), "a takeover")
        return port

    def serving(self) -> bool:
        """Every slot is served: three masters, and every live node says the cluster is ok."""
        return len(self.masters()) == NODES // 2 and self._ok()

    def _formed(self) -> bool:
        synced = [self.cli(p, "info", "replication") for p in self.ports]
        replicas = [info for info in synced if "role:slave" in info]
        return (
            self.serving()
            and len(replicas) == NODES // 2
            and all("master_link_status:up" in info for info in replicas)
        )

    def _ok(self) -> bool:
        return all("cluster_state:ok" in self.cli(port, "cluster", "info") for port in self.alive())

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except (subprocess.SubprocessError, AssertionError):
                pass
            time.sleep(0.05)
        raise AssertionError(f"the local Redis Cluster: not within {WAIT_SECONDS} s: {what}")


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now (held open together, so they differ)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(closing(socket.socket())) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def _config(port: int, bus_port: int, folder: Path) -> list[str]:
    return [
        *_single(port, folder),
        "--cluster-port", str(bus_port),
        "--cluster-enabled", "yes",
        "--cluster-config-file", str(folder / "nodes.conf"),
        "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
        "--repl-diskless-sync-delay", "0",  # a replica in sync at once: ready to take over
    ]  # fmt: skip


def _single(port: int, folder: Path) -> list[str]:
    return [
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(folder),
        "--save", "",
        "--appendonly", "no",
        "--logfile", str(folder / "redis.log"),
    ]  # fmt: skip


@contextmanager
def local_redis(folder: Path) -> Iterator[LocalCluster]:
    """One plain redis-server (no cluster) on a free port, stopped at the end."""
    [port] = free_ports(1)
    single = LocalCluster([port])
    folder.mkdir(parents=True, exist_ok=True)
    try:
        single.processes[port] = subprocess.Popen(
            ["redis-server", *_single(port, folder)], stdout=subprocess.DEVNULL
        )
        single.wait_until(lambda: single.cli(port, "ping").strip() == "PONG", "it answers")
        yield single
    finally:
        _stop(single)


@contextmanager
def local_cluster(folder: Path) -> Iterator[LocalCluster]:
    """Six nodes formed into a cluster with one replica per master; all stopped at the end."""
    ports = free_ports(2 * NODES)
    cluster = LocalCluster(ports[:NODES])
    try:
        for port, bus_port in zip(ports[:NODES], ports[NODES:], strict=True):
            node_folder = folder / str(port)
            node_folder.mkdir(parents=True)
            cluster.processes[port] = subprocess.Popen(
                ["redis-server", *_config(port, bus_port, node_folder)],
                stdout=subprocess.DEVNULL,
            )
        cluster.wait_until(
            lambda: all(cluster.cli(p, "ping").strip() == "PONG" for p in cluster.ports),
            "nodes answer",
        )
        nodes = [f"127.0.0.1:{port}" for port in cluster.ports]
        subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *nodes,
                "--cluster-replicas",
                "1",
                "--cluster-yes",
            ],
            capture_output=True,
            timeout=60,
            check=True,
        )
        cluster.wait_until(lambda: cluster._formed(), "formed, every replica in sync")
        yield cluster
    finally:
        _stop(cluster)


def _stop(servers: LocalCluster) -> None:
    for process in servers.processes.values():
        if process.poll() is None:
            process.terminate()
    for process in servers.processes.values():
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
