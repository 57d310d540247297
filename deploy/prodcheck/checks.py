"""`make prodcheck`: what a client and an attacker see through nginx, and what the
runtime database role may do. Run by run.sh with BASE, HTTP_BASE and the database
names in the environment; exits non-zero with the first failure."""

from __future__ import annotations

import http.client
import os
import re
import ssl
import subprocess
import sys
import urllib.parse

BASE = os.environ["BASE"]
HTTP_BASE = os.environ["HTTP_BASE"]
failures: list[str] = []


def check(condition: bool, what: str) -> None:
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def request(url: str, method: str = "GET", headers: dict | None = None, body: str | None = None):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        # The certificate was made at check time; trust exactly it, not "anything".
        context = ssl.create_default_context(cafile=os.path.join(os.environ["WORK"], "tls", "cert.pem"))
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=context, timeout=20)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def psql(role: str, sql: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-qAt", "-h", os.environ["PGHOST"], "-p", os.environ["PGPORT"],
         "-U", role, "-d", os.environ["DB"], "-c", sql],
        capture_output=True, text=True,
    )


# --- Transport -------------------------------------------------------------------------
response, _ = request(f"{HTTP_BASE}/konto/log-ind/")
check(response.status == 301 and response.getheader("Location", "").startswith(BASE),
      f"plain HTTP is redirected to HTTPS ({response.status} {response.getheader('Location')})")

response, body = request(f"{BASE}/konto/log-ind/")
page = body.decode()
check(response.status == 200 and "Log ind" in page, "the login page answers over HTTPS")
hsts = response.getheader("Strict-Transport-Security", "")
check("max-age=31536000" in hsts and "includeSubDomains" in hsts, f"HSTS is sent ({hsts})")
csp = response.getheader("Content-Security-Policy", "")
directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())
scripts = directives.get("script-src", "")
check(scripts.startswith("'self'") and "unsafe" not in scripts and "*" not in scripts,
      f"CSP allows scripts only from the site or with a nonce (script-src {scripts})")
check(response.getheader("X-Frame-Options") == "DENY", "pages cannot be framed")
check(response.getheader("X-Content-Type-Options") == "nosniff", "nosniff is sent")
cookies = response.msg.get_all("Set-Cookie") or []
csrf = next((c for c in cookies if c.startswith("csrftoken=")), "")
check("Secure" in csrf and "HttpOnly" in csrf and "SameSite=Lax" in csrf, "the CSRF cookie is Secure and HttpOnly")
check(response.getheader("Server", "") == "nginx", "nginx does not announce its version")

response, _ = request(f"{BASE}/konto/log-ind/", headers={"Host": "evil.example"})
check(response.status == 400, f"an unknown Host header is refused ({response.status})")

response, body = request(f"{BASE}/sundhed/")
check(response.status == 200 and b'"ok"' in body, "the health check answers through nginx")

# --- Static files from collectstatic's production storage ----------------------------
stylesheets = re.findall(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
check(bool(stylesheets), f"pages link hashed static files ({stylesheets[:1]})")
if stylesheets:
    response, body = request(f"{BASE}{stylesheets[0]}", headers={"Accept-Encoding": "gzip"})
    check(response.status == 200 and response.getheader("Content-Encoding") == "gzip",
          "static files are served compressed")
    check("immutable" in response.getheader("Cache-Control", ""), "hashed static files are cached for good")

# --- The audit log, as the runtime role ------------------------------------------------
app, owner = os.environ["APP"], os.environ["OWNER"]
for statement in ["TRUNCATE accounts_auditevent", "DELETE FROM accounts_auditevent",
                  "UPDATE accounts_auditevent SET actor = 'x'", "ALTER TABLE accounts_auditevent DISABLE TRIGGER ALL",
                  "SET ligestilling.audit_maintenance = 'on'; DELETE FROM accounts_auditevent"]:
    result = psql(app, statement)
    check(result.returncode != 0, f"runtime role refused: {statement}")
check(psql(app, "SELECT count(*) FROM accounts_auditevent").returncode == 0, "runtime role reads the audit log")
result = psql(app, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
check(result.stdout.strip() == "0", "runtime role owns no table")
check(psql(owner, "SELECT 1").returncode == 0, "the owner role exists for migrations and maintenance")

if failures:
    print(f"{len(failures)} check(s) failed", file=sys.stderr)
    sys.exit(1)
