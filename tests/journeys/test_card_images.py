"""Issue 12, "a look that residents trust": consultation cards (home page, consultation index) show a picture
with alt text, chosen in the Wagtail admin (ConsultationPage.image, image_alt); without one, a drawing in the
colour of the current phase. The demo seeder draws the demo consultations' pictures with Pillow (offline)."""

from __future__ import annotations

import io
import re
from html import escape

import pytest
from django.core.files.images import ImageFile
from django.test import Client
from wagtail.images import get_image_model
from wagtail.models import Locale

from cms.demo import CARD_PICTURES, card_picture_png, demo_consultations, seed_card_images
from cms.models import ConsultationIndexPage

pytestmark = pytest.mark.django_db


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="card consultation-card.*?</li>', html, flags=re.S)


def card_of(html: str, title: str) -> str:
    found = [c for c in cards(html) if escape(title) in c]
    assert len(found) == 1, (title, len(found))
    return found[0]


def get(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def add_picture(page, alt: str = ""):
    image = get_image_model()(title="公園の絵")
    image.file = ImageFile(io.BytesIO(card_picture_png("parks-future")), name="park.png")
    image.save()
    page.image, page.image_alt = image, alt
    page.save_revision().publish()
    return image


def test_a_card_without_picture_draws_a_placeholder_in_the_phase_colour(demo_pages):
    index = ConsultationIndexPage.objects.filter(locale=Locale.get_default()).first()
    for html in (get("/"), get(index.url)):
        assert len(cards(html)) == 3
        for card, phase in zip((card_of(html, p.title) for p in demo_pages), ("proposals", "support", "closed"), strict=True):
            assert f"phase-is-{phase}" in card
            assert re.search(r'<svg class="card-image card-placeholder"[^>]*aria-hidden="true"', card)
            assert "<img" not in card


def test_a_card_shows_the_chosen_picture_with_its_alt_text(open_consultation, support_consultation):
    add_picture(open_consultation, alt="木と遊具のある公園の絵")
    html = get("/")
    card = card_of(html, open_consultation.title)
    img = re.search(r'<img class="card-image" src="([^"]+)" width="640" height="360" alt="([^"]*)"', card)
    assert img and img.group(2) == "木と遊具のある公園の絵"
    assert img.group(1).endswith(".webp") and "card-placeholder" not in card
    served = Client().get(img.group(1))  # the rendition is served with the public media (SERVE_MEDIA=1)
    assert served.status_code == 200 and b"".join(served.streaming_content)[8:12] == b"WEBP"
    original = get_image_model().objects.get().file.name
    assert original.startswith("original_images/") and Client().get(f"/media/{original}").status_code == 404
    assert "card-placeholder" in card_of(html, support_consultation.title)  # the other cards keep theirs
    # The English copy (made before the picture was chosen) shows the same picture.
    english = open_consultation.get_translation(Locale.objects.get(language_code="en"))
    assert '<img class="card-image"' in card_of(get("/en/"), english.title)


def test_without_alt_text_the_images_own_description_is_used(open_consultation):
    image = add_picture(open_consultation, alt="")
    image.description = "公園のイラスト"
    image.save()
    assert 'alt="公園のイラスト"' in card_of(get("/"), open_consultation.title)


def test_the_demo_seeder_draws_every_demo_consultation_a_picture(demo_pages):
    out = io.StringIO()
    seed_card_images(stdout=out)
    assert "3 drawn" in out.getvalue()
    en = Locale.objects.get(language_code="en")
    for page in demo_consultations():
        alt_ja, alt_en = CARD_PICTURES[page.slug]
        english = page.get_translation(en).specific
        assert (page.image_alt, english.image_alt) == (alt_ja, alt_en)
        assert page.image_id == english.image_id and page.image.width == 1280 and page.image.height == 720
    assert f'alt="{CARD_PICTURES["community-bus"][1]}"' in get("/en/")
    seed_card_images(stdout=out)  # run again: nothing new
    assert "0 drawn" in out.getvalue().splitlines()[-1] or out.getvalue().endswith("0 drawn")
    assert get_image_model().objects.count() == 3
