"""The files in deploy/ work: nginx runs deploy/nginx/aduan.conf (with test certificates,
ports and folders put in) in front of a stand-in for gunicorn, and does what the file
promises: TLS with HTTP redirected, 5 × 10 MB of upload accepted and more refused, the
client's own X-Forwarded-For replaced by its real address, attachments sent from the media
folder only through Django's X-Accel-Redirect, static files served. The systemd units are
checked by systemd-analyze where it is installed."""

import datetime as dt
import http.client
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NGINX = shutil.which("nginx")
HOST = "lapor.example.go.id"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class StandIn(http.server.BaseHTTPRequestHandler):
    """What gunicorn would answer: the headers it was given, or an X-Accel-Redirect."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        received = 0
        while received < length:
            received += len(self.rfile.read(min(1 << 20, length - received)))
        if self.path.startswith("/lampiran/"):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("X-Accel-Redirect", "/_lampiran/reports/2026/foto.png")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps(
            {
                "forwarded_for": self.headers.get("X-Forwarded-For"),
                "proto": self.headers.get("X-Forwarded-Proto"),
                "host": self.headers.get("Host"),
                "received": received,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    data = tmp_path / "data"
    (data / "static" / "css").mkdir(parents=True)
    (data / "static" / "css" / "aduan.css").write_text("body{}")
    (data / "media" / "reports" / "2026").mkdir(parents=True)
    (data / "media" / "reports" / "2026" / "foto.png").write_bytes(b"\x89PNG photo")
    (tmp_path / "logs").mkdir()
    cert, key = self_signed(tmp_path)
    conf = (ROOT / "deploy" / "nginx" / "aduan.conf").read_text()
    for old, new in {
        "127.0.0.1:8000": f"127.0.0.1:{backend.server_address[1]}",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/srv/aduan/data/": f"{data}/",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(cert),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(key),
        "/var/log/nginx/": f"{tmp_path}/logs/",
    }.items():
        assert old in conf, old
        conf = conf.replace(old, new)
    conf = "\n".join(line for line in conf.splitlines() if "[::]" not in line)
    (tmp_path / "aduan.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"""user root;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    include {tmp_path}/aduan.conf;
}}
"""
    )
    checked = subprocess.run(  # noqa: S603 - nginx's own configuration test
        [NGINX, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf")])  # noqa: S603
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield http_port, https_port
    server.terminate()
    server.wait(timeout=10)
    backend.shutdown()


def https(port: int, method: str, path: str, headers=None, body=None, length=None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    conn.putrequest(method, path, skip_host=True)
    conn.putheader("Host", HOST)
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    if length is not None:
        conn.putheader("Content-Length", str(length))
    conn.endheaders()
    if body:
        conn.send(body)
    response = conn.getresponse()
    content = response.read()
    conn.close()
    return response, content


def test_nginx_serves_aduan_as_the_deploy_file_says(nginx):
    http_port, port = nginx

    # Plain HTTP is redirected to HTTPS.
    plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    plain.request("GET", "/laporan/", headers={"Host": HOST})
    redirect = plain.getresponse()
    assert (redirect.status, redirect.getheader("Location")) == (301, f"https://{HOST}/laporan/")

    # The client's own X-Forwarded-For is replaced by the address nginx saw.
    response, content = https(port, "GET", "/", {"X-Forwarded-For": "6.6.6.6"})
    seen = json.loads(content)
    assert (seen["forwarded_for"], seen["proto"], seen["host"]) == ("127.0.0.1", "https", HOST)

    # A report's five 10 MB files get through; a body beyond that is refused by nginx.
    ten_mb = 10 * 1024 * 1024
    response, content = https(port, "POST", "/lapor/", body=b"x" * (5 * ten_mb), length=5 * ten_mb)
    assert response.status == 200
    assert json.loads(content)["received"] == 5 * ten_mb
    response, _ = https(port, "POST", "/lapor/", length=6 * ten_mb)
    assert response.status == 413

    # Attachments: sent from the media folder once Django answered X-Accel-Redirect...
    response, content = https(port, "GET", "/lampiran/0000/")
    assert (response.status, content) == (200, b"\x89PNG photo")
    assert response.getheader("Content-Type") == "image/png"
    # ...and never straight from disk.
    assert https(port, "GET", "/_lampiran/reports/2026/foto.png")[0].status == 404
    assert https(port, "GET", "/media/reports/2026/foto.png")[0].status == 404

    # Static files come from the collected folder.
    response, content = https(port, "GET", "/static/css/aduan.css")
    assert (response.status, content) == (200, b"body{}")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_systemd_units_are_valid(tmp_path):
    for unit in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
        # The checkout's own virtualenv stands in for /srv/aduan.
        text = unit.read_text().replace("/srv/aduan/.venv", str(ROOT / ".venv"))
        copy = tmp_path / unit.name
        copy.write_text(text)
        result = subprocess.run(  # noqa: S603 - systemd's own checker
            [shutil.which("systemd-analyze"), "verify", str(copy)],
            capture_output=True,
            text=True,
        )
        problems = [
            line
            for line in result.stderr.splitlines()
            if unit.name in line and "not executable" not in line
        ]
        assert not problems, problems
