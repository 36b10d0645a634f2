"""Demo survey for ``seed_demo``: 「みらい市 市民満足度調査」 with every question type, an English copy,
200 responses spread over districts and age bands, and 50 invitation codes printed into the log.
Idempotent: a second run finds the page and adds nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

SLUG = "satisfaction-survey"
DISTRICTS = [("kita", "北町", "Kita"), ("minami", "南町", "Minami"), ("higashi", "東町", "Higashi"),
             ("nishi", "西町", "Nishi"), ("chuo", "中央", "Chuo")]
AGES = [("u30", "29歳以下", "29 or younger"), ("30s", "30〜39歳", "30-39"), ("40s", "40〜49歳", "40-49"),
        ("50s", "50〜64歳", "50-64"), ("65p", "65歳以上", "65 or older")]
SERVICES = [("waste", "ごみ収集・リサイクル", "Waste collection and recycling"), ("parks", "公園・緑", "Parks and greenery"),
            ("roads", "道路・歩道", "Roads and pavements"), ("childcare", "子育て支援", "Childcare support"),
            ("disaster", "防災", "Disaster readiness")]
PRIORITIES = [("health", "医療・福祉", "Health and welfare"), ("education", "教育", "Education"),
              ("transport", "公共交通", "Public transport"), ("safety", "防犯・防災", "Safety and disaster readiness"),
              ("environment", "環境・緑", "Environment"), ("economy", "商業・雇用", "Shops and jobs")]
CHANNELS = [("web", "市のウェブサイト", "City website"), ("bulletin", "広報紙", "City bulletin"),
            ("line", "LINE", "LINE"), ("board", "町内会の回覧板", "Neighbourhood circular")]
OPINIONS = [
    "駅前の歩道が狭く、ベビーカーで歩くのが怖いです。",
    "ごみの分別ルールが分かりにくいので、アプリで調べられるようにしてほしい。",
    "公園の木陰が少なく、夏は子どもを遊ばせられません。",
    "コミュニティバスの本数を増やしてほしいです。",
    "図書館の開館時間を夜まで延長してください。",
    "防災訓練の案内がもっと早く届くとありがたいです。",
    "市役所の手続きをオンラインでできるようにしてほしい。",
    "街灯が暗い道が多く、夜の帰宅が不安です。",
]


def _choices(items, lang):
    return [{"value": value, "label": ja if lang == "ja" else en} for value, ja, en in items]


def questions(lang: str) -> list[dict]:
    """The survey's blocks in one language (keys and codes are shared)."""
    ja = lang == "ja"

    def t(j, e):
        return j if ja else e

    def q(key, text, required=True, help_text="", show_if=("", "")):
        return {"key": key, "text": text, "help_text": help_text, "required": required,
                "show_if_question": show_if[0], "show_if_value": show_if[1]}

    return [
        {"type": "section", "value": {"title": t("あなたについて", "About you"),
                                      "intro": t("結果を地域・年代別に集計するために伺います。", "We ask this to compare districts and age groups.")}},
        {"type": "single_choice", "value": {**q("district", t("お住まいの地区", "Your district")),
                                            "choices": _choices(DISTRICTS, lang), "attribute": "district"}},
        {"type": "single_choice", "value": {**q("age_band", t("年代", "Your age")), "choices": _choices(AGES, lang),
                                            "attribute": "age_band"}},
        {"type": "number", "value": {**q("years", t("市内に住んで何年になりますか", "How many years have you lived in the city?"),
                                       required=False), "min_value": Decimal(0), "max_value": Decimal(100),
                                     "unit": t("年", "years")}},
        {"type": "section", "value": {"title": t("市の取り組みへの満足度", "Satisfaction with city services"), "intro": ""}},
        {"type": "likert", "value": {**q("overall", t("市の取り組み全体にどの程度満足していますか", "Overall, how satisfied are you with the city's services?")),
                                     "low_label": t("不満", "Dissatisfied"), "high_label": t("満足", "Satisfied")}},
        {"type": "long_text", "value": {**q("overall_why", t("不満に感じる理由を教えてください", "Please tell us why you are dissatisfied"),
                                          required=False, show_if=("overall", "1")), "max_length": 1000}},
        {"type": "matrix", "value": {**q("services", t("次の分野の満足度をお答えください", "How satisfied are you with each of these?")),
                                     "rows": _choices(SERVICES, lang), "low_label": t("不満", "Dissatisfied"),
                                     "high_label": t("満足", "Satisfied")}},
        {"type": "single_choice", "value": {**q("visited", t("この1年に市役所の窓口を利用しましたか", "Did you visit a city office counter in the past year?")),
                                            "choices": [{"value": "yes", "label": t("はい", "Yes")},
                                                        {"value": "no", "label": t("いいえ", "No")}]}},
        {"type": "date", "value": q("visited_on", t("最後に利用した日（おおよそで構いません）", "When was your last visit (roughly)?"),
                                    required=False, show_if=("visited", "yes"))},
        {"type": "section", "value": {"title": t("これからの重点", "Priorities"), "intro": ""}},
        {"type": "multiple_choice", "value": {**q("priorities", t("市が力を入れるべき分野（3つまで）", "What should the city focus on? (up to 3)")),
                                              "choices": _choices(PRIORITIES, lang), "min_choices": 1, "max_choices": 3}},
        {"type": "ranking", "value": {**q("channels", t("市の情報を知る手段を、よく使う順に並べてください", "Rank how you get city news, most used first")),
                                      "choices": _choices(CHANNELS, lang)}},
        {"type": "section", "value": {"title": t("ご意見", "Your comments"), "intro": ""}},
        {"type": "short_text", "value": {**q("one_word", t("みらい市を一言で表すと", "Mirai City in one word"), required=False),
                                         "max_length": 50}},
        {"type": "long_text", "value": {**q("comment", t("市政へのご意見・ご要望", "Comments and requests to the city"), required=False),
                                        "max_length": 2000}},
    ]


def _answers(rng: random.Random) -> dict:
    district = rng.choice(DISTRICTS)[0]
    overall = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 5, 2])[0]
    visited = rng.random() < 0.55
    answers = {
        "district": district, "age_band": rng.choices([a[0] for a in AGES], weights=[2, 3, 3, 4, 5])[0],
        "years": str(rng.randint(0, 60)), "overall": str(overall),
        "services": {s[0]: str(max(1, min(5, overall + rng.randint(-1, 1)))) for s in SERVICES},
        "visited": "yes" if visited else "no",
        "priorities": rng.sample([p[0] for p in PRIORITIES], rng.randint(1, 3)),
        "channels": rng.sample([c[0] for c in CHANNELS], len(CHANNELS)),
    }
    if visited:
        answers["visited_on"] = (date.today() - timedelta(days=rng.randint(1, 360))).isoformat()
    if overall == 1:
        answers["overall_why"] = rng.choice(OPINIONS)
    if rng.random() < 0.4:
        answers["comment"] = rng.choice(OPINIONS)
    if rng.random() < 0.3:
        answers["one_word"] = rng.choice(["緑が多いまち", "住みやすい", "子育てしやすい", "のんびり", "便利"])
    return answers


def seed_surveys(*, stdout, rng=None, **_) -> None:
    rng = rng or random.Random(13)
    _seed_satisfaction_survey(stdout=stdout, rng=rng)
    _seed_park_survey(stdout=stdout, rng=rng)


def _seed_satisfaction_survey(*, stdout, rng: random.Random) -> None:
    from wagtail.models import Locale

    from surveys import services
    from surveys.models import Audience, InvitationCode, SurveyPage

    ja = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
    en, _created = Locale.objects.get_or_create(language_code="en")
    from wagtail.models import Page

    home = Page.objects.filter(locale=ja, depth=2).first()
    if home is None:
        stdout.write("surveys: no home page; run the pages seeder first")
        return
    survey = SurveyPage.objects.filter(locale=ja, slug=SLUG).first()
    if survey is not None:
        stdout.write(f"surveys: demo survey already there ({survey.responses.count()} responses)")
        return
    now = timezone.now().replace(second=0, microsecond=0)
    survey = SurveyPage(
        title="みらい市 市民満足度調査", slug=SLUG, locale=ja,
        intro="市の取り組みについて、皆さまの満足度とご意見をお聞かせください。所要時間は約5分です。"
              "回答は統計的に処理し、個人が特定されることはありません。",
        opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30), audience=Audience.BROWSER,
        results_public=True, questions=questions("ja"),
        thank_you="ご回答ありがとうございました。結果は調査終了後にこのページと市の広報紙で公表し、"
                  "来年度の施策の見直しに活用します。",
    )
    home.add_child(instance=survey)
    survey.save_revision().publish()
    translated = survey.copy_for_translation(en, copy_parents=True).specific
    translated.title = "Mirai City resident satisfaction survey"
    translated.intro = ("Tell us how satisfied you are with the city's services. It takes about 5 minutes. "
                        "Answers are processed statistically; no one can be identified.")
    translated.questions = questions("en")
    translated.thank_you = ("Thank you for your answers. The results will be published here and in the city bulletin "
                            "after the survey closes, and used to review next year's policies.")
    translated.save_revision().publish()

    structure = services.canonical_structure(survey)
    for i in range(200):
        answers = services.clean_answers(structure, _answers(rng))
        response = services._store(survey=survey, structure=structure, answers=answers, user=None,
                                   browser_key=f"demo-{i}", language="ja" if i % 5 else "en",
                                   source="paper" if i % 10 == 0 else "online", invitation=None)
        response.submitted_at = now - timedelta(days=rng.randint(0, 9), minutes=rng.randint(0, 1440))
        response.save(update_fields=["submitted_at"])
    codes = InvitationCode.objects.bulk_create(
        [InvitationCode(survey=survey, code=c, batch=1) for c in {_code() for _ in range(50)}])
    stdout.write(f"surveys: 「{survey.title}」 at {survey.url} with 200 responses; 50 invitation codes:\n")
    for code in codes:
        stdout.write(f"  {code.display}\n")


def _code() -> str:
    from surveys.codes import new_code

    return new_code()


PARK_SLUG = "park-use-survey"
PARK_USE = [("weekly", "週に1回以上", "Once a week or more"), ("monthly", "月に1〜3回", "1-3 times a month"),
            ("rarely", "ほとんど行かない", "Hardly ever")]
# What residents of each age band write about the parks (districts drawn at random): the demo analysis of the
# parks consultation breaks its themes down by age band and district with these.
PARK_OPINIONS = {
    "u30": ["夜でもボールを蹴れる明るい広場がほしいです。", "スケートボードの練習ができる場所を公園の一角に作ってほしい。",
            "友だちと集まれるベンチとWi-Fiがあるとうれしいです。"],
    "30s": ["小さな子どもでも安心して遊べる柵付きの遊具エリアがほしいです。", "おむつ替えの台があるトイレを公園に設置してください。",
            "砂場が汚れているので定期的に砂を入れ替えてほしいです。"],
    "40s": ["放課後に子どもだけで遊ばせても安心できるよう見通しを良くしてほしい。", "少年野球の練習ができる広さのグラウンドを残してください。",
            "公園の駐輪場が足りず、入口に自転車があふれています。"],
    "50s": ["ジョギングコースに距離の表示があると励みになります。", "夏の日差しが強いので、日陰になる木を増やしてほしいです。",
            "公園の清掃ボランティアに参加したいので窓口を教えてください。"],
    "65p": ["ベンチが少なく、散歩の途中で休めません。", "段差をなくして車いすでも園内を回れるようにしてほしい。",
            "健康遊具を置いて、朝の体操に使えるようにしてほしいです。"],
}


def park_questions(lang: str) -> list[dict]:
    """The park-use survey under the parks consultation: district, age band, how often, and one free-text question."""
    ja = lang == "ja"

    def t(j, e):
        return j if ja else e

    def q(key, text, required=True):
        return {"key": key, "text": text, "help_text": "", "required": required, "show_if_question": "",
                "show_if_value": ""}

    return [
        {"type": "single_choice", "value": {**q("district", t("お住まいの地区", "Your district")),
                                            "choices": _choices(DISTRICTS, lang), "attribute": "district"}},
        {"type": "single_choice", "value": {**q("age_band", t("年代", "Your age")), "choices": _choices(AGES, lang),
                                            "attribute": "age_band"}},
        {"type": "single_choice", "value": {**q("use", t("公園をどのくらい利用しますか", "How often do you use the parks?")),
                                            "choices": _choices(PARK_USE, lang)}},
        {"type": "long_text", "value": {**q("wish", t("公園をもっと使いやすくするために、あったらよいもの・直してほしいこと",
                                                      "What would make the parks better for you?"), required=False),
                                        "max_length": 1000}},
    ]


def _seed_park_survey(*, stdout, rng: random.Random) -> None:
    """A short survey under the parks consultation, so its opinion analysis has survey answers with a district and
    an age band beside the proposals and comments (45 responses, over the last 20 days)."""
    from wagtail.models import Locale

    from participation.core import consultations
    from surveys import services
    from surveys.models import Audience, SurveyPage

    parks = consultations.canonical_pages().filter(slug="parks-future").first()
    if parks is None:
        stdout.write("surveys: no parks-future consultation; the park-use survey is skipped\n")
        return
    if SurveyPage.objects.filter(slug=PARK_SLUG).exists():
        stdout.write("surveys: park-use survey already there\n")
        return
    now = timezone.now().replace(second=0, microsecond=0)
    survey = SurveyPage(
        title="公園の使い方アンケート", slug=PARK_SLUG, locale=parks.locale,
        intro="公園の将来像を考えるため、いまの使い方と、あったらよいものを教えてください。所要時間は1分です。",
        opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=20), audience=Audience.BROWSER,
        results_public=True, questions=park_questions("ja"),
        thank_you="ご回答ありがとうございました。いただいたご意見は公園の将来像の検討に活用します。",
    )
    parks.add_child(instance=survey)
    survey.save_revision().publish()
    en, _created = Locale.objects.get_or_create(language_code="en")
    translated = survey.copy_for_translation(en, copy_parents=True).specific
    translated.title = "How do you use the parks?"
    translated.intro = "Tell us how you use the parks today and what you would like to have. It takes a minute."
    translated.questions = park_questions("en")
    translated.thank_you = "Thank you. Your answers will help plan the future of the parks."
    translated.save_revision().publish()
    structure = services.canonical_structure(survey)
    for i in range(45):
        age_band = [a[0] for a in AGES][i % len(AGES)]
        answers = {"district": rng.choice(DISTRICTS)[0], "age_band": age_band, "use": rng.choice(PARK_USE)[0]}
        if i < 40:
            answers["wish"] = PARK_OPINIONS[age_band][(i // len(AGES)) % 3]
        cleaned = services.clean_answers(structure, answers)
        response = services._store(survey=survey, structure=structure, answers=cleaned, user=None,
                                   browser_key=f"demo-park-{i}", language="ja", source="online", invitation=None)
        response.submitted_at = now - timedelta(days=rng.randint(0, 19), minutes=rng.randint(0, 1440))
        response.save(update_fields=["submitted_at"])
    stdout.write(f"surveys: 「{survey.title}」 under 「{parks.title}」 with 45 responses\n")
