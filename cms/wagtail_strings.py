"""Wagtail's own words that say the wrong thing for the 211, said better in our translations.

Django looks for a translation in ``LOCALE_PATHS`` (ours) before an app's own locale folder, so a
msgid of Wagtail's translated in ``locale/fr`` replaces Wagtail's French. ``makemessages`` only
keeps the msgids it finds in our code: they are listed here, with why. Nothing imports this
module; it is read by ``makemessages`` only.
"""

from django.utils.translation import gettext_noop

WAGTAIL_WORDS_SAID_BETTER = [
    # The bulk actions' counter: Wagtail's French says « 3 fragment sélectionné » (a snippet is a
    # « fragment », in the singular). Here every snippet is a record: « 3 fiches sélectionnées ».
    gettext_noop("1 snippet selected"),
    gettext_noop("%(objects)s snippets selected"),
    gettext_noop("All %(objects)s snippets on this screen selected"),
    gettext_noop("All snippets in listing selected"),
]
