"""Phone numbers: stored in E.164 (+15145551234), shown the way people in Québec write them.

Parsing and formatting are libphonenumber's (the ``phonenumbers`` package), never hand-written
patterns.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "CA"


def normalise_phone(raw: str) -> str:
    """``"514 555-1234"``, ``"5145551234.0"`` or ``"+1 (514) 555 1234"`` -> ``"+15145551234"``.

    Raises ``ValidationError`` with a sentence a curator understands when it is not a number.
    """
    text = (raw or "").strip()
    if text.endswith(".0") and text[:-2].isdigit():  # spreadsheets turn numbers into floats
        text = text[:-2]
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), params={"value": raw}, code="invalid"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number in Canada or elsewhere."),
            params={"value": raw},
            code="invalid",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def format_phone_national(number: str) -> str:
    """``"+15145551234"`` -> ``"(514) 555-1234"``; anything unparseable is shown as stored."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return number
    if parsed.country_code == 1:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
