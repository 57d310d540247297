# The two commands: `make run` (set up and start the app) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
APPS := accounts datasets logbooks projects workshops reporting

.PHONY: run test setup test-setup system-deps messages compilemessages lint bench clean

# Debian's python3 needs the python3-venv package for `-m venv`; install it when root.
$(PY):
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  else echo "Install python3-venv: sudo apt-get install python3-venv"; exit 1; fi; \
	  $(PYTHON) -m venv $(VENV); }
	$(PIP) install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
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

clean:
	rm -rf $(VENV) var *.egg-info
