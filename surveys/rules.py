"""Permission names for surveys. Views, the API and templates check these."""

from __future__ import annotations

import rules

from participation.core.predicates import is_member, is_staff_member


def _survey(obj):
    return getattr(obj, "canonical", obj)


@rules.predicate
def survey_is_live(user, survey) -> bool:
    return survey is not None and _survey(survey).live


@rules.predicate
def survey_is_open(user, survey) -> bool:
    return survey is not None and survey.is_open()


@rules.predicate
def audience_is_members(user, survey) -> bool:
    return survey is not None and _survey(survey).audience == "members"


@rules.predicate
def results_are_public(user, survey) -> bool:
    return survey is not None and _survey(survey).results_public and survey.is_closed()


# Anyone may try to answer an open survey whose audience is the browser or a code (the code is checked
# by the service); a members-only survey needs a signed-in, not blocked account.
rules.add_perm("surveys.answer_survey", survey_is_live & survey_is_open & (~audience_is_members | is_member))
rules.add_perm("surveys.manage_survey", is_staff_member)
rules.add_perm("surveys.view_results", is_staff_member | (survey_is_live & results_are_public))
