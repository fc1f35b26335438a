"""The words of the follow-up page made in Python: the stage names (from the site's vocabulary) and the form's messages.

The follow-up page is in ten languages (``i18n.FOLLOW_UP_LANGUAGES``): its readers are local
partners, often quarry workers' unions, so the words are plain and short. Every msgid here has a
translation in each of those languages (tests/unit/test_follow_up_languages.py reads this file
and the vocabulary's stage names).
"""

from __future__ import annotations

from trustone.web.ui import vocabulary
from trustone.web.ui.i18n import N_

STAGE_NAMES: dict[str, str] = vocabulary.STAGE  # the site's one set of stage names (plain words)

CODE_MISSING = N_("Enter your follow-up code.")
CODE_MALFORMED = N_("A follow-up code has 16 letters and digits. Check the code and try again.")
CODE_UNKNOWN = N_("No report has this code. Check the code and try again.")
CODE_LETTERS = 16  # grievance/application.py makes 16 (in groups of 4 with dashes)


def stage_name(stage: str) -> str:
    """The msgid of a stage's name; an unknown stage (a newer server's) as it is."""
    return STAGE_NAMES.get(stage, stage)


def code_letters(code: str) -> str:
    """The letters and digits of a typed code (dashes and spaces left out), to check its length;
    the use case reads the code as typed."""
    return "".join(ch for ch in code if ch.isalnum())
