# Production image: one image for web, worker and beat (docker-compose.yml).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --system --create-home --uid 1000 diana
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
COPY --from=assets /src/node_modules/bootstrap/dist/css/ static/vendor/bootstrap/
COPY --from=assets /src/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
COPY --from=assets /src/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
COPY --from=assets /src/node_modules/chart.js/dist/chart.umd.min.js* static/vendor/chartjs/
# collectstatic needs settings; these throwaway values never reach a running container.
RUN SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    EMAIL_URL=smtp://localhost:25 python manage.py collectstatic --noinput \
    && mkdir -p /app/var/private && chown -R diana /app/var
USER diana
EXPOSE 8000
CMD ["gunicorn", "diana_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4"]
