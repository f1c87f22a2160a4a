"""The website checker against a real HTTP server on 127.0.0.1: what it records for each kind of
answer, the pace it keeps per host, which websites a run picks, and the quality problem that
follows a website's answer."""

import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from itertools import pairwise
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from organisations.factories import OrganisationFactory
from organisations.models import LinkCheck, Organisation, QualityIssue
from organisations.quality import links
from organisations.quality.links import check_links, link_check, links_check_due

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request line arrived
    method: str
    path: str
    host: str
    user_agent: str


class Website:
    """A small website on 127.0.0.1 with one path per kind of answer; every request is kept."""

    def __init__(self):
        self.hits: list[Hit] = []
        self.broken = False  # what /toggle answers: 503 when True, 200 otherwise
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self) -> None:
        self.stopping.set()  # wakes /slow, so that closing the server does not wait for it
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _answer(self, method: str, path: str) -> tuple[int, dict]:
        if path == "/ok":
            return 200, {}
        if path == "/missing":
            return 404, {}
        if path == "/crash":
            return 500, {}
        if path == "/toggle":
            return (503 if self.broken else 200), {}
        if path == "/no-head":
            return (405 if method == "HEAD" else 200), {}
        if path == "/loop-a":
            return 301, {"Location": "/loop-b"}
        if path == "/loop-b":
            return 301, {"Location": self.url("/loop-a")}
        if path.startswith("/chain/"):  # /chain/3 -> /chain/2 -> /chain/1 -> /chain/0: 200
            left = int(path.rsplit("/", 1)[1])
            return (302, {"Location": f"/chain/{left - 1}"}) if left else (200, {})
        if path == "/slow":
            self.stopping.wait(1.0)
            return 200, {}
        return 404, {}

    def _handler(self):
        website = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                with website._lock:
                    website.hits.append(
                        Hit(
                            time.monotonic(),
                            self.command,
                            self.path,
                            self.headers.get("Host", ""),
                            self.headers.get("User-Agent", ""),
                        )
                    )
                status, headers = website._answer(self.command, self.path)
                body = b"<!doctype html><title>page</title>"
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command == "GET":
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the checker gave up (the timeout test) or read the headers only

            do_GET = do_HEAD = _serve

            def log_message(self, format, *args):
                pass

        return Handler


@pytest.fixture
def website(settings):
    """The website, and settings fit for it: loopback allowed, no pause between requests to the
    same host, a short read timeout for /slow."""
    settings.REPERTOIRE_LINK_CHECK_PRIVATE_ADDRESSES = True
    settings.REPERTOIRE_LINK_CHECK_HOST_DELAY_SECONDS = 0.0
    settings.REPERTOIRE_LINK_CHECK_CONNECT_TIMEOUT = 0.5
    settings.REPERTOIRE_LINK_CHECK_READ_TIMEOUT = 0.2
    server = Website()
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: bound by the system, then let go."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _organisation(website_url: str, **kwargs) -> Organisation:
    return OrganisationFactory(website=website_url, **kwargs)


# --- One website ----------------------------------------------------------------------------------


def test_a_website_that_answers_is_recorded_as_ok_with_the_date(website):
    before = timezone.now()

    check = link_check(url=website.url("/ok"))

    stored = LinkCheck.objects.get(url=website.url("/ok"))
    assert stored == check
    assert (stored.ok, stored.status_code, stored.error) == (True, 200, "")
    assert stored.final_url == website.url("/ok")
    assert before <= stored.checked_at <= timezone.now()


def test_it_asks_with_head_and_a_user_agent_that_names_the_211(website, settings):
    link_check(url=website.url("/ok"))

    [hit] = website.hits
    assert hit.method == "HEAD"
    assert hit.user_agent == settings.REPERTOIRE_LINK_CHECK_USER_AGENT
    assert "Repertoire-211" in hit.user_agent
    assert settings.REPERTOIRE_CONTACT_EMAIL in hit.user_agent


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [("/missing", 404, "404 Not Found"), ("/crash", 500, "500 Internal Server Error")],
)
def test_an_error_status_is_recorded_as_broken_with_the_status(website, path, status, error):
    check = link_check(url=website.url(path))

    assert (check.ok, check.status_code, check.error) == (False, status, error)


def test_a_server_that_refuses_head_is_asked_again_with_get(website):
    check = link_check(url=website.url("/no-head"))

    assert (check.ok, check.status_code) == (True, 200)
    assert [(hit.method, hit.path) for hit in website.hits] == [
        ("HEAD", "/no-head"),
        ("GET", "/no-head"),
    ]


def test_redirects_are_followed_to_the_final_address(website):
    check = link_check(url=website.url("/chain/5"))

    assert (check.ok, check.status_code) == (True, 200)
    assert check.final_url == website.url("/chain/0")
    assert len(website.hits) == 6  # five redirects, the most a check follows


def test_more_than_five_redirects_is_a_failure(website):
    check = link_check(url=website.url("/chain/6"))

    assert (check.ok, check.status_code) == (False, None)
    assert check.error == "More than 5 redirects."
    assert len(website.hits) == 6  # the sixth redirect is not followed


def test_a_redirect_loop_is_a_failure_named_as_such(website):
    check = link_check(url=website.url("/loop-a"))

    assert (check.ok, check.status_code) == (False, None)
    assert check.error == "The redirects loop back to an address already visited."
    assert [hit.path for hit in website.hits] == ["/loop-a", "/loop-b"]


def test_a_site_slower_than_the_timeout_is_broken(website):
    started = time.monotonic()

    check = link_check(url=website.url("/slow"))

    assert time.monotonic() - started < 0.8  # the timeout, not the site, ended the wait
    assert (check.ok, check.status_code) == (False, None)
    assert check.error == "No answer within 0.2 seconds."


def test_a_closed_port_is_a_refused_connection(website, closed_port):
    check = link_check(url=f"http://127.0.0.1:{closed_port}/")

    assert (check.ok, check.status_code) == (False, None)
    assert check.error == "The server refused the connection."


def test_a_failed_secure_connection_is_a_tls_error(website):
    # HTTPS to a server that speaks plain HTTP: the TLS handshake fails.
    check = link_check(url=f"https://127.0.0.1:{website.port}/ok")

    assert (check.ok, check.status_code) == (False, None)
    assert check.error.startswith("The secure connection failed (TLS): ")
    assert check.error != "The secure connection failed (TLS): no details."


def test_a_domain_that_does_not_exist_is_a_dns_error(website):
    # .invalid never resolves (RFC 2606).
    check = link_check(url="http://repertoire-211.invalid/")

    assert (check.ok, check.error) == (False, "The domain name does not exist (DNS).")


def test_addresses_on_a_private_network_are_not_asked_by_default(website, settings):
    settings.REPERTOIRE_LINK_CHECK_PRIVATE_ADDRESSES = False

    check = link_check(url=website.url("/ok"))

    assert (check.ok, check.error) == (False, "The address is on a private network: not checked.")
    assert website.hits == []


def test_a_check_again_replaces_the_answer_in_the_same_row(website):
    website.broken = True
    link_check(url=website.url("/toggle"))
    website.broken = False

    link_check(url=website.url("/toggle"))

    [check] = LinkCheck.objects.all()
    assert (check.ok, check.status_code, check.error) == (True, 200, "")


# --- A run ----------------------------------------------------------------------------------------


def _checked_at(url: str, days_ago: int, *, ok: bool = True) -> None:
    LinkCheck.objects.create(
        url=url,
        checked_at=timezone.now() - timedelta(days=days_ago),
        ok=ok,
        status_code=200 if ok else 404,
    )


def test_a_run_checks_only_the_websites_due(website):
    never = _organisation(website.url("/ok"))
    _organisation(never.website)  # a website shared by two records is asked once
    old = _organisation(website.url("/chain/0"))
    _checked_at(old.website, days_ago=30)
    recent = _organisation(website.url("/missing"))
    _checked_at(recent.website, days_ago=1)
    _organisation(website.url("/crash"), status=Organisation.Status.CLOSED)
    _organisation("www.sans-protocole.example")  # website_not_http's business, not ours
    _organisation("")

    counts = links_check_due(limit=10, min_age_days=7)

    assert sorted(hit.path for hit in website.hits) == ["/chain/0", "/ok"]
    assert counts == {"checked": 2, "ok": 2, "broken": 0, "failed": 0, "changed": 0, "records": 0}
    assert LinkCheck.objects.get(url=recent.website).checked_at < timezone.now() - timedelta(
        hours=23
    )
    assert not LinkCheck.objects.filter(url=website.url("/crash")).exists()


def test_a_run_is_bounded_and_asks_the_never_checked_first(website):
    _checked_at(_organisation(website.url("/chain/0")).website, days_ago=30)
    _organisation(website.url("/ok"))

    counts = links_check_due(limit=1, min_age_days=7)

    assert counts["checked"] == 1
    assert [hit.path for hit in website.hits] == ["/ok"]


def test_one_bad_site_or_failed_check_does_not_stop_the_run(website, closed_port, monkeypatch):
    urls = [
        f"http://127.0.0.1:{closed_port}/",
        website.url("/crash"),
        website.url("/loop-a"),
        website.url("/ok"),
        website.url("/chain/1"),
    ]
    for url in urls:
        _organisation(url)
    ask = links._ask

    def ask_or_fail(url, **kwargs):
        if url == website.url("/chain/1"):
            raise RuntimeError("a bug of ours")
        return ask(url, **kwargs)

    monkeypatch.setattr(links, "_ask", ask_or_fail)

    counts = links_check_due(limit=10, min_age_days=7)

    assert counts["checked"] == 5
    assert (counts["ok"], counts["broken"], counts["failed"]) == (1, 3, 1)
    assert set(LinkCheck.objects.values_list("url", flat=True)) == set(urls[:4])


def test_requests_to_the_same_host_keep_the_delay_and_other_hosts_do_not_wait(website, settings):
    settings.REPERTOIRE_LINK_CHECK_HOST_DELAY_SECONDS = 0.2
    for path in ("/ok", "/missing", "/chain/1"):  # 127.0.0.1: four requests
        _organisation(website.url(path))
    _organisation(website.url("/ok", host="localhost"))  # asked last: its URL sorts last

    links_check_due(limit=10, min_age_days=7)

    same_host = [hit.at for hit in website.hits if hit.host.startswith("127.0.0.1")]
    assert len(same_host) == 4
    gaps = [later - earlier for earlier, later in pairwise(same_host)]
    assert min(gaps) >= 0.2
    [other] = [hit.at for hit in website.hits if hit.host.startswith("localhost")]
    assert other - same_host[-1] < 0.15  # right after, without the other host's delay


def test_a_website_that_breaks_gets_its_quality_problem_and_loses_it_when_fixed(
    website, django_capture_on_commit_callbacks
):
    organisation = _organisation(website.url("/toggle"))
    neighbour = _organisation(website.url("/ok"))
    archived = _organisation(website.url("/toggle"), status=Organisation.Status.CLOSED)

    def problems(record):
        return list(
            QualityIssue.objects.filter(organisation=record, code="website_error").values_list(
                "value", flat=True
            )
        )

    website.broken = True
    with django_capture_on_commit_callbacks(execute=True):
        counts = links_check_due(limit=10, min_age_days=7)
    assert (counts["changed"], counts["records"]) == (1, 1)
    assert problems(organisation) == ["503"]
    assert problems(neighbour) == problems(archived) == []

    with django_capture_on_commit_callbacks(execute=True):
        counts = links_check_due(limit=10, min_age_days=0)  # same answer: nothing to redo
    assert (counts["checked"], counts["changed"], counts["records"]) == (2, 0, 0)

    website.broken = False
    with django_capture_on_commit_callbacks(execute=True):
        counts = links_check_due(limit=10, min_age_days=0)
    assert (counts["changed"], counts["records"]) == (1, 1)
    assert problems(organisation) == []


def test_the_command_prints_the_counts(website):
    _organisation(website.url("/ok"))
    _organisation(website.url("/missing"))
    _organisation(website.url("/crash"))
    out = StringIO()

    with translation.override("en"):
        call_command("check_links", "--limit", "2", "--max-age-days", "7", stdout=out)

    # The never-checked by address: /crash, then /missing; /ok waits for the next run.
    assert out.getvalue().splitlines() == [
        "2 websites checked: 0 OK, 2 broken.",
        "2 answers changed since the last check; records queued for a quality check: 2.",
    ]
    assert not LinkCheck.objects.filter(url=website.url("/ok")).exists()


def test_the_task_runs_a_check_with_the_settings_defaults(website, settings):
    settings.REPERTOIRE_LINK_CHECK_BATCH = 1
    settings.REPERTOIRE_LINK_CHECK_MAX_AGE_DAYS = 7
    _organisation(website.url("/ok"))
    _organisation(website.url("/missing"))

    result = check_links.enqueue()

    assert result.return_value["checked"] == 1
    assert LinkCheck.objects.count() == 1
    assert urlsplit(LinkCheck.objects.get().url).path == "/missing"
