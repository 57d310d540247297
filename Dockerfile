FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext chromium \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install --no-cache-dir -e . \
    && DJANGO_SETTINGS_MODULE= python -m django compilemessages --ignore=.venv -v0 \
    && SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --noinput -v0
RUN useradd --create-home app && mkdir -p var/media var/imports && chown -R app var
USER app
EXPOSE 8000
