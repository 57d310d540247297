#!/bin/bash
# Runs once, when the db container starts on an empty volume (docker-entrypoint-initdb.d).
# Two roles: the owner of the database and its tables (migrations and the maintenance
# commands run as it) and the runtime role the application connects as, which owns
# nothing (`manage.py grant_runtime_role` gives it its privileges after each migrate).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$DB_OWNER_PASSWORD" -v app_pw="$DB_APP_PASSWORD" <<'SQL'
CREATE ROLE ligestilling_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE ligestilling_app LOGIN PASSWORD :'app_pw';
CREATE DATABASE ligestilling OWNER ligestilling_owner;
REVOKE ALL ON DATABASE ligestilling FROM PUBLIC;
\connect ligestilling
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
