"""Who may see and manage programmes and challenges.

The selectors filter lists with the same rule (selectors.programme_list_visible,
selectors.challenge_list_visible); tests hold the two in agreement.
"""

import rules

from accounts.permissions import is_programme_manager


@rules.predicate
def is_published_programme(user, programme) -> bool:
    return programme is not None and programme.published


@rules.predicate
def is_public_challenge(user, challenge) -> bool:
    return challenge is not None and challenge.published and challenge.programme.published


# Unpublished things answer 404 to everyone but staff (programme managers and admins).
rules.add_perm("challenges.read_programme", is_published_programme | is_programme_manager)
rules.add_perm("challenges.read_challenge", is_public_challenge | is_programme_manager)
rules.add_perm("challenges.manage_programmes", is_programme_manager)
