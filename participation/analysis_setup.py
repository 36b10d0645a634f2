"""Registration of the opinion-analysis glue (API for similar proposals, tasks)."""


def register() -> None:
    """Called from ParticipationConfig.ready()."""
