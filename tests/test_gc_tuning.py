"""The garbage collector's threshold during crawls and publishes (jobspiders/gc_tuning.py)."""

from __future__ import annotations

import gc

import pytest
from scrapy.utils.test import get_crawler

from jobspiders import gc_tuning
from jobspiders import publish as publishing
from jobspiders.extensions import GcThreshold
from tests.test_outputs_files import settings_for
from tests.test_publish import fill, record


@pytest.fixture(autouse=True)
def default_threshold():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


@pytest.mark.parametrize(
    ("young", "during"),
    [
        (50_000, (50_000, 10, 10)),  # only the young generation's threshold moves
        (0, (700, 10, 10)),  # 0: Python's own
        (100, (700, 10, 10)),  # never lowered
    ],
)
def test_raised_threshold_sets_and_restores(young, during):
    with gc_tuning.raised_threshold(young):
        assert gc.get_threshold() == during
    assert gc.get_threshold() == (700, 10, 10)


def test_raises_nest_and_the_last_restore_puts_back_the_first_threshold():
    """crawlall: several crawlers raise it in one process and may stop in any order."""
    gc_tuning.raise_threshold(50_000)
    gc_tuning.raise_threshold(50_000)
    gc_tuning.restore_threshold()
    assert gc.get_threshold()[0] == 50_000  # one crawl still runs
    gc_tuning.restore_threshold()
    assert gc.get_threshold() == (700, 10, 10)
    gc_tuning.restore_threshold()  # one too many: nothing to undo
    assert gc.get_threshold() == (700, 10, 10)


def test_extension_raises_while_the_engine_runs_and_counts_collections():
    crawler = get_crawler(settings_dict={"JOBS_GC_THRESHOLD": 20_000})
    extension = GcThreshold.from_crawler(crawler)
    extension.engine_started()
    assert gc.get_threshold()[0] == 20_000
    gc.collect()  # a full collection: every generation's count moves
    extension.spider_closed(None)
    extension.engine_stopped()
    assert gc.get_threshold() == (700, 10, 10)
    assert crawler.stats.get_value("gc/collections/full") >= 1
    extension.engine_stopped()  # a second stop restores nothing more
    assert gc.get_threshold() == (700, 10, 10)


def test_publish_runs_with_the_raised_threshold(tmp_path, monkeypatch):
    config = fill(tmp_path, [record("1"), record("2")])
    seen = []
    real = publishing.render_parts

    def spy(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(publishing, "render_parts", spy)
    publishing.publish(config)
    assert seen == [50_000]
    assert gc.get_threshold() == (700, 10, 10)
    publishing.publish(settings_for(tmp_path, JOBS_GC_THRESHOLD="0"), force=True)
    assert seen == [50_000, 700]
