"""Data checks inside migrations: a migration that cannot apply says why, and what to do."""

import importlib

import pytest
from django.apps import apps
from django.core.management.base import CommandError
from django.db import connection

from applications.models import Organisation
from tests.applications.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

unique_registration = importlib.import_module("applications.migrations.0003_organisation_registration_unique")


@pytest.fixture
def without_the_unique_index():
    """The database as before 0003: the test's transaction rolls the DDL back."""
    constraint = next(c for c in Organisation._meta.constraints if c.name == "organisation_registration_unique")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Organisation, constraint)


def test_duplicate_registrations_stop_the_migration_with_each_organisation_named(without_the_unique_index):
    first = OrganisationFactory(name="Fjordlys Sensing", hq_nation="NO", registration_number="NO-918 273 645")
    second = OrganisationFactory(name="Fjordlys Sensing AS", hq_nation="NO", registration_number="no918273645")
    OrganisationFactory(name="Fjordlys Danmark", hq_nation="DK", registration_number="NO918273645")  # other nation
    OrganisationFactory(name="Aurora Quantum", hq_nation="FI", registration_number="FI-3141592")

    with pytest.raises(CommandError) as refused:
        unique_registration.refuse_duplicate_registrations(apps, None)

    lines = str(refused.value).splitlines()
    assert lines[0].startswith("1 registration number(s) are shared by several organisations in one nation")
    assert "merge each group into one organisation (move its members and applications)" in lines[0]
    assert "or correct the registration numbers, with a data fix" in lines[0]
    assert lines[1:] == [
        f"- nation NO, number NO918273645: id {first.pk} 'Fjordlys Sensing' ('NO-918 273 645'); "
        f"id {second.pk} 'Fjordlys Sensing AS' ('no918273645')"
    ]


def test_distinct_registrations_let_the_migration_through(without_the_unique_index):
    OrganisationFactory(hq_nation="NO", registration_number="NO-918273645")
    OrganisationFactory(hq_nation="DK", registration_number="NO-918273645")
    OrganisationFactory(hq_nation="NO", registration_number="NO-918273646")

    assert unique_registration.refuse_duplicate_registrations(apps, None) is None
