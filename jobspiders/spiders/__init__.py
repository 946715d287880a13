"""One spider per ATS; each module is a thin subclass of `jobspiders.spiders.base.AtsSpider`."""
