"""answer-archive: a static-site generator for UK Parliament written questions."""

__version__ = "0.1.0"
