"""How big `_site/` gets per question, and how many questions fit in GitHub Pages' 1 GB.

Builds a site with the real `answers build` and measures every byte of the output (HTML,
search index, sitemaps, static files), grouped by kind. Content comes from one of:

    python bench/site_size.py --content content/        # any archive (e.g. an imported one)
    python bench/site_size.py --synthetic 5000          # generated, with realistic lengths
    python bench/site_size.py --realdata ../shared/realdata   # the API dumps, converted here
    python bench/site_size.py --realdata ../shared/realdata --answered-only

`--realdata` converts the API records with a minimal mapping (heading, department, dates,
question and answer HTML, UIN, house, status) written through the project's own content-file
serialisation; once the importer is on main, prefer importing with it and using --content.
Results are printed as a Markdown table for BENCHMARKS.md ("Site size").
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import BuildOptions, build  # noqa: E402
from generator.content_files import question_path, question_to_text  # noqa: E402
from generator.model import Question  # noqa: E402

GIGABYTE = 10**9
YEAR = 60_000  # written questions in a parliamentary year
WORDS = [
    "the",
    "department",
    "funding",
    "local",
    "authorities",
    "schools",
    "children",
    "support",
    "services",
    "government",
    "review",
    "programme",
    "national",
    "health",
    "social",
    "care",
    "housing",
    "transport",
    "policy",
    "guidance",
    "data",
    "published",
    "million",
    "billion",
    "year",
    "annual",
    "assessment",
    "plans",
    "consultation",
    "statutory",
    "duties",
    "regional",
    "councils",
    "providers",
    "training",
    "staff",
    "improve",
    "performance",
    "delivery",
    "partners",
    "investment",
    "infrastructure",
]
DEPARTMENTS = [f"Department for Subject {n}" for n in range(1, 31)]


def _words(rng: random.Random, characters: int) -> str:
    out: list[str] = []
    length = 0
    while length < characters:
        word = rng.choice(WORDS)
        out.append(word)
        length += len(word) + 1
    return " ".join(out).capitalize() + "."


def synthetic(count: int, content: Path, seed: int = 1) -> None:
    """Questions whose lengths follow the real data: questions ~300 characters, a third
    unanswered, answers log-normal around 650 characters (the real median) up to ~11,000."""
    rng = random.Random(seed)
    start = date(2024, 7, 1)
    for n in range(count):
        asked = start + timedelta(days=n * 730 // max(count, 1))
        answered = rng.random() < 0.67
        length = min(int(rng.lognormvariate(6.48, 0.8)), 11_000)
        paragraphs = [_words(rng, 300) for _ in range(max(1, length // 300))]
        question = Question(
            id=f"{asked.isoformat()}-q{n:06d}",
            title=_words(rng, 30).rstrip("."),
            department=rng.choice(DEPARTMENTS),
            asked_on=asked,
            question="To ask the Secretary of State, " + _words(rng, 280),
            answer="\n\n".join(paragraphs) if answered else "",
            house="Commons",
            uin=str(100_000 + n),
            asked_by=f"Member {rng.randrange(650)}",
            answered_by=f"Minister {rng.randrange(120)}" if answered else None,
            answered_on=asked + timedelta(days=rng.randrange(3, 30)) if answered else None,
            status="answered" if answered else "unanswered",
        )
        _write(content, question)


def _api_date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def realdata(folder: Path, content: Path, answered_only: bool = False) -> int:
    """The API dumps as content files (a minimal mapping, enough to measure size)."""
    count = 0
    for dump in sorted(folder.glob("*.json.gz")):
        for record in json.loads(gzip.decompress(dump.read_bytes()))["results"]:
            value = record["value"]
            answer = value.get("answerText") or ""
            if answered_only and not answer:
                continue
            asked = _api_date(value["dateTabled"])
            assert asked is not None
            answered = _api_date(value.get("dateAnswered")) if answer else None
            status = "withdrawn" if value.get("isWithdrawn") else None
            if value.get("answerIsHolding") and answer:
                status = "holding"
            question = Question(
                id=f"{asked.isoformat()}-{value['house'].lower()}-{value['uin'].lower()}",
                title=value.get("heading") or f"Question {value['uin']}",
                department=value["answeringBodyName"],
                asked_on=asked,
                question=value["questionText"],
                answer=answer,
                house=value["house"],
                uin=value["uin"],
                api_id=int(value["id"]),
                answered_on=max(answered, asked) if answered else None,
                status=status or ("answered" if answer else "unanswered"),
                grouped_with=tuple(str(g) for g in value.get("groupedQuestions") or ()),
            )
            _write(content, question)
            count += 1
    return count


def _write(content: Path, question: Question) -> None:
    path = content / question_path(question)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(question_to_text(question), encoding="utf-8")


def kind(relative: Path) -> str:
    top = relative.parts[0] if len(relative.parts) > 1 else ""
    if top == "search" and relative.suffix != ".html":
        return "search index"
    if top == "questions" and relative.suffix == ".html":
        return "HTML: question pages"
    if relative.suffix == ".html":
        return "HTML: lists and other pages"
    if top in ("static", "feeds", "downloads"):
        return {"static": "static files", "feeds": "feeds", "downloads": "downloads"}[top]
    if top == "sitemaps" or relative.suffix == ".xml" or relative.name == "robots.txt":
        return "sitemaps, robots.txt"
    return "other"


def measure(site: Path) -> Counter[str]:
    sizes: Counter[str] = Counter()
    for path in site.rglob("*"):
        if path.is_file():
            sizes[kind(path.relative_to(site))] += path.stat().st_size
            sizes["files"] += 1
    return sizes


def report(label: str, questions: int, sizes: Counter[str], seconds: float) -> str:
    total = sum(v for k, v in sizes.items() if k != "files")
    per_question = total / questions
    lines = [
        f"### {label}",
        "",
        f"{questions:,} questions, {sizes['files']:,} files, built in {seconds:.1f} s.",
        "",
        "| part of `_site/` | bytes | per question |",
        "| --- | ---: | ---: |",
    ]
    for name in sorted(k for k in sizes if k != "files" and sizes[k]):
        lines.append(f"| {name} | {sizes[name]:,} | {sizes[name] / questions:,.0f} |")
    lines += [
        f"| **total** | **{total:,}** | **{per_question:,.0f}** |",
        "",
        f"- Questions that fit in 1 GB: about {int(GIGABYTE / per_question):,}",
        f"- A parliamentary year ({YEAR:,} questions): about {YEAR * per_question / 1e6:,.0f} MB",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--content", type=Path, help="an existing content folder")
    source.add_argument("--synthetic", type=int, metavar="N", help="generate N questions")
    source.add_argument("--realdata", type=Path, metavar="DIR", help="API dumps (*.json.gz)")
    parser.add_argument(
        "--answered-only",
        action="store_true",
        help="with --realdata: only answered questions (what a year looks like once answered)",
    )
    parser.add_argument("--config", type=Path, default=None, help="site.yaml to build with")
    parser.add_argument("--base-url", default="https://user.github.io/repo/")
    parser.add_argument("--out", type=Path, default=None, help="keep the built site here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="site-size-") as scratch:
        content = args.content or Path(scratch) / "content"
        if args.synthetic:
            synthetic(args.synthetic, content)
            label = f"Synthetic archive ({args.synthetic:,} questions)"
        elif args.realdata:
            realdata(args.realdata, content, args.answered_only)
            which = "answered questions" if args.answered_only else "questions"
            label = f"Real {which} from {args.realdata.name}/"
        else:
            label = f"Archive in {args.content}/"
        config = args.config or Path(scratch) / "absent.yaml"
        site = args.out or Path(scratch) / "_site"
        started = time.monotonic()
        result = build(
            BuildOptions(
                content=content,
                out=site,
                config=config,
                config_required=args.config is not None,
                base_url=args.base_url,
                quiet=True,
            )
        )
        seconds = time.monotonic() - started
        print(report(label, result.questions, measure(site), seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
