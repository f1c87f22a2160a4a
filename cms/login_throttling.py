"""Sign-in throttling: django-axes counts failed sign-ins; this module is what we tell it.

- **Two limits, both per client address** (``AXES_LOCKOUT_PARAMETERS``): failures for one account
  from one address (``LOGIN_FAILURE_LIMIT``, 5 by default) and failures for any accounts from one
  address (``LOGIN_ADDRESS_FAILURE_LIMIT``, 20), each over ``LOGIN_LOCKOUT_MINUTES``. Never per
  account alone: whoever guesses from elsewhere would then lock a curator out of her own office.
- **The client's address is read as the open-data API reads it**: Django REST framework's
  throttle identity, which skips ``API_NUM_PROXIES`` proxies in ``X-Forwarded-For``.
- **The lockout page** is the sign-in page's look with a message saying until when (HTTP 429);
  the right password is refused while it lasts.
- **The trail**: axes' attempts and failure log in the database, a WARNING line that names the
  account only when it exists (never what was typed as a password), and an entry in Wagtail's
  site history on the account; an administrator lifts a lockout from the admin (Settings).
- **Password-reset requests** are counted per address and per email address; past the limit the
  same page answers whether the address belongs to an account or not.
"""

import hashlib
import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.throttling import BaseThrottle
from wagtail.admin.views.account import PasswordResetView
from wagtail.log_actions import log

logger = logging.getLogger(__name__)

UNLOCK_PERMISSION = "auth.change_user"  # whoever may change an account may lift its lockout


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the open-data API's rate limit reads it (``API_NUM_PROXIES``
    proxies skipped in ``X-Forwarded-For``); the proxy's own address if what is found there is
    not an address at all (None for a request made in code, e.g. the test client's login)."""
    address = BaseThrottle().get_ident(request) or ""
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per lockout parameter: ``AXES_FAILURE_LIMIT`` for the
    account at one address, ``REPERTOIRE_LOGIN_ADDRESS_FAILURE_LIMIT`` for the address, and an
    audit entry when a sign-in becomes locked."""

    def _counts(self, request, credentials) -> tuple[int, int]:
        account, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return account, address

    def get_failures(self, request, credentials=None) -> int:
        account, address = self._counts(request, credentials)
        if address >= settings.REPERTOIRE_LOGIN_ADDRESS_FAILURE_LIMIT:
            # Axes compares one number with one limit: an address over its own limit counts as
            # an account over the account limit, for every account tried from it.
            return max(account, settings.AXES_FAILURE_LIMIT)
        return account

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        already_locked = getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and request.axes_locked_out and not already_locked:
            account, address = self._counts(request, credentials)
            _record_lockout(
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
                whole_address=account < settings.AXES_FAILURE_LIMIT,
                failures=max(account, address),
            )

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A successful sign-in clears that account's failures from that address only: an
        # attacker who owns one account must not wipe the address's count of a spray.
        count, _deleted = self.filter_user_attempts(request, credentials)[0].delete()
        return count


def _record_lockout(*, username: str, ip_address: str, whole_address: bool, failures: int):
    user = get_user_model().objects.filter(username=username).first()
    # What was typed as a user name may be a password typed in the wrong box: it is written down
    # only when it names an account.
    who = repr(user.get_username()) if user else "an unknown account"
    logger.warning(
        "Sign-in locked for %s from %s after %d failed attempts (%s) for %d minutes.",
        who,
        ip_address,
        failures,
        "every account from that address" if whole_address else "that account from that address",
        settings.REPERTOIRE_LOGIN_LOCKOUT_MINUTES,
    )
    if user:
        log(
            instance=user,
            action="repertoire.login_locked",
            user=None,
            data={"ip_address": ip_address, "failures": failures, "whole_address": whole_address},
        )


def _locked_until(request: HttpRequest, credentials) -> datetime:
    """When the pause ends: the last failure that counts for each limit reached, plus the
    window (both limits reached: the later)."""
    handler = AxesProxyHandler.get_implementation()
    ends = []
    limits = (settings.AXES_FAILURE_LIMIT, settings.REPERTOIRE_LOGIN_ADDRESS_FAILURE_LIMIT)
    for attempts, limit in zip(
        handler.get_user_attempts(request, credentials), limits, strict=True
    ):
        counted = attempts.aggregate(total=Sum("failures_since_start"), last=Max("attempt_time"))
        if (counted["total"] or 0) >= limit:
            ends.append(counted["last"] + get_cool_off(request))
    return max(ends, default=timezone.now() + get_cool_off(request))


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the sign-in page's look, saying until when signing in from
    this address is paused, in the visitor's language (HTTP 429, with ``Retry-After``)."""
    until = _locked_until(request, credentials)
    seconds = max(int((until - timezone.now()).total_seconds()), 0)
    response = render(
        request,
        "cms/login_locked.html",
        {"until": timezone.localtime(until), "minutes": settings.REPERTOIRE_LOGIN_LOCKOUT_MINUTES},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


# --- Password reset ---------------------------------------------------------------------------------


def _counted(key: str, *, limit: int, seconds: int) -> bool:
    """Count one request under ``key``; ``False`` once there were more than ``limit`` in the
    window (fixed, started by the first request)."""
    if cache.add(key, 1, seconds):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between the two calls
        cache.set(key, 1, seconds)
        return True


def password_reset_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Wagtail's password-reset form, with requests counted per address and per email address
    (whether or not it belongs to an account, so that the answer says nothing about it)."""
    if request.method == "POST":
        limit = settings.REPERTOIRE_PASSWORD_RESET_LIMIT
        minutes = settings.REPERTOIRE_PASSWORD_RESET_WINDOW_MINUTES
        email = request.POST.get("email", "").strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()
        address = client_address(request) or "unknown"
        # Both counted every time (no short-circuit), so neither can be probed on its own.
        by_address = _counted(
            f"password-reset:address:{address}", limit=limit, seconds=minutes * 60
        )
        by_email = _counted(f"password-reset:email:{digest}", limit=limit, seconds=minutes * 60)
        if not (by_address and by_email):
            logger.warning(
                "Password-reset requests refused from %s: more than %d in %d minutes (%s).",
                address,
                limit,
                minutes,
                "for that address" if by_email else "for one email address",
            )
            response = render(
                request, "cms/password_reset_throttled.html", {"minutes": minutes}, status=429
            )
            response["Retry-After"] = str(minutes * 60)
            return response
    return PasswordResetView.as_view()(request, *args, **kwargs)


# --- The administrators' screen ---------------------------------------------------------------------


@dataclass
class Lockout:
    """A sign-in locked now: one account at one address, or a whole address."""

    ip_address: str
    username: str | None  # None: every account from this address
    failures: int
    until: datetime
    account_exists: bool = False


def login_lockouts() -> list[Lockout]:
    """Sign-ins locked now, latest first: accounts at an address over ``LOGIN_FAILURE_LIMIT``,
    and addresses over ``LOGIN_ADDRESS_FAILURE_LIMIT`` (two grouped queries)."""
    cool_off = get_cool_off()
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    lockouts = [
        Lockout(row["ip_address"], row["username"], row["failures"], row["last"] + cool_off)
        for row in recent.values("ip_address", "username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    ]
    lockouts += [
        Lockout(row["ip_address"], None, row["failures"], row["last"] + cool_off)
        for row in recent.values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.REPERTOIRE_LOGIN_ADDRESS_FAILURE_LIMIT)
    ]
    existing = set(
        get_user_model()
        .objects.filter(username__in={lockout.username for lockout in lockouts if lockout.username})
        .values_list("username", flat=True)
    )
    for lockout in lockouts:
        lockout.account_exists = lockout.username in existing
    return sorted(lockouts, key=lambda lockout: lockout.until, reverse=True)


def login_unlock(*, by, username: str | None = None, ip_address: str | None = None) -> int:
    """Lift a lockout: an account's, from every address (``username``), or a whole address's
    (``ip_address``). Logged, and written in the account's history. Returns the attempts
    cleared."""
    if username:
        count = AxesProxyHandler.reset_attempts(username=username)
        target = get_user_model().objects.filter(username=username).first()
    elif ip_address:
        count = AxesProxyHandler.reset_attempts(ip_address=ip_address)
        target = None
    else:
        raise ValueError("login_unlock needs a username or an address")
    logger.warning(
        "Sign-in unlocked by %r for %s (%d attempts cleared).",
        by.get_username(),
        repr(username)
        if target
        else f"the address {ip_address}"
        if ip_address
        else "an unknown account",
        count,
    )
    log(
        instance=target or by,
        action="repertoire.login_unlocked",
        user=by,
        data={"username": username, "account": target is not None, "ip_address": ip_address},
    )
    return count


@permission_required(UNLOCK_PERMISSION, raise_exception=True)
def lockouts_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cms/admin/login_lockouts.html",
        {
            "lockouts": login_lockouts(),
            "header_title": _("Locked sign-ins"),
            "header_icon": "lock",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": _("Locked sign-ins")},
            ],
            "account_limit": settings.AXES_FAILURE_LIMIT,
            "address_limit": settings.REPERTOIRE_LOGIN_ADDRESS_FAILURE_LIMIT,
            "minutes": settings.REPERTOIRE_LOGIN_LOCKOUT_MINUTES,
        },
    )


@require_POST
@permission_required(UNLOCK_PERMISSION, raise_exception=True)
def unlock_view(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "").strip()
    ip_address = request.POST.get("ip_address", "").strip()
    if not (username or ip_address):
        return redirect("login_lockouts")
    login_unlock(by=request.user, username=username or None, ip_address=ip_address or None)
    if username:
        messages.success(request, _("“%(name)s” can sign in again.") % {"name": username})
    else:
        messages.success(
            request, _("Signing in from %(address)s is possible again.") % {"address": ip_address}
        )
    return redirect("login_lockouts")
