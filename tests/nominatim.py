"""A Nominatim on 127.0.0.1 for the tests and the benchmark.

A real HTTP server speaking Nominatim's ``/search?format=json`` protocol, so that geopy's own
Nominatim client runs end to end: query string, headers, JSON parsing, HTTP errors, timeouts.
Answers come from places registered with ``add`` (matched on a fragment of the query, accents and
case ignored) or from a ``resolver`` function; scripted misbehaviour (``fail_next``,
``slow_next``, ``garbage_next``) is served first, in order. Every request is recorded with the
moment it arrived.
"""

import json
import threading
import time
import unicodedata
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Request:
    at: float  # time.monotonic()
    path: str
    params: dict
    user_agent: str

    @property
    def query(self) -> str:
        return self.params.get("q", "")


def place(lat, lon, *, city="Montréal", kind="house", label=None, postcode="") -> dict:
    """One search result as Nominatim 4.x writes it (``place_rank`` 30 for a house)."""
    rank = {"house": 30, "street": 26, "postcode": 21, "city": 16, "suburb": 20}[kind]
    address = {"city": city, "state": "Québec", "country": "Canada", "country_code": "ca"}
    if postcode:
        address["postcode"] = postcode
    return {
        "place_id": abs(hash((lat, lon))) % 10**9,
        "licence": LICENCE,
        "osm_type": "way",
        "osm_id": abs(hash((lon, lat))) % 10**9,
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        "class": "place" if kind != "street" else "highway",
        "type": kind if kind != "street" else "residential",
        "place_rank": rank,
        "importance": 0.1,
        "addresstype": "postcode" if kind == "postcode" else kind,
        "name": "",
        "display_name": label or f"{city}, Québec, Canada",
        "address": address,
        "boundingbox": [
            f"{lat - 0.001:.7f}",
            f"{lat + 0.001:.7f}",
            f"{lon - 0.001:.7f}",
            f"{lon + 0.001:.7f}",
        ],
    }


class NominatimServer:
    def __init__(self, resolver=None):
        self.resolver = resolver
        self.places: list[tuple[str, dict]] = []
        self.requests: list[Request] = []
        self._script: deque = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def domain(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> "NominatimServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- what it answers ---------------------------------------------------------------------------

    def add(self, fragment: str, result: dict) -> None:
        """Answer ``result`` to every query containing ``fragment``."""
        self.places.append((_fold(fragment), result))

    def fail_next(self, status: int, times: int = 1, headers: dict | None = None) -> None:
        for _ in range(times):
            self._script.append(("status", status, headers or {}))

    def slow_next(self, seconds: float, times: int = 1) -> None:
        for _ in range(times):
            self._script.append(("slow", seconds, {}))

    def garbage_next(self, body: str = "{not json", times: int = 1) -> None:
        for _ in range(times):
            self._script.append(("garbage", body, {}))

    def search_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path == "/search"]

    def _results(self, params: dict) -> list[dict]:
        query = _fold(params.get("q", ""))
        for fragment, result in self.places:
            if fragment in query:
                return [result]
        return list(self.resolver(params)) if self.resolver else []

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                params = {k: v[-1] for k, v in parse_qs(url.query).items()}
                with server._lock:
                    server.requests.append(
                        Request(
                            time.monotonic(), url.path, params, self.headers.get("User-Agent", "")
                        )
                    )
                    step = server._script.popleft() if server._script else None
                if step and step[0] == "status":
                    return self._send(step[1], json.dumps({"error": "scripted"}), step[2])
                if step and step[0] == "slow":
                    time.sleep(step[1])
                if step and step[0] == "garbage":
                    return self._send(200, step[1])
                if url.path != "/search":
                    return self._send(404, json.dumps({"error": "not found"}))
                return self._send(200, json.dumps(server._results(params)))

            def _send(self, status, body, headers=None):
                data = body.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format, *args):
                pass

        return Handler
