# The two commands: `make run` (set up and start the app) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
APPS := accounts datasets logbooks projects workshops reporting

.PHONY: run test setup test-setup system-deps messages compilemessages lint bench clean prodcheck prodcheck-deps lock tls-selfsigned

# Debian's python3 needs the python3-venv package for `-m venv`; install it when root.
$(PY):
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  else echo "Install python3-venv: sudo apt-get install python3-venv"; exit 1; fi; \
	  $(PYTHON) -m venv $(VENV); }
	$(PIP) install -q --upgrade pip

# The runtime packages at the versions and hashes of requirements.lock (as the Docker
# image installs them), then the project itself (and the test tools on top).
$(STAMP): pyproject.toml requirements.lock | $(PY)
	$(PIP) install -q --require-hashes -r requirements.lock
	$(PIP) install -q --no-deps -e .
	touch $@

$(TEST_STAMP): pyproject.toml requirements.lock | $(PY)
	$(PIP) install -q --require-hashes -r requirements.lock
	$(PIP) install -q -e ".[test]"
	touch $(STAMP) $@

# Debian packages: WeasyPrint's libraries, gettext, Chromium (browser tests, PDF charts),
# poppler (PDF checks). Installed when missing and we are root; otherwise explained.
system-deps:
	@missing=""; \
	for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext fonts-dejavu-core chromium poppler-utils wrk; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

compilemessages: | $(PY)
	@DJANGO_SETTINGS_MODULE= $(PY) -m django compilemessages --ignore=.venv --ignore=bench -v0

# Refresh the Danish catalogues after changing user-facing text.
messages: | $(PY)
	@for app in $(APPS); do mkdir -p $$app/locale; (cd $$app && DJANGO_SETTINGS_MODULE= $(CURDIR)/$(PY) -P -m django makemessages -l da --no-obsolete -v0); done
	@mkdir -p locale
	@DJANGO_SETTINGS_MODULE= $(PY) -P -m django makemessages -l da --no-obsolete -v0 $(foreach app,$(APPS),--ignore=$(app)/*) --ignore=.venv/* --ignore=tests/* --ignore=bench/*

run: $(STAMP) system-deps
	mkdir -p var
	DEBUG=true $(PY) manage.py migrate --noinput -v0
	$(MAKE) -s compilemessages
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

test: $(TEST_STAMP) system-deps
	$(MAKE) -s compilemessages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

bench: $(TEST_STAMP)
	$(PY) -m bench --scale $(or $(SCALE),small)

# Production as it is run, without Docker: gunicorn, the worker, Redis and Debian's nginx
# with TLS on loopback ports against PostgreSQL with a least-privilege runtime role,
# checked by a browser journey (deploy/prodcheck/run.sh). Needs PostgreSQL and Redis.
prodcheck: $(TEST_STAMP) system-deps prodcheck-deps
	deploy/prodcheck/run.sh

# Debian's nginx, installed without starting its own service (policy-rc.d says no).
prodcheck-deps:
	@if ! command -v nginx >/dev/null; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian packages: nginx"; \
	    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	    rc=$$?; rm -f /usr/sbin/policy-rc.d; exit $$rc; \
	  else echo "Install nginx: sudo apt-get install nginx"; exit 1; fi; \
	fi

# Regenerate requirements.lock after changing the dependencies in pyproject.toml.
lock:
	$(PYTHON) -m venv var/piptools && var/piptools/bin/pip install -q pip-tools==7.6.2
	var/piptools/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# A self-signed certificate in deploy/tls/ for trying the container route locally.
tls-selfsigned:
	mkdir -p deploy/tls
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
	  -addext "subjectAltName=DNS:localhost" -keyout deploy/tls/key.pem -out deploy/tls/cert.pem

clean:
	rm -rf $(VENV) var *.egg-info
