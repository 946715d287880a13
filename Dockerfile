# jobspiders: one full crawl-and-publish cycle per container run, for a scheduler (cron, Kubernetes
# CronJob, docker compose). Runtime requirements only; no tests, demo data or outputs (.dockerignore).
#   docker build -t jobspiders .
#   docker run --rm -v jobs-data:/data jobspiders                    # scrapy crawlall, then exit
#   docker run --rm -e JOBS_DB=postgresql://… jobspiders crawl greenhouse   # any scrapy command
# Exit codes: 0 published, 1 crawl failed, 2 publish refused (last good list kept), 3 bad configuration.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first: this layer is reused until requirements.txt changes.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY scrapy.cfg ./
COPY jobspiders/ jobspiders/
COPY templates/ templates/
COPY docker/entrypoint.sh docker/entrypoint.sh

# A non-root user owning only /data, where the store (SQLite) and the published outputs live.
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin jobs \
    && mkdir -p /data/output \
    && chown -R 10001:10001 /data \
    && chmod 0755 /app/docker/entrypoint.sh

USER 10001:10001

# Settings come from the environment (docs/deploy.md): JOBS_DB, OUTPUT_DIR, JOBS_COMPANIES (a registry
# file), REDIS_URL (scale-out workers). JOBS_NOW and ATS_MIRROR stay unset in production.
ENV JOBS_DB=/data/jobs.db \
    OUTPUT_DIR=/data/output
VOLUME ["/data"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD []
