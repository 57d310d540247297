"""Container health check: is gunicorn answering, and the database with it?

Asks /sundhed/ the way the proxy does, so that production settings answer 200 rather
than 400 (a Host that is not in ALLOWED_HOSTS) or 301 (SSL redirect): with the first
name of ALLOWED_HOSTS as Host and "X-Forwarded-Proto: https". Exit 0 when healthy.

    python deploy/healthcheck.py [URL]   (default http://127.0.0.1:8000/sundhed/)
"""

import os
import sys
import urllib.error
import urllib.request


def host_header() -> str:
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/sundhed/"
    request = urllib.request.Request(url, headers={"Host": host_header(), "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            healthy = response.status == 200
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
