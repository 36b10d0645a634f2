"""Registration of the moderation, dashboard, open-data and account-data features (kernel)."""


def register() -> None:
    """Called from ParticipationConfig.ready()."""
