"""Runtime modes: settings come from the environment; production settings pass check --deploy."""

import os
import subprocess
import sys

from django.conf import settings

from participation.config.env import email_settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-real-secret-key-for-the-deploy-check-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "participation.example.jp",
    "DATABASE_URL": "postgres://city:pw@db.internal:5432/participation",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp://mailer:pw@smtp.example.jp:587",
}


def run_manage(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    full_env.update(env or {})
    full_env["DJANGO_SETTINGS_MODULE"] = "participation.config.settings"  # production settings
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=full_env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_switch_to_real_services_and_strict_csp():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);print(s.CACHES['default']['BACKEND']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND']);print(s.EMAIL_BACKEND);"
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']);print(s.SECURE_HSTS_SECONDS)"
    )
    result = run_manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()[-6:]
    assert lines[0] == "django.db.backends.postgresql"
    assert lines[1] == "django.core.cache.backends.redis.RedisCache"
    assert lines[2] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert lines[3] == "django.core.mail.backends.smtp.EmailBackend"
    assert lines[4] == str(["'self'"])
    assert "unsafe" not in lines[4]
    assert int(lines[5]) >= 31536000


def test_missing_secret_key_is_refused_in_production():
    env = dict(PRODUCTION_ENV)
    env.pop("SECRET_KEY")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_embedded_defaults_need_no_configuration():
    result = run_manage("shell", "-c", "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], s.CACHES['default']['BACKEND'])")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == [
        "django.db.backends.sqlite3", "channels.layers.InMemoryChannelLayer", "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_line_login_is_configured_only_with_credentials():
    code = "from django.conf import settings as s; print('line' in s.SOCIALACCOUNT_PROVIDERS)"
    assert run_manage("shell", "-c", code).stdout.split()[-1] == "False"
    with_line = run_manage("shell", "-c", code, env={"LINE_CHANNEL_ID": "123", "LINE_CHANNEL_SECRET": "s"})
    assert with_line.stdout.split()[-1] == "True"


def test_email_url_parsing():
    smtp = email_settings("smtp://user%40city:p%40ss@smtp.example.jp:2525?tls=0")
    assert smtp["EMAIL_HOST"] == "smtp.example.jp" and smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_USER"] == "user@city" and smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is False
    assert email_settings("smtps://h")["EMAIL_USE_SSL"] is True
    assert email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    try:
        email_settings("ftp://nope")
    except ValueError as exc:
        assert "ftp" in str(exc)
    else:
        raise AssertionError("an unsupported EMAIL_URL must be refused")
