"""Registration of the analysis parts that live in the CMS (published summary on the consultation page)."""


def register() -> None:
    """Called from CmsConfig.ready()."""
