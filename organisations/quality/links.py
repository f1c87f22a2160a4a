"""Checking the organisations' websites: does each one still answer?

A daily run (``manage.py check_links``, or the ``check_links`` task) asks the websites whose last
check is older than a couple of weeks, a bounded number at a time, and keeps each answer in
``LinkCheck`` (one row per address, shared by the records that give it). The ``website_error``
quality check reads those rows; the records whose website changed answer are checked again.

Built to be harmless, to the sites and to us:

- **Polite.** HEAD first (no page is downloaded), GET only when a server refuses HEAD, and even
  then no body is read. At most one request to the same host every
  ``REPERTOIRE_LINK_CHECK_HOST_DELAY_SECONDS``; a User-Agent that says who asks and how to reach
  us.
- **Short.** Timeouts of a few seconds, no retry, at most :data:`MAX_REDIRECTS` redirects: a loop
  or a longer chain is a failure with its own message.
- **Never in the way.** Nothing else waits on a run; a site that fails, or a check that fails
  for a reason of ours, costs its own row or a log line, never the rest of the run.
"""

import ipaddress
import logging
import re
import socket
import ssl
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from ..models import LinkCheck, Organisation
from .services import quality_recompute_later

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
# Servers that do not implement HEAD, or whose firewall only lets browsers' GETs through.
HEAD_REFUSED = {HTTPStatus.FORBIDDEN, HTTPStatus.METHOD_NOT_ALLOWED, HTTPStatus.NOT_IMPLEMENTED}
REDIRECTS = {301, 302, 303, 307, 308}
ERROR_LENGTH = LinkCheck._meta.get_field("error").max_length
URL_LENGTH = LinkCheck._meta.get_field("url").max_length


@dataclass(frozen=True)
class Answer:
    ok: bool
    status_code: int | None
    error: str
    final_url: str


class LinkCheckError(Exception):
    """No answer worth a status code: the message is what curators read."""


class HostPacer:
    """At most one request to a host at a time, and ``delay`` seconds between the end of one and
    the start of the next; other hosts do not wait. Within one process, which is enough for a
    daily job that runs once at a time."""

    def __init__(self, delay: float):
        self.delay = delay
        self._last: dict[str, float] = {}

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        last = self._last.get(host)
        if last is not None:
            remaining = last + self.delay - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
        try:
            yield
        finally:
            # Counted from the end of the request: a slow server is not asked again sooner.
            self._last[host] = time.monotonic()


def _http() -> urllib3.PoolManager:
    return urllib3.PoolManager(
        num_pools=20,
        headers={
            "User-Agent": settings.REPERTOIRE_LINK_CHECK_USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Language": "fr-CA,fr;q=0.9,en;q=0.8",
        },
        timeout=urllib3.Timeout(
            connect=settings.REPERTOIRE_LINK_CHECK_CONNECT_TIMEOUT,
            read=settings.REPERTOIRE_LINK_CHECK_READ_TIMEOUT,
        ),
        # One try only, and redirects followed by hand so that a loop gets its own message.
        retries=False,
    )


def _is_web_address(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def _on_private_network(host: str, port: int) -> bool:
    """Whether the host is, or resolves to, an address that is not on the public internet.

    urllib3 resolves the name again to connect: a name that changes its answer in between could
    still get through. This keeps honest mistakes and redirects from probing our own network.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False  # not found: urllib3 says so in its own words
    return any(not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global for info in infos)


def _request(http: urllib3.PoolManager, pacer: HostPacer, method: str, url: str):
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise LinkCheckError(_("The address cannot be checked (it is not a valid web address)."))
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    if not settings.REPERTOIRE_LINK_CHECK_PRIVATE_ADDRESSES and _on_private_network(host, port):
        raise LinkCheckError(_("The address is on a private network: not checked."))
    with pacer.turn(host):
        response = http.request(method, url, redirect=False, preload_content=False)
        # The status and headers are all we need: closing is cheaper than reading a page.
        response.close()
    return response


def _tls_reason(error: object) -> str:
    """The short reason of a TLS failure ("certificate has expired", "wrong version number"),
    from the ``ssl`` error urllib3 wraps."""
    for _depth in range(5):
        if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
            return error.verify_message
        if isinstance(error, ssl.SSLError):
            match = re.search(r"\] (.+?)(?: \(_ssl\.c:\d+\))?$", str(error))
            return match.group(1) if match else (error.reason or "")
        if not isinstance(error, BaseException):
            break
        error = error.__cause__ or error.__context__ or (error.args[0] if error.args else None)
    return ""


def _describe(error: Exception) -> str:
    """What curators read for a site that gave no HTTP answer."""
    errors = urllib3.exceptions
    # Order matters: in urllib3 a failed name resolution is a failed connection, which is a
    # connect timeout.
    if isinstance(error, LinkCheckError):
        return str(error)
    if isinstance(error, errors.NameResolutionError):
        return _("The domain name does not exist (DNS).")
    if isinstance(error, errors.NewConnectionError):
        if isinstance(error.__context__, ConnectionRefusedError):
            return _("The server refused the connection.")
        return _("Could not connect to the server.")
    if isinstance(error, errors.ConnectTimeoutError | errors.ReadTimeoutError | TimeoutError):
        seconds = (
            settings.REPERTOIRE_LINK_CHECK_CONNECT_TIMEOUT
            if isinstance(error, errors.ConnectTimeoutError)
            else settings.REPERTOIRE_LINK_CHECK_READ_TIMEOUT
        )
        return ngettext(
            "No answer within %(seconds)s second.",
            "No answer within %(seconds)s seconds.",
            int(seconds) if seconds == int(seconds) else 2,  # 0.5 seconds, 1 second
        ) % {"seconds": f"{seconds:g}"}
    if isinstance(error, errors.SSLError | ssl.SSLError):
        reason = _tls_reason(error)
        return _("The secure connection failed (TLS): %(reason)s.") % {
            "reason": reason or _("no details")
        }
    if isinstance(error, errors.ProtocolError):
        return _("The server closed the connection without answering.")
    if isinstance(error, ValueError):
        return _("The address cannot be checked (it is not a valid web address).")
    return _("Could not connect to the server.")


def _ask(url: str, *, pacer: HostPacer, http: urllib3.PoolManager) -> Answer:
    """Follow the address to its final answer."""
    method, current, visited = "HEAD", url, {url}
    while True:
        try:
            response = _request(http, pacer, method, current)
        except (LinkCheckError, urllib3.exceptions.HTTPError, OSError, ValueError) as error:
            return Answer(False, None, _describe(error), current)
        status = response.status
        if method == "HEAD" and status in HEAD_REFUSED:
            # The same address again, and GET from here on: redirects mostly stay on the site.
            method = "GET"
            continue
        location = response.headers.get("Location")
        if status in REDIRECTS and location:
            target = urljoin(current, location.strip())
            if not _is_web_address(target):
                return Answer(
                    False, None, _("Redirected to an address that is not a web page."), current
                )
            if target in visited:
                return Answer(
                    False, None, _("The redirects loop back to an address already visited."),
                    target,
                )  # fmt: skip
            if len(visited) > MAX_REDIRECTS:
                return Answer(
                    False, None, _("More than %(count)d redirects.") % {"count": MAX_REDIRECTS},
                    target,
                )  # fmt: skip
            visited.add(target)
            current = target
            continue
        # A redirect with nowhere to go (304, 300) is still a server that answers.
        ok = 200 <= status < 400
        error = "" if ok else f"{status} {_reason_phrase(status)}".strip()
        return Answer(ok, status, error, current)


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _store(url: str, answer: Answer) -> LinkCheck:
    values = {
        "checked_at": timezone.now(),
        "ok": answer.ok,
        "status_code": answer.status_code,
        "error": answer.error[:ERROR_LENGTH],
        # Cut short, an address would lead nowhere: better none.
        "final_url": answer.final_url if len(answer.final_url) <= URL_LENGTH else "",
    }
    try:
        with transaction.atomic():
            check, _created = LinkCheck.objects.update_or_create(url=url, defaults=values)
    except IntegrityError:  # another run stored the same address a moment ago
        LinkCheck.objects.filter(url=url).update(**values)
        check = LinkCheck.objects.get(url=url)
    return check


def link_check(
    *, url: str, pacer: HostPacer | None = None, http: urllib3.PoolManager | None = None
) -> LinkCheck:
    """Ask one website whether it answers, and store its answer (status, error, final address,
    date) in its ``LinkCheck`` row. A run shares one ``pacer`` and one ``http`` pool between
    its checks; alone, a check makes its own."""
    own_http = http is None
    http = http or _http()
    pacer = pacer or HostPacer(settings.REPERTOIRE_LINK_CHECK_HOST_DELAY_SECONDS)
    try:
        answer = _ask(url, pacer=pacer, http=http)
    finally:
        if own_http:
            http.clear()
    return _store(url, answer)


def _shown(check: LinkCheck | None):
    """What the ``website_error`` check shows for this answer (None: no problem), as
    ``quality_context`` reads it."""
    if check is None or check.ok:
        return None
    return str(check.status_code) if check.status_code else check.error


def _websites_due(*, limit: int, min_age_days: int) -> list[str]:
    """The websites of the records not archived that were never checked, or not for
    ``min_age_days``: the never-checked first, then the oldest checks."""
    cutoff = timezone.now() - timedelta(days=min_age_days)
    last_checked = LinkCheck.objects.filter(url=OuterRef("website")).values("checked_at")[:1]
    websites = (
        Organisation.objects.exclude(status=Organisation.Status.CLOSED)
        .filter(Q(website__istartswith="http://") | Q(website__istartswith="https://"))
        .annotate(last_checked=Subquery(last_checked))
        .filter(Q(last_checked__isnull=True) | Q(last_checked__lt=cutoff))
        .order_by(F("last_checked").asc(nulls_first=True), "website")
        .values_list("website", flat=True)
        .distinct()
    )
    return list(websites[: max(limit, 0)])


def links_check_due(*, limit: int | None = None, min_age_days: int | None = None) -> dict:
    """Check the websites due (never checked, or not for ``min_age_days``; at most ``limit``;
    both from the settings unless given) at the polite pace, store every answer, and queue the
    quality check of the records whose website's answer changed.

    Returns the counts: ``checked``, ``ok``, ``broken`` (the site answered an error, or nothing),
    ``failed`` (the check itself failed: logged, the run goes on), ``changed`` (websites whose
    answer changed) and ``records`` (queued for their quality check)."""
    urls = _websites_due(
        limit=settings.REPERTOIRE_LINK_CHECK_BATCH if limit is None else limit,
        min_age_days=(
            settings.REPERTOIRE_LINK_CHECK_MAX_AGE_DAYS if min_age_days is None else min_age_days
        ),
    )
    before = {check.url: _shown(check) for check in LinkCheck.objects.filter(url__in=urls)}
    pacer = HostPacer(settings.REPERTOIRE_LINK_CHECK_HOST_DELAY_SECONDS)
    http = _http()
    counts = Counter(checked=len(urls), ok=0, broken=0, failed=0)
    changed = []
    try:
        for url in urls:
            try:
                check = link_check(url=url, pacer=pacer, http=http)
            except Exception:
                # A fault of ours (the database, a case the client did not foresee) must not
                # stop the other websites; the log says which one.
                logger.exception("Website check failed for %s", url)
                counts["failed"] += 1
                continue
            counts["ok" if check.ok else "broken"] += 1
            if _shown(check) != before.get(url):
                changed.append(url)
    finally:
        http.clear()
    records = list(
        Organisation.objects.filter(website__in=changed)
        .exclude(status=Organisation.Status.CLOSED)
        .values_list("pk", flat=True)
    )
    quality_recompute_later(organisation_ids=records)
    counts["changed"], counts["records"] = len(changed), len(records)
    return dict(counts)


@task()
def check_links(limit: int | None = None, max_age_days: int | None = None) -> dict:
    """Check the websites due for a check (the settings' batch and age unless given) at a polite
    pace, and the quality of the records whose website's answer changed; returns the counts."""
    return links_check_due(limit=limit, min_age_days=max_age_days)
