"""What people ask the 211 for: requests, the needs they express, where they were referred, and
the monthly counts the reports and the public portraits read.

A ``Request`` is one communication (a call, an email, a chat, a visit) recorded by an
information-and-referral agent, imported from the call system's export, or made up for the demo.
It holds nothing that identifies the person: no name, phone, address or free text about them;
the place is a territory of the directory (a postal code typed by the agent is turned into its
territory and not kept), the age an optional band. Each of its ``Need`` rows is one need
expressed, a need of the taxonomy (``organisations.Category``) with its outcome: referred (the
``Referral`` rows say to which organisations), information only, or unmet for one of the seven
reasons of the 211's annual report.

Counting at scale: five years are about 250,000 needs. The reports (admin) and the portraits
(public site) read ``MonthlyRequestCount`` and ``MonthlyNeedCount``, kept in step with every
write by ``portraits.counts`` (recording, correcting, importing, seeding), never the rows
themselves: a territory's portrait for a year is a few hundred count rows, the region's a few
thousand, whatever the number of requests. ``manage.py recount_requests`` rebuilds them from the
rows (after a restore, or to check them).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organisations.models import Category, Organisation, Service, Territory

# An agent corrects her own request within this long after recording it; then it is read-only
# (the figures of a closed day are what the team reports).
CORRECTION_WINDOW = timedelta(hours=24)
NOTE_MAX_LENGTH = 200


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    WALK_IN = "walk_in", _("Walk-in")


class Language:
    """The language the person was served in: French, English, or one of the languages the
    211 serves most often through its interpreters (its report: more than 200 languages);
    ``other`` for any language not in the list. One code per request, so "by language" is one
    column of the counts."""

    FRENCH = "fr"
    ENGLISH = "en"
    OTHER = "other"
    MAIN = [(FRENCH, _("French")), (ENGLISH, _("English"))]
    # The most common languages of the 211's interpreted calls (codes ISO 639-1, and "lsq" for
    # Québec Sign Language), in the order an agent looks for them.
    OTHERS = [
        ("es", _("Spanish")),
        ("ar", _("Arabic")),
        ("ht", _("Haitian Creole")),
        ("zh", _("Chinese")),
        ("pt", _("Portuguese")),
        ("fa", _("Persian")),
        ("vi", _("Vietnamese")),
        ("ru", _("Russian")),
        ("uk", _("Ukrainian")),
        ("ta", _("Tamil")),
        ("pa", _("Punjabi")),
        ("tl", _("Tagalog")),
        ("it", _("Italian")),
        ("lsq", _("Québec Sign Language")),
        (OTHER, _("Another language")),
    ]
    CHOICES = MAIN + OTHERS
    CODES = [code for code, _label in CHOICES]


class AgeBand(models.TextChoices):
    """Optional, and broad on purpose: a band never narrows a request down to a person."""

    UNDER_18 = "0-17", _("Under 18")
    FROM_18 = "18-29", _("18 to 29")
    FROM_30 = "30-44", _("30 to 44")
    FROM_45 = "45-64", _("45 to 64")
    FROM_65 = "65-74", _("65 to 74")
    FROM_75 = "75+", _("75 and over")


class Outcome(models.TextChoices):
    REFERRED = "referred", _("Referred")
    INFORMATION = "information", _("Information only")
    UNMET = "unmet", _("Unmet")


class Reason(models.TextChoices):
    """Why a need went unmet: no service could answer it, for one of the seven reasons of the
    211's annual report."""

    NOT_IN_TERRITORY = "not_in_territory", _("Not available in the territory")
    ELIGIBILITY = "eligibility", _("Eligibility not met")
    COST = "cost", _("Cost too high")
    SCHEDULE = "schedule", _("Schedule unsuitable")
    WAITING_LIST = "waiting_list", _("Waiting list full")
    LANGUAGE = "language", _("Language barrier")
    TRANSPORT = "transport", _("No transport")


class Source(models.TextChoices):
    RECORDED = "recorded", _("Recorded by an agent")
    IMPORTED = "imported", _("Imported")
    DEMO = "demo", _("Demo data")


def month_of(day: date) -> date:
    """The first day of ``day``'s month: how the counts key a month."""
    return day.replace(day=1)


class RequestImport(models.Model):
    """One file of past requests brought in by ``manage.py import_requests``: what was read,
    by whom, and a digest of the file so that the same file is not counted twice."""

    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("digest"), max_length=64, unique=True)
    imported_at = models.DateTimeField(_("imported on"), default=timezone.now)
    imported_by = models.CharField(_("imported by"), max_length=150, blank=True)
    requests = models.PositiveIntegerField(_("requests"), default=0)
    needs = models.PositiveIntegerField(_("needs"), default=0)
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)

    class Meta:
        verbose_name = _("import of requests")
        verbose_name_plural = _("imports of requests")
        ordering = ["-imported_at"]

    def __str__(self):
        return self.file_name


class Request(models.Model):
    """One communication with the 211 (a call, an email, a chat, a visit), anonymous.

    ``territory`` is where the person lives or asks for (a municipality, borough or district of
    the directory; a sector or the region when that is all the person said); ``None`` when the
    person is outside the region (``outside_region``). ``language`` is a code of
    ``Language.CHOICES``. The note is short and checked for anything that looks like a phone
    number, an email or an address (``portraits.privacy``).

    Only ``portraits.services`` writes requests, so that the monthly counts stay in step.
    """

    received_on = models.DateField(_("date"), db_index=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    language = models.CharField(
        _("language of service"),
        max_length=8,
        choices=Language.CHOICES,
        default=Language.FRENCH,
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the person is outside the region."),
    )
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices, blank=True)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_batch = models.ForeignKey(
        RequestImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded on"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("changed on"), default=timezone.now)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recorded_by", "-created_at"], name="request_by_agent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="request_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=Language.CODES), name="request_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(age_band="") | Q(age_band__in=AgeBand.values),
                name="request_age_band_valid",
            ),
        ]

    def __str__(self):
        return _("Request %(number)s") % {"number": self.pk}

    @property
    def outside_region(self) -> bool:
        return self.territory_id is None

    @property
    def month(self) -> date:
        return month_of(self.received_on)

    def correctable_until(self):
        return self.created_at + CORRECTION_WINDOW

    def why_not_correctable(self, user, now=None) -> str:
        """Why ``user`` may not change this request now, in words; empty when she may: only the
        agent who recorded it, within 24 hours."""
        now = now or timezone.now()
        if self.source != Source.RECORDED:
            return str(_("This request was imported: it cannot be changed here."))
        if self.recorded_by_id != user.pk:
            return str(_("Only the agent who recorded this request can correct it."))
        if now >= self.correctable_until():
            return str(
                _(
                    "This request was recorded more than 24 hours ago: it can no longer be "
                    "changed, as the day's figures are already counted."
                )
            )
        return ""


class Need(models.Model):
    """One need expressed in a request: a need of the taxonomy, and what came of it.

    ``reason`` is set exactly when the need went unmet (a database constraint). A need may be a
    family of the taxonomy (« Aide alimentaire ») or a need under it (« Banques
    alimentaires »): the counts keep what was recorded, and the reports roll children up into
    their family from the tree.
    """

    request = models.ForeignKey(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="needs"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    category = models.ForeignKey(
        Category, verbose_name=_("need"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reason = models.CharField(_("reason unmet"), max_length=20, choices=Reason.choices, blank=True)

    class Meta:
        verbose_name = _("need expressed")
        verbose_name_plural = _("needs expressed")
        ordering = ["request", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="need_outcome_valid"
            ),
            models.CheckConstraint(
                condition=(Q(outcome=Outcome.UNMET) & Q(reason__in=Reason.values))
                | (~Q(outcome=Outcome.UNMET) & Q(reason="")),
                name="need_reason_when_unmet",
            ),
        ]

    def __str__(self):
        # Never a query (the audit names every need it writes): the need's name when at hand.
        if Need.category.is_cached(self):
            return self.category.name
        return _("Need %(number)s") % {"number": self.pk}


class Referral(models.Model):
    """An organisation (and, when known, its service) given to the person for a need.

    The organisation's name is kept as it was given: the figures stay readable if the record is
    later merged or deleted."""

    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="referrals"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation_name = models.CharField(_("organisation given"), max_length=255)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return self.organisation_name


# --- The monthly counts ---------------------------------------------------------------------------
#
# One row per combination that occurred, with how many. A request counts in its own territory
# AND in every territory containing it (borough, municipality, sector, region): the figure for
# Laval or for the whole region is read from Laval's or the region's own rows, never summed from
# the places inside. So never add rows of different territories together, except territories of
# one kind (the boroughs of Montréal, the sectors...), which do not overlap. A request recorded
# for Montréal without a borough counts in Montréal, its sector and the region, in no borough.
# Requests from outside the region have ``territory = NULL`` and count nowhere else.
#
# Needs are counted by the need recorded (family or need under it); the reports roll needs up
# into their family from the tree (under 60 rows, read once). Periods are whole months; a report
# on other dates reads the rows (``Need`` joined to ``Request``, indexed on the date).


class MonthlyRequestCount(models.Model):
    """Communications per month, territory (with the territories containing it), channel,
    language and age band."""

    month = models.DateField(_("month"))
    territory = models.ForeignKey(Territory, null=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language of service"), max_length=8, choices=Language.CHOICES)
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices, blank=True)
    count = models.IntegerField(_("requests"), default=0)

    KEY = ("month", "territory_id", "channel", "language", "age_band")

    class Meta:
        verbose_name = _("requests in a month")
        verbose_name_plural = _("requests by month")
        constraints = [
            # Two partial unique indexes, because NULL (outside the region) is never equal to
            # NULL in a unique index: the counts are upserted on one or the other.
            models.UniqueConstraint(
                fields=["month", "territory", "channel", "language", "age_band"],
                condition=Q(territory__isnull=False),
                name="monthly_request_count_unique",
            ),
            models.UniqueConstraint(
                fields=["month", "channel", "language", "age_band"],
                condition=Q(territory__isnull=True),
                name="monthly_request_count_outside_unique",
            ),
        ]
        indexes = [models.Index(fields=["territory", "month"], name="request_count_by_place")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.territory_id or '-'}: {self.count}"


class MonthlyNeedCount(models.Model):
    """Needs expressed per month, territory (with the territories containing it), need,
    outcome, reason unmet, channel and language of the request."""

    month = models.DateField(_("month"))
    territory = models.ForeignKey(Territory, null=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        Category, verbose_name=_("need"), on_delete=models.CASCADE, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reason = models.CharField(_("reason unmet"), max_length=20, choices=Reason.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language of service"), max_length=8, choices=Language.CHOICES)
    count = models.IntegerField(pgettext_lazy("count of", "needs"), default=0)

    KEY = ("month", "territory_id", "category_id", "outcome", "reason", "channel", "language")

    class Meta:
        verbose_name = _("needs in a month")
        verbose_name_plural = _("needs by month")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "month",
                    "territory",
                    "category",
                    "outcome",
                    "reason",
                    "channel",
                    "language",
                ],
                condition=Q(territory__isnull=False),
                name="monthly_need_count_unique",
            ),
            models.UniqueConstraint(
                fields=["month", "category", "outcome", "reason", "channel", "language"],
                condition=Q(territory__isnull=True),
                name="monthly_need_count_outside_unique",
            ),
        ]
        indexes = [models.Index(fields=["territory", "month"], name="need_count_by_place")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.territory_id or '-'} {self.category_id}: {self.count}"
