"""gunicorn settings for production (the container and `make prodcheck` both use them).

    gunicorn ligestilling.wsgi -c deploy/gunicorn.conf.py

Environment: GUNICORN_BIND (default 0.0.0.0:8000), GUNICORN_WORKERS (2 per core is
plenty: the work is in PostgreSQL), GUNICORN_THREADS, GUNICORN_TIMEOUT, and
FORWARDED_ALLOW_IPS (the proxy's address, so gunicorn believes its X-Forwarded-Proto).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A worker that stops answering for this long is replaced. Requests are bounded further
# by the database's statement limit, the upload parsing budget and the proxy's timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Replace workers now and then, so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# Request line and headers: generous for real browsers, bounded for everything else.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# Time and level first, like the application's own log lines; no query strings (they
# can hold search terms) and no user agent.
access_log_format = '%(t)s INFO gunicorn.access [%(p)s] %(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
