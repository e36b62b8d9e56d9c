"""The deployment topology as real processes on this machine (`make test-deploy`): nginx in front of two uvicorn web
processes, one worker per queue (`run_worker`), PostgreSQL (a fresh database on the machine's server), Redis (its own db index and
queue names) and SeaweedFS's S3 server with a bucket. Each app process has a var dir of its own, as if it ran on a
machine of its own: nothing reaches another process through the local disk.

Configuration: HIRELENS_DEPLOY_DATABASE_URL (a PostgreSQL server URL: a database hl_deploy_<random> is created
there and dropped afterwards) and HIRELENS_DEPLOY_REDIS_URL (redis://host:port/db). Without them the tests skip:
`make test-deploy` sets them.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from conftest import SMTPSink, free_port

from . import topology

ROOT = Path(__file__).resolve().parents[2]
WEED = Path(sys.executable).with_name("weed")
NGINX = "/usr/sbin/nginx"
PASSWORD = "Deploy-Test-Password-2026"
S3_ACCESS, S3_SECRET = "hirelens", secrets.token_urlsafe(24)


def _b64(size: int = 32) -> str:
    return base64.b64encode(os.urandom(size)).decode()


@dataclass
class Proc:
    name: str
    args: list[str]
    env: dict
    log_path: Path
    proc: subprocess.Popen | None = None
    generation: int = 0

    def start(self) -> Proc:
        self.generation += 1
        log = open(self.log_path, "a")
        log.write(f"\n--- start {self.generation}: {shlex.join(self.args)}\n")
        log.flush()
        # Its own session: a signal reaches this process only (as systemd's KillMode=mixed main-process signal).
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()
        return self

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine: no clean-up of any kind."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, sig=signal.SIGTERM, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def output(self, tail: int = 4000) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-tail:]


@dataclass
class Topology:
    root: Path
    base_url: str
    app_env: dict
    database_url: str
    redis_url: str
    huey_name: str
    s3: object
    bucket: str
    smtp: SMTPSink
    seed: dict
    web: list[Proc] = field(default_factory=list)
    workers: dict[str, Proc] = field(default_factory=dict)
    nginx: Proc | None = None
    weed: Proc | None = None

    def logs(self) -> str:
        procs = [*self.web, *self.workers.values(), self.nginx, self.weed]
        parts = [f"===== {p.name} =====\n{p.output()}" for p in procs if p is not None]
        error_log = self.root / "nginx" / "error.log"
        if error_log.exists():
            parts.append("===== nginx error.log =====\n" + error_log.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def access_log(self) -> list[dict]:
        """nginx's access log: one dict per request with the upstream(s) it tried and their statuses."""
        rows = []
        for line in (self.root / "nginx" / "access.log").read_text().splitlines():
            at, method, uri, status, upstreams, upstream_statuses = line.split("\t")
            rows.append({"at": float(at), "method": method, "uri": uri, "status": int(status),
                         "upstreams": [u.strip() for u in upstreams.split(",")],
                         "upstream_statuses": upstream_statuses})
        return rows


def _wait_http(url: str, proc: Proc, timeout: float, what: str) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    last = ""
    while True:
        try:
            response = httpx.get(url, timeout=5)
            if response.status_code == 200:
                return
            last = response.text[:2000]
        except httpx.HTTPError as exc:
            last = repr(exc)
        if proc.proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start: {last}\n{proc.output()}")
        time.sleep(0.25)


def _run(args: list[str], env: dict, what: str, timeout: float = 300) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def _nginx_conf(root: Path, port: int, web_ports: list[int]) -> Path:
    folder = root / "nginx"
    (folder / "tmp").mkdir(parents=True)
    os.chmod(root, 0o755)  # nginx's worker processes read and write here as the `user` below
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in web_ports)
    temp = "\n".join(f"    {kind}_temp_path {folder}/tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""  # the default `nobody` cannot enter pytest's 0700 temp dirs
    conf = folder / "nginx.conf"
    conf.write_text(f"""{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
{temp}
    log_format upstreams '$msec\\t$request_method\\t$request_uri\\t$status\\t$upstream_addr\\t$upstream_status';
    access_log {folder}/access.log upstreams;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    map $http_x_forwarded_proto $hirelens_forwarded_proto {{
        default $http_x_forwarded_proto;
        ''      $scheme;
    }}
    upstream hirelens_web {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {ROOT}/deploy/nginx/hirelens-proxy.conf;
    }}
}}
""")
    return conf


def _weed_args(root: Path, s3_port: int) -> list[str]:
    data = root / "seaweedfs"
    data.mkdir()
    ports = {name: free_port() for name in ("master", "volume", "filer")}
    grpc = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    return [str(WEED), *topology.SEAWEEDFS_ARGS, "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={data}",
            f"-master.port={ports['master']}", f"-master.port.grpc={grpc['master']}",
            f"-volume.port={ports['volume']}", f"-volume.port.grpc={grpc['volume']}",
            f"-filer.port={ports['filer']}", f"-filer.port.grpc={grpc['filer']}",
            f"-s3.port={s3_port}", f"-s3.port.grpc={grpc['s3']}", "-master.volumeSizeLimitMB=64", "-volume.max=16"]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    server_url = os.environ.get("HIRELENS_DEPLOY_DATABASE_URL")
    redis_url = os.environ.get("HIRELENS_DEPLOY_REDIS_URL")
    if not server_url or not redis_url:
        pytest.fail("the deployment test needs HIRELENS_DEPLOY_DATABASE_URL and HIRELENS_DEPLOY_REDIS_URL: run make test-deploy")
    import boto3
    import psycopg
    import redis

    started = time.monotonic()
    root = tmp_path_factory.mktemp("deploy")
    tag = uuid.uuid4().hex[:10]
    procs: list[Proc] = []

    # The object store first: it starts while the database is migrated.
    s3_port = free_port()
    # its one S3 identity (an admin: it may create the bucket) from the environment, as in every deploy/ setup
    weed_env = {**os.environ, "AWS_ACCESS_KEY_ID": S3_ACCESS, "AWS_SECRET_ACCESS_KEY": S3_SECRET}
    weed = Proc("seaweedfs", _weed_args(root, s3_port), weed_env, root / "seaweedfs.log").start()
    procs.append(weed)
    smtp = SMTPSink()
    smtp.controller.start()

    parts = urlsplit(server_url)
    database = f"hl_deploy_{tag}"
    database_url = urlunsplit(parts._replace(path=f"/{database}"))
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')

    nginx_port = free_port()
    base_url = f"http://127.0.0.1:{nginx_port}"
    bucket = "hirelens-media"
    huey_name = f"hl-deploy-{tag}"
    inherited = {k: v for k, v in os.environ.items()
                 if not k.startswith("HIRELENS_") and k not in {"DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR",
                                                               "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    app_env = {
        **inherited,
        **topology.FIXED_ENV,
        "PYTHONUNBUFFERED": "1",
        "HIRELENS_SECRET_KEY": secrets.token_urlsafe(64),
        "HIRELENS_ENCRYPTION_KEYS": f"k1:{_b64()}",
        "HIRELENS_BLIND_INDEX_KEY": _b64(),
        "HIRELENS_METRICS_TOKEN": secrets.token_urlsafe(24),
        "HIRELENS_DATABASE_URL": database_url,
        "HIRELENS_DATABASE_POOL_SIZE": "4",
        "HIRELENS_REDIS_URL": redis_url,
        "HIRELENS_HUEY_NAME": huey_name,
        "HIRELENS_S3_BUCKET": bucket,
        "HIRELENS_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "HIRELENS_S3_REGION": "us-east-1",
        "HIRELENS_S3_ACCESS_KEY": S3_ACCESS,
        "HIRELENS_S3_SECRET_KEY": S3_SECRET,
        "HIRELENS_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HIRELENS_CSRF_TRUSTED_ORIGINS": base_url,
        "HIRELENS_SITE_URL": base_url,
        # plain HTTP on loopback: nginx terminates TLS in production (deploy/nginx/hirelens.conf)
        "HIRELENS_SSL_REDIRECT": "false",
        "HIRELENS_SECURE_COOKIES": "false",
        "HIRELENS_HSTS_SECONDS": "0",
        "HIRELENS_EMAIL_HOST": "127.0.0.1",
        "HIRELENS_EMAIL_PORT": str(smtp.port),
        "HIRELENS_STATIC_ROOT": str(root / "staticfiles"),
        # a killed worker's analysis is taken up again within seconds (production: 60 s lease, 60 s sweep)
        "HIRELENS_JOB_LEASE_S": "5",
        "HIRELENS_JOB_SWEEP_S": "1",
        "HIRELENS_JOB_RETRY_BASE_DELAY": "0.5",
        "HIRELENS_LOG_LEVEL": "INFO",
        "HIRELENS_VAR_DIR": str(root / "var-tools"),
    }
    assert set(topology.APP_ENV) <= set(app_env) | {"HIRELENS_VAR_DIR"}
    python = sys.executable
    s3 = None
    topo = None
    try:
        # A release: migrate once, collect the static files, make sure the bucket is there.
        migrate = subprocess.Popen([python, *topology.MIGRATE_ARGS, "-v", "0"], env=app_env, cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        _run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], app_env, "collectstatic")
        _run([python, *topology.BUCKET_ARGS, "--wait", "60"], app_env, "deploy/s3_bucket.py")
        out, _ = migrate.communicate(timeout=400)
        migrated_s = time.monotonic() - started
        if migrate.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{out[-3000:]}")
        seed = json.loads(_run([python, "tests/deploy/seed.py", PASSWORD], app_env, "the seed").strip().splitlines()[-1])

        s3 = boto3.client("s3", endpoint_url=app_env["HIRELENS_S3_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id=S3_ACCESS, aws_secret_access_key=S3_SECRET)
        topo = Topology(root=root, base_url=base_url, app_env=app_env, database_url=database_url, redis_url=redis_url,
                        huey_name=huey_name, s3=s3, bucket=bucket, smtp=smtp, seed=seed, weed=weed)

        def app_proc(name: str, args: list[str]) -> Proc:
            (root / name).mkdir()
            proc = Proc(name, args, {**app_env, "HIRELENS_VAR_DIR": str(root / name)}, root / f"{name}.log")
            procs.append(proc)
            return proc

        web_ports = [free_port() for _ in range(topology.APP_SERVICES["web"])]
        for index, port in enumerate(web_ports, start=1):
            web = app_proc(f"web-{index}", [python, *topology.WEB_ARGS, "--host", "127.0.0.1", "--port", str(port)])
            web.port = port
            topo.web.append(web.start())
        for queue in topology.QUEUES:
            topo.workers[queue] = app_proc(f"worker-{queue}", [python, *topology.worker_args(queue)]).start()
        topo.nginx = Proc("nginx", [NGINX, "-c", str(_nginx_conf(root, nginx_port, web_ports))], {**os.environ},
                          root / "nginx.log")
        procs.append(topo.nginx.start())
        for web in topo.web:
            _wait_http(f"http://127.0.0.1:{web.port}/healthz", web, 90, web.name)
        _wait_http(f"{base_url}/healthz", topo.nginx, 30, "nginx")
        topo.started_s, topo.migrated_s = time.monotonic() - started, migrated_s
        yield topo
    except BaseException:
        if topo is not None:
            print(topo.logs())
        raise
    finally:
        for proc in reversed(procs):
            proc.stop(signal.SIGKILL if proc.name == "seaweedfs" else signal.SIGTERM)
        smtp.controller.stop()
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(match=f"*{huey_name}*"):
                client.delete(key)
