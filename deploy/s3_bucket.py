"""Create the media bucket named by HIRELENS_S3_BUCKET on HIRELENS_S3_ENDPOINT_URL if it does not exist yet.

Run once per deployment, before the web and worker processes (Compose: the `s3-bucket` service; Kubernetes: the
`hirelens-s3-bucket` Job; make test-deploy runs it too). Idempotent: an existing bucket is left as it is.

    python deploy/s3_bucket.py [--wait SECONDS]

Exit status 0 when the bucket exists afterwards; 1 with a message naming the problem otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _env(name: str) -> str | None:
    value = os.environ.get(f"HIRELENS_{name}", "").strip()
    return value or None


def ensure_bucket(*, wait_s: float = 0.0) -> str:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    bucket = _env("S3_BUCKET")
    if not bucket:
        raise SystemExit("HIRELENS_S3_BUCKET is not set")
    client = boto3.client("s3", endpoint_url=_env("S3_ENDPOINT_URL"), region_name=_env("S3_REGION") or "us-east-1",
                          aws_access_key_id=_env("S3_ACCESS_KEY"), aws_secret_access_key=_env("S3_SECRET_KEY"),
                          config=Config(retries={"max_attempts": 2}, connect_timeout=3, read_timeout=10))
    deadline = time.monotonic() + wait_s
    while True:
        try:
            try:
                client.head_bucket(Bucket=bucket)
                return f"bucket {bucket!r} exists"
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket", "NotFound"}:
                    raise
            client.create_bucket(Bucket=bucket)
            return f"bucket {bucket!r} created"
        except (BotoCoreError, ClientError) as exc:
            if time.monotonic() >= deadline:
                raise SystemExit(f"S3 bucket {bucket!r} at {_env('S3_ENDPOINT_URL') or 'AWS'}: {exc}") from None
            time.sleep(1.0)  # the object store is still starting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wait", type=float, default=0.0, help="keep trying this many seconds while the store starts")
    args = parser.parse_args(argv)
    print(ensure_bucket(wait_s=args.wait))
    return 0


if __name__ == "__main__":
    sys.exit(main())
