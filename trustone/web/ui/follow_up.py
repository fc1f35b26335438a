"""The words of the follow-up page made in Python: the stage names and the form's messages.

The follow-up page is in ten languages (``i18n.FOLLOW_UP_LANGUAGES``): its readers are local
partners, often quarry workers' unions, so the words are plain and short. Every msgid here has a
translation in each of those languages (tests/unit/test_follow_up_languages.py reads this file).
"""

from __future__ import annotations

from grievance.domain.stages import Stage
from trustone.web.ui.i18n import N_

STAGE_NAMES: dict[str, str] = {
    Stage.FILED: N_("Report received"),
    Stage.ACKNOWLEDGED: N_("Confirmed by the secretariat"),
    Stage.INADMISSIBLE: N_("Not taken up"),
    Stage.MATCHED: N_("Buying companies found"),
    Stage.NOT_IN_MEMBER_CHAINS: N_("No member company buys here"),
    Stage.COMPANIES_NOTIFIED: N_("Companies informed"),
    Stage.IN_DIALOGUE: N_("In talks with the companies"),
    Stage.REMEDIATION_AGREED: N_("Remedy agreed"),
    Stage.REMEDIATION_MONITORED: N_("Remedy being checked"),
    Stage.RESOLVED: N_("Resolved"),
    Stage.REFERRED: N_("Sent to the complaints committee"),
    Stage.ADMITTED: N_("Accepted by the committee"),
    Stage.HEARING_SCHEDULED: N_("Hearing planned"),
    Stage.RULED: N_("The committee has decided"),
    Stage.REMINDED: N_("Reminder sent"),
    Stage.MEMBERSHIP_END_PROPOSED: N_("End of membership proposed"),
    Stage.CLOSED: N_("Closed"),
}

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
