"""factory-boy factories shared by every app's tests."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.enums import Role
from accounts.models import MinistryProfile, ReviewerProfile, User
from accounts.services import user_grant_role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    nation = "NO"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """A verified primary address, as allauth requires to sign in."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
        if create:
            obj.save()


def enrol_totp(user: User) -> str:
    """Give the user a TOTP authenticator; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def make_user(role: Role, **fields) -> User:
    """A user holding `role`; staff roles come with TOTP enrolled, as REQUIRE_STAFF_MFA asks."""
    user = UserFactory(**fields)
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    elif role in {Role.REVIEWER, Role.PROGRAMME_MANAGER, Role.SITE_MANAGER, Role.MINISTRY}:
        user_grant_role(user=user, role=role, by=None)
    if role == Role.REVIEWER:
        ReviewerProfile.objects.create(user=user, nation=user.nation or "NO", affiliation="Test Institute")
    if role == Role.MINISTRY:
        MinistryProfile.objects.create(user=user, nation=user.nation or "NO", ministry_name="Test Ministry")
    if role in {Role.REVIEWER, Role.PROGRAMME_MANAGER, Role.ADMIN}:
        enrol_totp(user)
    return user


__all__ = ["PASSWORD", "Authenticator", "UserFactory", "enrol_totp", "make_user"]
