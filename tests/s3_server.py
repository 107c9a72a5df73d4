"""An S3-compatible server for the tests of MEDIA_STORAGE=s3: moto's stand-alone
server (``moto_server``, from requirements-dev.txt) in a process of its own, spoken
to over HTTP by boto3 exactly as a real bucket is (AWS S3, MinIO, 阿里云 OSS). It is
an emulator of Amazon's service, not of our code.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import wait_until_answering
from tests.redis_server import on_ci
from tests.test_two_servers import free_port

BUCKET = "yantai-media"
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def moto_server() -> str:
    found = shutil.which("moto_server") or str(
        Path(sys.executable).with_name("moto_server")
    )
    if not Path(found).exists():
        message = "needs moto_server (pip install 'moto[server]', requirements-dev.txt)"
        if on_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


@contextmanager
def s3_server() -> Iterator[str]:
    """A fresh S3 server with one bucket (``BUCKET``) whose objects anyone may read:
    its endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [moto_server(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(endpoint, process, "moto_server", 30)
        client = s3_client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_policy(
            Bucket=BUCKET,
            Policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{BUCKET}/*",
                        }
                    ],
                }
            ),
        )
        yield endpoint
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", **_lower(KEYS)
    )


def _lower(keys: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in keys.items()}


def object_names(endpoint: str) -> set[str]:
    found = s3_client(endpoint).list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"] for item in found}
