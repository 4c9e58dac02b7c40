"""The French catalogue (locale/fr): complete, safe to format, compiled, and served.

`make messages` refreshes it from the code; each new entry then needs its French
before this passes. The compiled .mo is committed, so running needs no gettext."""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What Python or a template fills in: a translation that drops, adds or renames one
# would raise (a 500) or show the wrong value.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\{.*?\}\}|\{\w*\}")

catalogue = polib.pofile(str(PO))
entries = [entry for entry in catalogue if not entry.obsolete]


def _forms(entry: polib.POEntry) -> list[tuple[str, str]]:
    if entry.msgid_plural:
        return [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
    return [(entry.msgid, entry.msgstr)]


def test_the_catalogue_is_french_with_french_plurals():
    assert catalogue.metadata["Language"] == "fr"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert len(entries) > 500


def test_every_entry_has_its_french():
    untranslated = [entry.msgid for entry in entries if not all(text for _source, text in _forms(entry))]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]

    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_every_placeholder():
    broken = [
        (source, text)
        for entry in entries
        for source, text in _forms(entry)
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text))
    ]

    assert broken == []


def test_the_compiled_catalogue_matches_the_source():
    with MO.open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    stale = []
    for entry in entries:
        context = entry.msgctxt
        if entry.msgid_plural:
            for count, index in ((1, 0), (2, 1)):
                got = (
                    translations.npgettext(context, entry.msgid, entry.msgid_plural, count)
                    if context
                    else translations.ngettext(entry.msgid, entry.msgid_plural, count)
                )
                if got != entry.msgstr_plural[index]:
                    stale.append(entry.msgid)
        else:
            got = translations.pgettext(context, entry.msgid) if context else translations.gettext(entry.msgid)
            if got != entry.msgstr:
                stale.append(entry.msgid)

    assert stale == [], "run `make messages` to compile locale/fr"


@pytest.mark.django_db
def test_a_french_visitor_reads_the_portal_in_french(client):
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    html = client.get(reverse("challenges:list")).content.decode()

    assert '<html lang="fr">' in html
    assert "Défis" in html
    assert ">Challenges<" not in html
