"""Demo page tree: home, consultation index, three consultations in different phases, an about page.

Japanese pages are the originals; English translations are created with Wagtail's locales.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from cms.models import (
    ConsultationCategory,
    ConsultationIndexPage,
    ConsultationPage,
    ConsultationPhase,
    ContentPage,
    HomePage,
    PhaseKind,
)

CONSULTATIONS = [
    {
        "slug": "parks-future",
        "title": "みらい市の公園の未来を一緒に考えましょう",
        "title_en": "Shaping the future of Mirai City's parks",
        "summary": "市内32か所の公園の再整備計画について、遊具、緑、防災、利用ルールなどの提案を募集します。",
        "summary_en": "We are collecting proposals on play equipment, greenery, disaster readiness and rules for the redevelopment of the city's 32 parks.",
        "phases": [(PhaseKind.INFORMATION, -40, -20), (PhaseKind.PROPOSALS, -20, 30), (PhaseKind.SUPPORT, 30, 60), (PhaseKind.CLOSED, 60, None)],
        "categories": [("play", "遊具・子どもの遊び場", "Play equipment"), ("green", "緑・自然", "Greenery and nature"),
                       ("safety", "防災・安全", "Disaster readiness and safety"), ("rules", "利用ルール", "Rules of use")],
        "supports_per_user": 10, "proposals_per_user": 5, "support_threshold": 20, "featured": True,
    },
    {
        "slug": "community-bus",
        "title": "コミュニティバス路線の見直し",
        "title_en": "Reviewing the community bus routes",
        "summary": "高齢者や子育て世帯の移動を支えるコミュニティバスの路線・ダイヤ・停留所の見直し案に、賛同をお寄せください。",
        "summary_en": "Support the proposals for routes, timetables and stops of the community bus that helps older residents and families get around.",
        "phases": [(PhaseKind.PROPOSALS, -50, -5), (PhaseKind.SUPPORT, -5, 25), (PhaseKind.CLOSED, 25, None)],
        "categories": [("routes", "路線", "Routes"), ("timetable", "ダイヤ・運行本数", "Timetable"),
                       ("stops", "停留所・バリアフリー", "Stops and accessibility"), ("fares", "運賃", "Fares")],
        "supports_per_user": 5, "proposals_per_user": 3, "support_threshold": 15, "featured": True,
    },
    {
        "slug": "childcare-plan",
        "title": "第2期 子ども・子育て支援計画への意見募集",
        "title_en": "Public comment on the second Child and Family Support Plan",
        "summary": "保育、学童、子育て相談、遊び場などについて、計画案への意見を募集しました。受付は終了し、市が意見を整理しています。",
        "summary_en": "Comments on childcare, after-school care, family counselling and play spaces were collected. The period has closed and the city is reviewing them.",
        "phases": [(PhaseKind.INFORMATION, -120, -90), (PhaseKind.PROPOSALS, -90, -30), (PhaseKind.CLOSED, -30, None)],
        "categories": [("nursery", "保育", "Childcare"), ("afterschool", "学童保育", "After-school care"),
                       ("support", "子育て相談", "Family support"), ("play", "遊び場", "Play spaces")],
        "supports_per_user": 0, "proposals_per_user": 0, "support_threshold": 0, "featured": False,
    },
]


def _body(text: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


BODY_TEXT = {
    # heading, paragraph, callout title, callout text, question, answer
    "ja": ("参加のしかた",
           "<p>背景資料をお読みのうえ、提案の受付期間中に提案を投稿してください。"
           "提案には賛成・反対・中立の立場でコメントでき、市に取り上げてほしい提案に賛同できます。</p>",
           "個人情報について",
           "<p>表示されるのはニックネームだけです。メールアドレスや本名が公開されることはありません。</p>",
           "投稿された提案はどうなりますか？",
           "<p>市の担当課がすべての提案を確認し、公式な回答を掲載します。賛同数が目標に達した提案は、"
           "議会の委員会で報告されます。</p>"),
    "en": ("How to take part",
           "<p>Read the background, post a proposal while proposals are open, comment for, against or neutrally, "
           "and support the proposals you want the city to take up.</p>",
           "Your privacy",
           "<p>Only your nickname is shown. Your e-mail address and real name are never published.</p>",
           "What happens to the proposals?",
           "<p>City staff review every proposal and publish an official answer. Proposals that reach the support "
           "threshold are discussed at the council committee.</p>"),
}


def _consultation_body(language: str) -> list[dict]:
    """A body that shows the shared blocks: heading, paragraph, callout and questions."""
    heading, paragraph, callout_title, callout_text, question, answer = BODY_TEXT[language]
    return [
        {"type": "heading", "value": {"text": heading, "level": "h2"}},
        {"type": "paragraph", "value": paragraph},
        {"type": "callout", "value": {"title": callout_title, "text": callout_text}},
        {"type": "faq", "value": {"question": question, "answer": answer}},
    ]


def _english(page: Page, en: Locale, **fields) -> Page:
    translated = page.get_translation_or_none(en)
    if translated is None:
        translated = page.copy_for_translation(en, copy_parents=True)
    translated = translated.specific
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated


def seed_pages(*, stdout, **_) -> None:
    ja, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    en, _created = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node()
    if root is None:  # a flushed database (transactional tests) has no tree at all
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=ja))
    home = HomePage.objects.filter(locale=ja).first()
    if home is None:
        # Replace Wagtail's placeholder welcome page.
        for placeholder in root.get_children().exclude(content_type__model="homepage"):
            if placeholder.specific_class is Page:
                placeholder.delete()
        root.refresh_from_db()
        home = root.add_child(instance=HomePage(
            title=f"{settings.CITY['name']} 市民参加ポータル", slug="home", locale=ja,
            intro="市の計画づくりに参加しましょう。提案を投稿し、ほかの提案に賛同し、まちの困りごとを地図で知らせることができます。",
        ))
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=settings.WAGTAIL_SITE_NAME)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save()

    index = ConsultationIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(instance=ConsultationIndexPage(
            title="意見募集・市民提案", slug="consultations", locale=ja,
            intro="現在と過去の意見募集の一覧です。",
        ))
        index.save_revision().publish()
    about = ContentPage.objects.child_of(home).first()
    if about is None:
        about = home.add_child(instance=ContentPage(
            title="このサイトについて", slug="about", locale=ja,
            body=_body("このサイトは、市民の皆さまの声を市政に生かすための参加型プラットフォームです。投稿は利用規約に基づき管理されます。"),
        ))
        about.save_revision().publish()

    if home.get_translation_or_none(en) is None or not home.get_translation(en).live:
        _english(home, en, title=f"{settings.CITY['name_en']} participation portal",
                 intro="Take part in your city's plans: post proposals, support them, and report local problems on the map.")
    if index.get_translation_or_none(en) is None or not index.get_translation(en).live:
        _english(index, en, title="Consultations and proposals", intro="Current and past consultations.")
    if about.get_translation_or_none(en) is None or not about.get_translation(en).live:
        _english(about, en, title="About this site", body=_body(
            "This is a participation platform that brings residents' voices into city policy. Posts are moderated under the terms of use."))

    # Phases change at local midnight, so one phase's last day is the day before the next one's first.
    now = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    created = 0
    for spec in CONSULTATIONS:
        page = ConsultationPage.objects.child_of(index).filter(slug=spec["slug"]).first()
        if page is None:
            page = ConsultationPage(
                title=spec["title"], slug=spec["slug"], locale=ja, summary=spec["summary"], body=_consultation_body("ja"),
                start_date=(now + timedelta(days=spec["phases"][0][1])).date(),
                end_date=(now + timedelta(days=spec["phases"][-1][1] - 1)).date(),
                featured=spec["featured"], supports_per_user=spec["supports_per_user"],
                proposals_per_user=spec["proposals_per_user"], support_threshold=spec["support_threshold"],
            )
            page.phases = [
                ConsultationPhase(
                    sort_order=order, kind=kind, starts_at=now + timedelta(days=start),
                    ends_at=None if end is None else now + timedelta(days=end),
                )
                for order, (kind, start, end) in enumerate(spec["phases"])
            ]
            page.categories = [
                ConsultationCategory(sort_order=order, slug=slug, name=name, name_en=name_en)
                for order, (slug, name, name_en) in enumerate(spec["categories"])
            ]
            index.add_child(instance=page)
            page.save_revision().publish()
            created += 1
        if page.get_translation_or_none(en) is None:
            _english(page, en, title=spec["title_en"], summary=spec["summary_en"], body=_consultation_body("en"))
    stdout.write(f"pages: {created} consultations created, {len(CONSULTATIONS) - created} already there")


def demo_consultations() -> list[ConsultationPage]:
    """The demo consultations in the default language, in the order of ``CONSULTATIONS``."""
    pages = {p.slug: p for p in ConsultationPage.objects.filter(locale=Locale.get_default())}
    return [pages[spec["slug"]] for spec in CONSULTATIONS if spec["slug"] in pages]


# --- Card pictures, drawn here with Pillow (nothing is downloaded) -----------------------------

CARD_PICTURES = {
    # slug: (Japanese alt text, English alt text)
    "parks-future": ("緑の丘に木が並び、ベンチと遊具のある公園のイラスト",
                     "Illustration of a park: trees on green hills, a bench and a slide"),
    "community-bus": ("停留所に止まる黄緑色のコミュニティバスのイラスト",
                      "Illustration of a light-green community bus waiting at a bus stop"),
    "childcare-plan": ("家並みの前で風船が浮かぶ、子育てをイメージしたイラスト",
                       "Illustration of balloons floating in front of a row of houses, for families and children"),
}
PICTURE_SIZE = (1280, 720)


def _gradient(draw, size, top, bottom) -> None:
    width, height = size
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))


def _draw_park(draw) -> None:
    _gradient(draw, PICTURE_SIZE, (196, 226, 247), (240, 248, 255))
    draw.ellipse((1010, 70, 1150, 210), fill=(255, 214, 102))
    draw.ellipse((-200, 430, 760, 900), fill=(120, 190, 120))
    draw.ellipse((500, 470, 1500, 960), fill=(86, 160, 96))
    for x, y, r in ((180, 360, 90), (330, 330, 110), (900, 380, 95), (1080, 400, 80)):
        draw.rectangle((x - 12, y + r - 20, x + 12, y + r + 110), fill=(110, 78, 52))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(46, 125, 70))
    draw.rectangle((560, 560, 760, 578), fill=(150, 102, 60))  # bench
    draw.rectangle((575, 578, 590, 630), fill=(110, 78, 52))
    draw.rectangle((730, 578, 745, 630), fill=(110, 78, 52))
    draw.polygon([(820, 640), (960, 500), (985, 515), (850, 655)], fill=(230, 90, 70))  # slide
    draw.rectangle((955, 500, 975, 660), fill=(90, 90, 110))


def _draw_bus(draw) -> None:
    _gradient(draw, PICTURE_SIZE, (214, 232, 250), (250, 250, 246))
    for x, w, h in ((60, 160, 260), (260, 120, 200), (900, 180, 300), (1120, 120, 220)):
        draw.rectangle((x, 560 - h, x + w, 560), fill=(170, 186, 206))
    draw.rectangle((0, 560, 1280, 720), fill=(90, 96, 108))
    for x in range(0, 1280, 160):
        draw.rectangle((x + 30, 636, x + 110, 646), fill=(236, 236, 236))
    draw.rounded_rectangle((300, 330, 960, 600), radius=48, fill=(120, 190, 60))
    draw.rectangle((300, 520, 960, 540), fill=(30, 100, 60))
    for x in range(340, 900, 120):
        draw.rounded_rectangle((x, 365, x + 95, 450), radius=12, fill=(225, 242, 255))
    draw.rounded_rectangle((880, 365, 940, 520), radius=10, fill=(225, 242, 255))
    for x in (410, 830):
        draw.ellipse((x - 52, 550, x + 52, 654), fill=(40, 40, 46))
        draw.ellipse((x - 22, 580, x + 22, 624), fill=(190, 190, 196))
    draw.rectangle((1050, 360, 1062, 600), fill=(80, 80, 90))  # bus stop
    draw.ellipse((1006, 300, 1106, 400), fill=(0, 94, 184))
    draw.ellipse((1026, 320, 1086, 380), fill=(255, 255, 255))


def _draw_childcare(draw) -> None:
    _gradient(draw, PICTURE_SIZE, (255, 236, 214), (255, 250, 240))
    draw.rectangle((0, 590, 1280, 720), fill=(150, 200, 130))
    for x, w, color in ((90, 220, (236, 170, 120)), (360, 260, (150, 180, 220)), (680, 200, (240, 200, 110)),
                        (930, 260, (210, 150, 170))):
        draw.rectangle((x, 420, x + w, 590), fill=color)
        draw.polygon([(x - 20, 425), (x + w // 2, 300), (x + w + 20, 425)], fill=(170, 80, 70))
        draw.rectangle((x + w // 2 - 28, 510, x + w // 2 + 28, 590), fill=(110, 78, 52))
        draw.rectangle((x + 24, 450, x + 74, 495), fill=(255, 255, 240))
    for x, y, color in ((300, 150, (235, 87, 87)), (440, 110, (80, 150, 230)), (620, 170, (250, 190, 60)),
                        (820, 120, (120, 190, 110)), (980, 180, (200, 110, 200))):
        draw.line([(x, y + 70), (x + 10, y + 230)], fill=(120, 120, 120), width=3)
        draw.ellipse((x - 48, y - 60, x + 48, y + 70), fill=color)


DRAWINGS = {"parks-future": _draw_park, "community-bus": _draw_bus, "childcare-plan": _draw_childcare}


def card_picture_png(slug: str) -> bytes:
    """The demo consultation's card picture as PNG bytes, drawn with Pillow."""
    import io

    from PIL import Image as PillowImage
    from PIL import ImageDraw

    picture = PillowImage.new("RGB", PICTURE_SIZE, (255, 255, 255))
    DRAWINGS[slug](ImageDraw.Draw(picture))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def seed_card_images(*, stdout, **_) -> None:
    """Give each demo consultation (both languages) its card picture, with alt text; kept when already set."""
    import io

    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    image_model = get_image_model()
    en = Locale.objects.filter(language_code="en").first()
    # Wagtail's migrations create the root collection; a flushed database (transactional tests) has none.
    collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
    added = 0
    for page in demo_consultations():
        if page.slug not in DRAWINGS or page.image_id:
            continue
        alt_ja, alt_en = CARD_PICTURES[page.slug]
        image = image_model(title=f"{page.title}（イラスト）", description=alt_ja, collection=collection)
        image.file = ImageFile(io.BytesIO(card_picture_png(page.slug)), name=f"demo-{page.slug}.png")
        image.save()
        for copy, alt in ((page, alt_ja), (page.get_translation_or_none(en) if en else None, alt_en)):
            if copy is None:
                continue
            copy = copy.specific
            copy.image, copy.image_alt = image, alt
            copy.save_revision().publish()
        added += 1
    stdout.write(f"card pictures: {added} drawn")
