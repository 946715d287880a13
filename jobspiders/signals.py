"""Project signals.

``board_finished(run, spider)``: a board of the registry is done in this crawl; ``run`` is the spider's
`BoardRun` (outcome ok/empty/missing/failed, the job ids it listed). The store uses it to close jobs
that a correctly answering board no longer lists, and to keep each board's crawl history.
"""

board_finished = object()
