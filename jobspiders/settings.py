"""Scrapy settings of jobspiders. Project settings are documented in DESIGN.md and README.md."""

from jobspiders import gc_tuning, items  # lower case: Scrapy reads only the upper-case names here as settings

# --- Identity and modules ------------------------------------------------------------------------
BOT_NAME = "jobspiders"
SPIDER_MODULES = ["jobspiders.spiders"]
NEWSPIDER_MODULE = "jobspiders.spiders"
COMMANDS_MODULE = "jobspiders.commands"
# Browser-like agent: several ATS sit behind CDNs that treat bare agents differently (ATS_APIS.md).
USER_AGENT = "Mozilla/5.0 (compatible; jobspiders/0.1; +https://github.com/jobspiders/jobspiders)"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "jobspiders.logformatter.JobsLogFormatter"
STATS_CLASS = "jobspiders.stats.JobsStatsCollector"  # Scrapy's, without its per-attribute shim (stats.py)
# Scrapy's pipeline manager, without a coroutine per pipeline per item (pipelines/manager.py).
ITEM_PROCESSOR = "jobspiders.pipelines.manager.JobsPipelineManager"

# --- Politeness ----------------------------------------------------------------------------------
# The boards of one ATS share its API host, so limits are per host, not per board.
ROBOTSTXT_OBEY = False  # documented public JSON APIs, not pages
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Boards started and not finished at once (0: 4 x CONCURRENT_REQUESTS): the scheduler never holds every
# board's requests, and its per-request choice of host does not scan every board's host.
JOBS_BOARDS_IN_FLIGHT = 0
# Items (and requests) of one response processed at once. With the asyncio reactor Scrapy starts this
# many tasks for every response, even one with a single posting (a detail page): at Scrapy's 100 that
# cost ~440 µs a response, a fifth of a crawl's CPU; 16 costs ~80 µs, and the full crawl (whose normalize
# worker batches what is in flight) is faster too. A response then lives longer, until its items are
# through, which is why the spiders parse a body's bytes and keep no decoded copy of it (the peak RSS of
# a 5,000-board crawl was 851 MB with one; benchmarks/PERFORMANCE.md, ninth and tenth rounds).
CONCURRENT_ITEMS = 16
# The garbage collector's young-generation threshold while a crawl or publish runs (0: Python's 700):
# at 700 the collector took half a big crawl's CPU (jobspiders/gc_tuning.py).
JOBS_GC_THRESHOLD = gc_tuning.YOUNG_THRESHOLD  # 50,000
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
# The largest boards (Greenhouse with content, ~4 MB for hundreds of jobs) stay far below this.
DOWNLOAD_MAXSIZE = 25 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_TIMES = 2  # 5xx, 408, 429 and network errors, waiting in between (BackoffRetryMiddleware)
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry, doubling for each further one
RETRY_BACKOFF_MAX = 60.0  # longest wait; a longer Retry-After gives up instead
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- Components ----------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Early, so the rewritten request passes every other middleware; see AtsMirrorMiddleware.
    "jobspiders.middlewares.AtsMirrorMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "jobspiders.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {
    "jobspiders.pipelines.validate.ValidatePipeline": 100,
    # Before normalize: marks postings unchanged since the last crawl (their fields come from the store).
    "jobspiders.pipelines.incremental.IncrementalPipeline": 150,
    # Before normalize: a posting no list profile wants (by its title) is not normalized for nothing.
    "jobspiders.pipelines.profiles.ProfilePipeline": 180,
    "jobspiders.pipelines.normalize.NormalizePipeline": 200,
    "jobspiders.pipelines.skills.SkillsPipeline": 400,
    "jobspiders.pipelines.dedup.DedupPipeline": 500,
    "jobspiders.pipelines.store.StorePipeline": 600,
    "jobspiders.pipelines.expiry.ExpiryPipeline": 700,
    "jobspiders.pipelines.publish.PublishPipeline": 800,
    # Last: validates what we export against the published-job schema (counts under spidermon/validation).
    "jobspiders.monitors.JobValidationPipeline": 900,
}
EXTENSIONS = {
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
    "jobspiders.redis_queue.RedisBoardQueue": 550,  # scale-out: boards from Redis when REDIS_URL is set
    "jobspiders.extensions.CrawlHealth": 600,
    "jobspiders.extensions.GcThreshold": 650,
}

# --- Monitoring (spidermon): item schema and close-spider monitors, see jobspiders/monitors.py -----
SPIDERMON_ENABLED = True
SPIDERMON_VALIDATION_SCHEMAS = ["jobspiders.monitors.JOB_SCHEMA"]
SPIDERMON_SPIDER_CLOSE_MONITORS = ["jobspiders.monitors.CrawlMonitorSuite"]
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
SPIDERMON_MAX_ERRORS = 50  # board faults are logged as errors; their share is its own monitor

# --- Feeds: each crawl's own items (the published list comes from the store) ----------------------
FEED_EXPORTERS = {"jsonlines": "jobspiders.exporters.JsonLinesExporter"}  # Scrapy's lines, via orjson
# Local feed files through a 1 MB write buffer (Scrapy's storage otherwise)
FEED_STORAGES = {
    "": "jobspiders.exporters.BufferedFileFeedStorage",
    "file": "jobspiders.exporters.BufferedFileFeedStorage",
}
FEEDS = {
    "%(output_dir)s/feeds/%(name)s-%(time)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf-8",
        "overwrite": True,
        "fields": list(items.EXPORTED_FIELDS),
    },
}

# --- Project settings ----------------------------------------------------------------------------
ATS_MIRROR = None  # base URL of a stand-in serving https://HOST/PATH as MIRROR/HOST/PATH (tests, demo)
JOBS_NOW = None  # ISO 8601 instant used as "now"; unset: the real clock
JOBS_DB = "output/jobs.db"  # the store: a SQLite path or a postgresql://user:pass@host/db URL
JOBS_MAX_AGE_DAYS = 15  # postings older than this are not published
OUTPUT_DIR = "output"  # where publish writes README.md and jobs.json (and feeds/)
JOBS_DORMANT_AFTER = 3  # missing crawls in a row before a board is dormant (docs/registry.md)
JOBS_DORMANT_EVERY_DAYS = 7  # dormant boards are still crawled this often
REDIS_URL = None  # redis://HOST:PORT/DB: take boards from the lists `scrapy enqueue` fills (scrapy-redis)
JOBS_REDIS_PREFIX = "jobspiders"  # keys <prefix>:<ats>:boards and <prefix>:<ats>:seen:<run>
JOBS_REDIS_RUN_TTL = 7 * 24 * 3600  # seconds a run's board dupefilter set is kept
JOBS_COMPANIES = None  # registry file instead of the bundled one (-a companies=FILE wins)
JOBS_PUBLISH_ON_CLOSE = True  # publish when a spider closes (crawlall publishes once, at the end)
JOBS_PUBLISH_MAX_FAILED_SHARE = 0.5  # refuse to publish when more boards than this failed
JOBS_PUBLISH_MAX_DROP = 0.5  # refuse to publish a list this much shorter than the last one
# One published row per job: "location" = DESIGN.md's key (company, title, location); "role" = one row
# per company and role, listing all its locations (the same opening posted once per city).
JOBS_DEDUP = "location"
JOBS_PUBLISH_WORKERS = 0  # processes writing a big publish; 0: one per CPU (at most 4), 1: in-process
# Web page rows and feed entries kept between publishes, rendered again only for changed jobs.
JOBS_PUBLISH_CACHE_ENABLED = True
JOBS_PUBLISH_CACHE = None  # the cache folder; unset: OUTPUT_DIR/.publish-cache
JOBS_README_MAX_ROWS = 500  # rows in each README table (newest first); the rest: jobs.json, the web page
JOBS_INCREMENTAL = True  # postings unchanged since the last crawl are not normalized again
# Worker processes that normalize postings while the crawl goes on (jobspiders/workers.py); "auto": 1 with
# two CPUs or more, else 0 (in the crawl process). A spider normalizes its first postings itself.
JOBS_NORMALIZE_WORKERS = "auto"
JOBS_NORMALIZE_WORKERS_AFTER = 200
JOBS_STORE_BATCH = 500  # items per store transaction (also committed when a board finishes)
JOBS_PROGRESS_INTERVAL = 60.0  # seconds between progress lines in the log (0: none)
