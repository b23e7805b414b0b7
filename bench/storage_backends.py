"""S3 client libraries against a real SeaweedFS on this machine: put and get of 100 KB and 1 MB
objects, N of each, one client per library (connections kept), one thread, as the app uses them.

    .venv/bin/python bench/storage_backends.py            # N = 50
    .venv/bin/python bench/storage_backends.py -n 200

Candidates: boto3 (botocore, pure Python + urllib3), obstore (Rust, object_store crate) and
s3fs (fsspec). Also timed: the app's own S3Backend (obstore underneath, the chosen one) and the local folder
backend, both through app.storage.backends, streamed as a download is. Prints a table; the
figures and the choice are in docs/storage.md. Every byte read back is compared with what was put.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.seaweedfs_server import start_seaweedfs  # noqa: E402


def _boto3(server):
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=server.access_key,
                          aws_secret_access_key=server.secret_key, region_name="us-east-1",
                          config=Config(s3={"addressing_style": "path"}))

    def put(key, data):
        client.put_object(Bucket=server.bucket, Key=key, Body=data)

    def get(key):
        return client.get_object(Bucket=server.bucket, Key=key)["Body"].read()

    return put, get


def _obstore(server):
    import obstore
    from obstore.store import S3Store

    store = S3Store(server.bucket, endpoint=server.endpoint, access_key_id=server.access_key,
                    secret_access_key=server.secret_key, region="us-east-1", allow_http=True,
                    virtual_hosted_style_request=False)

    def put(key, data):
        obstore.put(store, key, data)

    def get(key):
        return obstore.get(store, key).bytes().to_bytes()

    return put, get


def _s3fs(server):
    import s3fs

    fs = s3fs.S3FileSystem(key=server.access_key, secret=server.secret_key,
                           client_kwargs={"endpoint_url": server.endpoint, "region_name": "us-east-1"})

    def put(key, data):
        with fs.open(f"{server.bucket}/{key}", "wb") as fh:
            fh.write(data)

    def get(key):
        with fs.open(f"{server.bucket}/{key}", "rb") as fh:
            return fh.read()

    return put, get


def _app_backend(backend):
    def put(key, data):
        backend.put(key, io.BytesIO(data))

    def get(key):
        with backend.open(key) as fh:
            return b"".join(iter(lambda: fh.read(64 * 1024), b""))  # as send_file streams it

    return put, get


def _time(fn, keys, payload=None) -> list[float]:
    times = []
    for key in keys:
        started = time.perf_counter()
        out = fn(key) if payload is None else fn(key, payload)
        times.append(time.perf_counter() - started)
        if payload is None:
            assert out == _expected[key], key
    return times


_expected: dict[str, bytes] = {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=50, help="objects of each size per library")
    args = parser.parse_args()
    sizes = {"100 KB": 100 * 1024, "1 MB": 1024 * 1024}
    with tempfile.TemporaryDirectory(prefix="weed-bench-") as tmp:
        started = time.perf_counter()
        server = start_seaweedfs(Path(tmp) / "weed")
        print(f"SeaweedFS up in {time.perf_counter() - started:.1f} s at {server.endpoint}")
        from app.storage.backends import LocalBackend, S3Backend


        candidates = {}
        for name, make in (("boto3", _boto3), ("obstore", _obstore), ("s3fs", _s3fs)):
            try:
                candidates[name] = make(server)
            except ImportError as exc:
                print(f"{name}: not installed ({exc})")
        candidates["app S3Backend"] = _app_backend(S3Backend(server.endpoint, server.bucket, server.access_key,
                                                             server.secret_key))
        candidates["app LocalBackend"] = _app_backend(LocalBackend(Path(tmp) / "local"))
        try:
            print(f"{'client':18} {'size':>7} {'put ms p50':>11} {'put MB/s':>9} {'get ms p50':>11} "
                  f"{'get MB/s':>9}   (n={args.n} each)")
            for label, size in sizes.items():
                for name, (put, get) in candidates.items():
                    keys = [f"bench/{name.replace(' ', '-')}/{label.replace(' ', '')}/{i:04d}"
                            for i in range(args.n)]
                    payload = os.urandom(size)
                    _expected.update({k: payload for k in keys})
                    put(keys[0] + "-warm", payload)  # connection and signing set up outside the timing
                    puts = _time(put, keys, payload)
                    gets = _time(get, keys)
                    mb = size * len(keys) / (1024 * 1024)
                    print(f"{name:18} {label:>7} {statistics.median(puts) * 1000:11.2f} {mb / sum(puts):9.1f} "
                          f"{statistics.median(gets) * 1000:11.2f} {mb / sum(gets):9.1f}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
