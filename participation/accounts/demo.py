"""Demo accounts for ``seed_demo``: resident1..resident20, moderator, staff, council."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from participation.core.predicates import COUNCIL, MODERATOR, RESIDENT, STAFF
from participation.models import User

DEMO_NICKNAMES = [
    "さくら", "けやき", "ひまわり", "あおぞら", "こもれび", "つばめ", "みどり", "かえで", "すずらん", "はなみずき",
    "ゆずりは", "しらさぎ", "やまぶき", "あじさい", "ほたる", "こぶし", "なのはな", "もみじ", "いちょう", "つくし",
]
DEMO_DISTRICTS = ["北町", "南町", "東町", "西町", "中央"]


def demo_accounts() -> list[tuple[str, str, list[str], dict]]:
    accounts = [
        (f"resident{i}", DEMO_NICKNAMES[i - 1], [RESIDENT], {"district": DEMO_DISTRICTS[i % len(DEMO_DISTRICTS)]})
        for i in range(1, 21)
    ]
    accounts += [
        ("moderator", "モデレーター", [RESIDENT, MODERATOR], {}),
        ("staff", "市役所職員", [RESIDENT, STAFF], {"is_staff": True}),
        ("council", "市議会議員", [RESIDENT, COUNCIL], {}),
    ]
    return accounts


def seed_accounts(*, stdout, password: str, set_password: bool, **_) -> None:
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (RESIDENT, MODERATOR, STAFF, COUNCIL)}
    created = 0
    for username, nickname, roles, extra in demo_accounts():
        email = f"{username}@example.jp"
        user, was_created = User.objects.get_or_create(
            username=username, defaults={"email": email, "display_name": nickname, **extra}
        )
        if was_created or set_password:
            user.set_password(password)
            user.save()
        created += was_created
        user.groups.add(*(groups[r] for r in roles))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    stdout.write(f"accounts: {created} created, {len(demo_accounts()) - created} already there")
