"""Item pipelines, one concern each, in DESIGN.md's order (see ITEM_PIPELINES in settings.py):

validate 100 → normalize 200 → profiles 300 → skills 400 → dedup 500 → store 600 → expiry 700 → publish 800.

Each is a thin adapter over a pure function of `jobspiders.normalize` (or the store / publisher), counts
every outcome under ``jobspiders/<concern>/<outcome>`` and drops with ``DropItem("<reason> <id>")``.
"""
