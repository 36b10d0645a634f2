import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many accounts; a cheap hasher keeps them quick (login still checks passwords)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
