# The production image: gunicorn, the task worker and the scheduler all run from it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext chromium \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Every package at the version and hash of the lock file, so a rebuild gets the same
# bytes (regenerate with `make lock` after changing pyproject.toml).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY . .
RUN pip install --no-deps -e . \
    && DJANGO_SETTINGS_MODULE= python -m django compilemessages --ignore=.venv -v0 \
    && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput -v0
RUN useradd --create-home app && mkdir -p var/media var/imports && chown -R app var
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=6s --retries=3 CMD ["python", "deploy/healthcheck.py"]
CMD ["gunicorn", "ligestilling.wsgi", "-c", "deploy/gunicorn.conf.py"]
