"""Shared pytest fixtures; each block is owned by one feature, keep them separate."""

# --- Browsing pages and quality checks (issue 7): Chromium launch args, built site, server ---
from tests.browser_support import (  # noqa: F401
    browse_site,
    browse_site_url,
    browser_type_launch_args,
)
