"""Project commands (COMMANDS_MODULE): crawlall, publish, detect, normalize.

Exit codes of crawlall and publish (DESIGN.md): 0 published, 1 crawl failed, 2 publish refused (the last
good output kept), 3 bad configuration.
"""

EXIT_OK = 0
EXIT_CRAWL_FAILED = 1
EXIT_PUBLISH_REFUSED = 2
EXIT_BAD_CONFIG = 3
