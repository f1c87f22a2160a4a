"""Signing in cannot be guessed: failures counted per account and per address (django-axes), a
lockout page in both languages, the lockout in the trail, an administrator who lifts it, the
client's address read as the API reads it, and the password-reset form throttled too."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core import mail
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from organisations.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
RESET = "/admin/password_reset/"
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.10"


def sign_in(client, username, password, address=ATTACKER, **extra):
    headers = {"HTTP_ACCEPT_LANGUAGE": "fr", **extra}
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def window_passes():
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))


def test_forty_wrong_passwords_lock_the_account_from_that_address_and_the_right_one_then_fails(
    client, curator
):
    answers = [sign_in(client, "nadia", f"wrong-{n}").status_code for n in range(40)]

    assert answers[:4] == [200] * 4  # the sign-in form, saying the password is wrong
    assert answers[4:] == [429] * 36  # from the fifth failure on: the lockout page
    right = sign_in(client, "nadia", "password")
    assert right.status_code == 429
    assert not signed_in(right)
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_until_when_in_french(client, curator):
    for n in range(5):
        response = sign_in(client, "nadia", f"wrong-{n}")

    page = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 14 * 60
    assert "La connexion est suspendue" in page
    assert "Trop d’essais de connexion infructueux" in page
    assert re.search(r"suspendue jusqu’à \d{1,2} h \d{2}\.", page)
    assert "la connexion est refusée, même avec le bon mot de passe" in page
    assert 'href="/admin/password_reset/"' in page


def test_the_pause_ends_fifteen_minutes_after_the_accounts_last_failure(client, curator):
    for n in range(5):
        sign_in(client, "nadia", f"wrong-{n}")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=5))
    sign_in(client, "quelquun", "wrong")  # another account's failure, later, from the same address

    response = sign_in(client, "nadia", "password")

    assert response.status_code == 429
    assert 9 * 60 < int(response["Retry-After"]) <= 10 * 60


def test_the_lockout_page_speaks_english_to_an_english_browser(client, curator):
    for n in range(5):
        response = sign_in(client, "nadia", f"wrong-{n}", HTTP_ACCEPT_LANGUAGE="en")
    assert "Signing in is paused" in response.content.decode()


def test_after_the_window_the_right_password_works_again(client, curator):
    for n in range(6):
        sign_in(client, "nadia", f"wrong-{n}")
    assert sign_in(client, "nadia", "password").status_code == 429

    window_passes()

    assert signed_in(sign_in(client, "nadia", "password"))


def test_another_user_from_another_address_is_not_affected(client, curator, editor):
    for n in range(10):
        sign_in(client, "nadia", f"wrong-{n}")

    assert signed_in(sign_in(client, "sophie", "password", address=OFFICE))


def test_the_curator_herself_signs_in_from_her_office_while_her_account_is_attacked(
    client, curator
):
    for n in range(10):
        sign_in(client, "nadia", f"wrong-{n}", address=ATTACKER)

    assert signed_in(sign_in(client, "nadia", "password", address=OFFICE))


def test_a_spray_across_accounts_from_one_address_locks_that_address(client, curator, editor):
    # Two guesses each at twenty accounts: no account reaches its own limit.
    for n in range(20):
        sign_in(client, f"compte{n // 2}", "Ete2026!")
    assert sign_in(client, "sophie", "password").status_code == 429

    assert signed_in(sign_in(client, "sophie", "password", address=OFFICE))


def test_two_mistakes_then_the_right_password_start_again_from_zero(client, curator):
    sign_in(client, "nadia", "oups", address=OFFICE)
    sign_in(client, "nadia", "oups encore", address=OFFICE)
    assert signed_in(sign_in(client, "nadia", "password", address=OFFICE))
    client.logout()

    for n in range(4):
        assert sign_in(client, "nadia", f"wrong-{n}", address=OFFICE).status_code == 200


def test_the_lockout_is_in_the_trail_without_the_password(client, curator, caplog):
    with caplog.at_level("WARNING"):
        for n in range(6):
            sign_in(client, "nadia", f"secret-guess-{n}")

    failures = AccessFailureLog.objects.filter(username="nadia", ip_address=ATTACKER)
    assert failures.count() == 5  # tries refused during the lockout do not count
    assert failures.filter(locked_out=True).exists()
    entry = ModelLogEntry.objects.get(action="repertoire.login_locked")
    assert entry.object_id == str(curator.pk)
    assert entry.data["ip_address"] == ATTACKER
    with translation.override("fr"):
        assert entry.message == "Connexion suspendue depuis 203.0.113.66 après 5 essais infructueux"
    locked = [r for r in caplog.records if r.getMessage().startswith("Sign-in locked")]
    assert len(locked) == 1
    assert "'nadia' from 203.0.113.66" in locked[0].getMessage()
    assert "secret-guess" not in caplog.text
    assert "secret-guess" not in "".join(AccessAttempt.objects.values_list("post_data", flat=True))


def test_a_name_that_is_no_account_is_not_written_in_the_log(client, caplog):
    with caplog.at_level("WARNING"):
        for n in range(5):
            sign_in(client, "MonMotDePasse!2026", f"wrong-{n}")
    assert "MonMotDePasse" not in caplog.text
    assert "an unknown account" in caplog.text


def test_an_administrator_sees_the_lockout_and_lifts_it(client, curator, administrator):
    for n in range(5):
        sign_in(client, "nadia", f"wrong-{n}")
    client.force_login(administrator)

    page = client.get("/admin/logins/locked/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    text = page.content.decode()
    assert "nadia" in text and ATTACKER in text
    assert "Débloquer" in text

    response = client.post(
        "/admin/logins/locked/unlock/", {"username": "nadia"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 302
    assert (
        "Aucune connexion n’est suspendue en ce moment."
        in client.get("/admin/logins/locked/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )
    unlocked = ModelLogEntry.objects.get(action="repertoire.login_unlocked")
    assert unlocked.user == administrator and unlocked.object_id == str(curator.pk)
    with translation.override("fr"):
        assert unlocked.message == "Connexion débloquée pour ce compte"
    client.logout()

    assert signed_in(sign_in(client, "nadia", "password"))


def test_an_administrator_lifts_an_address_lockout(client, editor, administrator):
    for n in range(20):
        sign_in(client, f"compte{n}", "Ete2026!")
    client.force_login(administrator)
    assert (
        "Tous les comptes de cette adresse"
        in client.get("/admin/logins/locked/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )

    client.post("/admin/logins/locked/unlock/", {"ip_address": ATTACKER})
    client.logout()
    with translation.override("fr"):
        assert (
            ModelLogEntry.objects.get(action="repertoire.login_unlocked").message
            == "Connexion débloquée depuis 203.0.113.66"
        )

    assert signed_in(sign_in(client, "sophie", "password"))


def test_a_curator_cannot_see_nor_lift_lockouts(client, curator, editor):
    for n in range(5):
        sign_in(client, "sophie", f"wrong-{n}")
    client.force_login(curator)

    # Wagtail sends whoever lacks the permission back to the admin's home, saying so.
    assert client.get("/admin/logins/locked/")["Location"] == "/admin/"
    assert (
        client.post("/admin/logins/locked/unlock/", {"username": "sophie"})["Location"] == "/admin/"
    )
    assert AccessAttempt.objects.filter(username="sophie").exists()


def test_the_locked_sign_ins_screen_is_in_the_administrators_settings_menu(
    client_for, administrator, curator
):
    assert "/admin/logins/locked/" in client_for(administrator).get("/admin/").content.decode()
    assert "/admin/logins/locked/" not in client_for(curator).get("/admin/").content.decode()


# --- The client's address, as the API reads it ---------------------------------------------------


def test_behind_one_proxy_the_address_is_read_from_x_forwarded_for(client, curator, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.2"
    for n in range(5):
        sign_in(client, "nadia", f"wrong-{n}", address=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # Another visitor through the same proxy is not locked out with the attacker.
    other = sign_in(client, "nadia", "password", address=proxy, HTTP_X_FORWARDED_FOR=OFFICE)
    assert signed_in(other)


def test_behind_one_proxy_only_the_address_the_proxy_saw_counts(client, curator, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The client writes what it likes before the proxy appends the address it saw.
    for n in range(5):
        sign_in(
            client,
            "nadia",
            f"wrong-{n}",
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_without_proxies_x_forwarded_for_is_ignored(client, curator):
    answers = [
        sign_in(client, "nadia", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(6)
    ]
    assert answers[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


# --- Password reset ---------------------------------------------------------------------------------


def reset(client, email, address=ATTACKER):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="fr")


def test_password_reset_is_throttled_per_address_and_answers_alike_for_unknown_emails(
    client, curator
):
    known = [reset(client, "nadia@example.org").status_code for _ in range(5)]
    assert known == [302] * 5
    assert len(mail.outbox) == 5

    assert reset(client, "nadia@example.org").status_code == 429
    unknown = reset(client, "personne@example.org")
    assert unknown.status_code == 429
    assert len(mail.outbox) == 5
    page = unknown.content.decode()
    assert "Trop de demandes" in page
    assert "Réessayez dans 60 minutes" in page
    assert int(unknown["Retry-After"]) == 3600


def test_password_reset_is_throttled_per_email_across_addresses(client, curator):
    for n in range(5):
        assert reset(client, "nadia@example.org", address=f"192.0.2.{n}").status_code == 302
    assert reset(client, "Nadia@Example.org ", address="192.0.2.99").status_code == 429
    # Someone else, from somewhere else, is not held up.
    assert reset(client, "sophie@example.org", address=OFFICE).status_code == 302


def test_an_unknown_email_is_answered_like_a_known_one_below_the_limit(client, curator):
    known = reset(client, "nadia@example.org", address=OFFICE)
    unknown = reset(client, "personne@example.org", address="192.0.2.1")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_sign_in_counts_are_not_shared_with_password_reset(client, curator):
    for _ in range(5):
        reset(client, "nadia@example.org")
    assert signed_in(sign_in(client, "nadia", "password"))


def test_a_new_account_locked_out_elsewhere_is_still_listed_as_an_account(client, administrator):
    UserFactory(username="marie")
    for n in range(5):
        sign_in(client, "marie", f"wrong-{n}")
    client.force_login(administrator)
    text = client.get("/admin/logins/locked/").content.decode()
    assert "marie" in text and "aucun compte" not in text
