"""The command line the focused benchmarks share: an archive's content folder, its site.yaml
(or the benchmarks' default config) and how many times to repeat each measure."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.config import SiteConfig, load_config


def archive_options(description: str, repeat: int) -> tuple[argparse.Namespace, SiteConfig]:
    """The parsed arguments and the site's config (importers: put the repository on sys.path
    first, as the benchmarks do)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=repeat)
    args = parser.parse_args()
    config = (
        load_config(args.config, required=True)
        if args.config
        else SiteConfig(base_url="https://bench.example/archive/")
    )
    return args, config
