"""A fake Written Questions API on 127.0.0.1, with faults to inject: nothing leaves the machine.

It serves the two endpoints the fetcher uses, in the API's recorded shapes: the list endpoint
cuts text to 255 characters as the real one does, the single endpoint gives it whole, with
member objects when `expandMember=true`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LIST_PATH = "/api/writtenquestions/questions"


@dataclass
class Fault:
    """What to do instead of answering, for requests whose path+query contains `match`."""

    match: str
    kind: str  # "500", "429", "slow", "truncated", "invalid", "close", "404", "400", "hang"
    times: int = 1
    retry_after: str | None = None
    delay: float = 1.0  # seconds a "slow" answer waits before it is sent


@dataclass
class FakeApi:
    records: list[dict[str, Any]]
    faults: list[Fault] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def fault_for(self, target: str) -> Fault | None:
        for fault in self.faults:
            if fault.match in target and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def singles(self) -> list[int]:
        """The ids fetched from the single endpoint, in order."""
        found = []
        for target in self.requests:
            path = urlsplit(target).path
            if path.startswith(LIST_PATH + "/"):
                found.append(int(path.rsplit("/", 1)[1]))
        return found

    def listing(self, query: dict[str, list[str]]) -> dict[str, Any]:
        chosen = [r for r in self.records if _matches(r, query)]
        skip = int(query.get("skip", ["0"])[0])
        take = int(query.get("take", ["20"])[0])
        page = [
            {"value": _cut(r), "links": [{"rel": "self", "href": f"/Questions/{r['id']}"}]}
            for r in chosen[skip : skip + take]
        ]
        return {"totalResults": len(chosen), "results": page}

    def single(self, api_id: int, expand: bool) -> dict[str, Any] | None:
        for record in self.records:
            if record["id"] == api_id:
                value = dict(record)
                if not expand:
                    value["askingMember"] = value["answeringMember"] = None
                return {"value": value, "links": []}
        return None


def _matches(record: dict[str, Any], query: dict[str, list[str]]) -> bool:
    answered = (record.get("dateAnswered") or "")[:10]
    low = query.get("answeredWhenFrom", [""])[0]
    high = query.get("answeredWhenTo", ["9999"])[0]
    if low and not (answered and low <= answered <= high):
        return False
    house = query.get("house", [""])[0]
    return not house or record["house"] == house


def _cut(record: dict[str, Any]) -> dict[str, Any]:
    value = dict(record)
    for name in ("questionText", "answerText"):
        text = value.get(name)
        if isinstance(text, str) and len(text) > 255:
            value[name] = text[:252] + "..."
    value["askingMember"] = value["answeringMember"] = None
    return value


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            api.requests.append(self.path)
            fault = api.fault_for(self.path)
            if fault and self._fault(fault):
                return
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if parts.path == LIST_PATH:
                self._json(200, api.listing(query))
                return
            if parts.path.startswith(LIST_PATH + "/"):
                tail = parts.path.rsplit("/", 1)[1]
                found = api.single(int(tail), query.get("expandMember") == ["true"])
                if found is not None:
                    self._json(200, found)
                    return
            self._json(404, {"title": "Not Found", "status": 404})

        def _fault(self, fault: Fault) -> bool:
            if fault.kind == "hang":
                api.hanging.set()
                api.release.wait(30)
                return True
            if fault.kind == "slow":
                time.sleep(fault.delay)
                return False
            if fault.kind == "truncated":
                body = b'{"totalResults": 5, "results": [{"value": {"id": 1'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return True
            if fault.kind in ("invalid", "close"):
                body = b"<html>Service busy</html>" if fault.kind == "invalid" else b'{"value": {'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                length = (
                    len(body) if fault.kind == "invalid" else 10_000
                )  # promise more, then close
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True
                return True
            code = int(fault.kind)
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            message = {400: "answeredWhenFrom is not a valid date"}.get(code, "fault")
            self._json(code, {"title": message, "status": code}, headers)
            return True

        def _json(self, code: int, data: Any, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(data).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve(api: FakeApi) -> Iterator[FakeApi]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.release.set()
        server.shutdown()
        server.server_close()


def make_records(count: int = 5) -> list[dict[str, Any]]:
    """Answered Commons questions in the API's shape, with text longer than the list's cut."""
    records = []
    for n in range(1, count + 1):
        records.append(
            {
                "id": 1_700_000 + n,
                "askingMemberId": 4000 + n,
                "askingMember": {"id": 4000 + n, "name": f"Asker Number{n}", "party": "Labour"},
                "house": "Commons",
                "dateTabled": "2021-10-04T00:00:00",
                "dateForAnswer": "2021-10-11T00:00:00",
                "uin": str(50_000 + n),
                "heading": f"Schools: Topic {n}",
                "questionText": (
                    f"To ask the Secretary of State for Education, question {n}: "
                    + "what steps his Department is taking to improve school buildings " * 5
                ).strip()
                + ".",
                "answeringBodyName": "Department for Education" if n % 2 else "Home Office",
                "answeringMemberId": 4382,
                "answeringMember": {"id": 4382, "name": "Will Quince", "party": "Conservative"},
                "dateAnswered": f"2021-10-{16 + n:02d}T00:00:00",
                "answerText": f"<p>Answer {n}. "
                + "The Department is investing in schools. " * 8
                + "</p>",
                "isWithdrawn": False,
                "answerIsHolding": False,
                "answerIsCorrection": False,
                "groupedQuestions": [],
                "attachments": [],
            }
        )
    return records
