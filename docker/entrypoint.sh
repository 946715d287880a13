#!/usr/bin/env bash
# Container entrypoint: one crawl-and-publish cycle (`scrapy crawlall`), or the scrapy command given.
#
#   entrypoint.sh [crawlall options]        scrapy crawlall …, then publish (the default: no arguments)
#   entrypoint.sh COMMAND [options]         scrapy COMMAND … (crawl greenhouse, publish, enqueue, list, …)
#
# Settings come from environment variables, passed as -s NAME=VALUE only when set and not empty:
#   JOBS_DB          store: SQLite path or postgresql://user:pass@host/db          (image: /data/jobs.db)
#   OUTPUT_DIR       where README.md, jobs.json, health.json, crawl-summary.json go (image: /data/output)
#   JOBS_COMPANIES   a registry file (or folder) instead of the bundled registry
#   REDIS_URL        scale-out worker: take boards from Redis (fill it with the `enqueue` command)
#   JOBS_MAX_AGE_DAYS, JOBS_PUBLISH_MAX_FAILED_SHARE, JOBS_PUBLISH_MAX_DROP, JOBS_REDIS_PREFIX, LOG_LEVEL
#   JOBS_NORMALIZE_WORKERS   processes normalizing postings beside the crawl (auto: 1 with 2 usable CPUs)
#   JOBS_NOW, ATS_MIRROR   tests and demos only: leave unset in production
#   JOBS_DRY_RUN=1   print the scrapy command instead of running it
#
# Exit codes (those of crawlall and publish; a scheduler can act on them):
#   0 published
#   1 crawl failed (a spider did not finish: stopped, killed, crashed); retrying may help
#   2 publish refused: too many boards failed or the list collapsed; the last good list is kept
#   3 bad configuration (a setting, the registry file, the store or Redis cannot be used); fix, do not retry
set -uo pipefail

cd "${JOBS_PROJECT_DIR:-$(dirname "$0")/..}" || exit 3
scrapy="${SCRAPY:-scrapy}"

settings=()
for name in JOBS_DB OUTPUT_DIR JOBS_COMPANIES REDIS_URL JOBS_MAX_AGE_DAYS JOBS_PUBLISH_MAX_FAILED_SHARE \
    JOBS_PUBLISH_MAX_DROP JOBS_REDIS_PREFIX LOG_LEVEL JOBS_NORMALIZE_WORKERS JOBS_NOW ATS_MIRROR; do
    if [ -n "${!name:-}" ]; then
        settings+=(-s "$name=${!name}")
    fi
done

if [ -n "${JOBS_COMPANIES:-}" ] && [ ! -e "$JOBS_COMPANIES" ]; then
    echo "bad configuration: JOBS_COMPANIES=$JOBS_COMPANIES does not exist" >&2
    exit 3
fi
if [ -n "${OUTPUT_DIR:-}" ] && ! mkdir -p "$OUTPUT_DIR" 2>/dev/null; then
    echo "bad configuration: OUTPUT_DIR=$OUTPUT_DIR cannot be created" >&2
    exit 3
fi

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
    command=(crawlall)  # no command, or only crawlall options
else
    command=("$1")
    shift
fi

if [ -n "${JOBS_DRY_RUN:-}" ]; then
    printf '%q ' "$scrapy" "${command[@]}" "${settings[@]}" "$@"
    echo
    exit 0
fi
# exec: scrapy becomes PID 1's replacement, so `docker stop` (SIGTERM) reaches it and it stops gracefully.
exec "$scrapy" "${command[@]}" "${settings[@]}" "$@"
