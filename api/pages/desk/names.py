"""How the desk names an activity: the one place a rule's display title will be read from.

Rules carry only their activity code for now, so the code is the name ("参加cleanup.join");
when rules gain titles this function returns the title and every desk page follows.
"""


def activity_name(activity: str) -> str:
    return activity
