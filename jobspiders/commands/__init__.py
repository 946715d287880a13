"""Project commands (COMMANDS_MODULE): crawlall, publish, detect, normalize, registry, discover, enqueue.

Exit codes of crawlall and publish (DESIGN.md): 0 published, 1 crawl failed, 2 publish refused (the last
good output kept), 3 bad configuration. Shared pieces live in jobspiders.cli.
"""

from jobspiders.cli import EXIT_BAD_CONFIG, EXIT_CRAWL_FAILED, EXIT_OK, EXIT_PUBLISH_REFUSED

__all__ = ["EXIT_BAD_CONFIG", "EXIT_CRAWL_FAILED", "EXIT_OK", "EXIT_PUBLISH_REFUSED"]
