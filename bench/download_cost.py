"""What the downloads cost: their text, piece by piece, and each compressor on their members.

    python bench/download_cost.py --content DIR [--config FILE]

Loads the archive, then times (process CPU, best of `--repeat`) what a cold build does for
the downloads: one `record` per question, the archive's JSON Lines, the departments' CSV
and JSON text, and every download made whole as the build makes it. Then every gzip
member's text is compressed alone by zlib (`gzip -9`, main's setting until round 8, and
lower levels) and by libdeflate at several levels (the build uses `downloads.COMPRESS_LEVEL`),
with the total compressed size: the trade between CPU and bytes that BENCHMARKS.md
("Round 8 (dl8)") records. Each compressed member is checked to decompress to its text.
Prints Markdown tables. Nothing here is part of `make test`.
"""

from __future__ import annotations

import gzip
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import deflate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive_options import archive_options  # noqa: E402

from generator import downloads  # noqa: E402
from generator.config import SiteConfig  # noqa: E402
from generator.load import load_archive  # noqa: E402
from generator.model import Archive  # noqa: E402


def best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def member_texts(archive: Archive, config: SiteConfig) -> list[bytes]:
    """The text of every gzip member the build compresses, as UTF-8."""
    texts = [
        "".join(downloads.archive_jsonl(chunk, config)).encode()
        for chunk in downloads.archive_chunks(archive)
    ]
    for department in archive.departments:
        questions = department.questions
        for start in range(0, len(questions), downloads.DOWNLOAD_MEMBER):
            chunk = questions[start : start + downloads.DOWNLOAD_MEMBER]
            count = len(questions)
            records = downloads._json_records(department, count, start, chunk, config)
            texts.append(downloads._csv_rows(start, chunk, config).encode())
            texts.append("".join(records).encode())
    return texts


def text_costs(archive: Archive, config: SiteConfig, repeat: int) -> None:
    def departments(kind: str) -> None:
        """A department's text member by member, as the build makes it."""
        for department in archive.departments:
            questions, count = department.questions, len(department.questions)
            for start in range(0, count, downloads.DOWNLOAD_MEMBER):
                chunk = questions[start : start + downloads.DOWNLOAD_MEMBER]
                if kind == "csv":
                    downloads._csv_rows(start, chunk, config)
                else:
                    "".join(downloads._json_records(department, count, start, chunk, config))

    def every_download() -> None:
        for _path, _inputs, make in downloads.download_parts(archive, config):
            make()

    steps: list[tuple[str, Callable[[], object]]] = [
        (
            "one `record` a question",
            lambda: [downloads.record(q, config) for q in archive.questions],
        ),
        (
            "archive JSON Lines text",
            lambda: [
                "".join(downloads.archive_jsonl(chunk, config))
                for chunk in downloads.archive_chunks(archive)
            ],
        ),
        ("department CSV text", lambda: departments("csv")),
        ("department JSON text", lambda: departments("json")),
        ("every download, compressed", every_download),
    ]
    print("| step | CPU |\n| --- | ---: |")
    for label, work in steps:
        print(f"| {label} | {best(repeat, work):.2f} s |", flush=True)


def zlib_gzip(level: int) -> Callable[[bytes], bytes]:
    def compress(data: bytes) -> bytes:
        return gzip.compress(data, compresslevel=level, mtime=0)

    return compress


def libdeflate_gzip(level: int) -> Callable[[bytes], bytes]:
    def compress(data: bytes) -> bytes:
        return bytes(deflate.gzip_compress(data, level))

    return compress


def compressor_costs(texts: list[bytes], repeat: int) -> None:
    raw = sum(map(len, texts))
    print(f"\n{len(texts)} members, {raw:,} bytes of text\n")
    print("| compressor, level | CPU | bytes | of the text |\n| --- | ---: | ---: | ---: |")
    choices = [(f"zlib {level}", zlib_gzip(level)) for level in (9, 6)]
    choices += [(f"libdeflate {level}", libdeflate_gzip(level)) for level in (9, 8, 7, 6, 5)]
    for label, compress in choices:
        seconds = best(repeat, lambda compress=compress: [compress(t) for t in texts])
        members = [compress(t) for t in texts]
        assert all(zlib.decompress(m, 31) == t for m, t in zip(members, texts, strict=True))
        size = sum(map(len, members))
        print(f"| {label} | {seconds:.2f} s | {size:,} | {size / raw:.2%} |", flush=True)


def main() -> None:
    args, config = archive_options(__doc__.split("\n\n")[0], repeat=2)
    archive = load_archive(args.content)
    print(
        f"{len(archive.questions):,} questions, libdeflate level in the build: "
        f"{downloads.COMPRESS_LEVEL}\n"
    )
    text_costs(archive, config, args.repeat)
    compressor_costs(member_texts(archive, config), args.repeat)


if __name__ == "__main__":
    main()
