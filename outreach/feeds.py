"""Atom feeds (Django's syndication framework): city-wide announcements, a consultation's new proposals and
answers, and reports in a district or a bounding box. Only public, visible items appear."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach import selectors
from outreach.geo import contains
from outreach.models import District

LIMIT = 50


class AnnouncementFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Announcements from the city")
    subtitle = gettext_lazy("City-wide announcements")

    def link(self):
        return reverse("outreach:announcements")

    def items(self):
        return selectors.public_announcements()[:LIMIT]

    def item_title(self, item):
        return item.localized_title

    def item_description(self, item):
        return item.localized_body

    def item_link(self, item):
        return reverse("outreach:announcement", args=[item.pk])

    def item_pubdate(self, item):
        return item.finished_at or item.created_at


class ConsultationFeed(Feed):
    """New proposals of a consultation, and the city's answers to them (its results)."""

    feed_type = Atom1Feed

    def get_object(self, request, page_id: int):
        from participation.core import consultations

        return consultations.get_or_404(page_id)

    def title(self, obj):
        return _("%(title)s: proposals and answers") % {"title": obj.title}

    def link(self, obj):
        return obj.url or "/"

    def items(self, obj):
        from proposals.models import Proposal, ProposalState

        proposals = list(
            Proposal.objects.visible().filter(consultation_id=obj.pk).exclude(state=ProposalState.WITHDRAWN)
            .order_by("-created_at")[:LIMIT]
        )
        answers = list(
            Proposal.objects.visible().filter(consultation_id=obj.pk, answered_at__isnull=False)
            .exclude(state=ProposalState.WITHDRAWN).exclude(official_answer="").order_by("-answered_at")[:LIMIT]
        )
        entries = [("proposal", p, p.created_at) for p in proposals] + [("answer", p, p.answered_at) for p in answers]
        return sorted(entries, key=lambda e: e[2], reverse=True)[:LIMIT]

    def item_title(self, item):
        kind, proposal, _when = item
        if kind == "answer":
            return _("The city answered: %(title)s") % {"title": proposal.title}
        return proposal.title

    def item_description(self, item):
        kind, proposal, _when = item
        return proposal.official_answer if kind == "answer" else proposal.body

    def item_link(self, item):
        kind, proposal, _when = item
        return proposal.get_absolute_url() + ("#answer" if kind == "answer" else "")

    def item_guid(self, item):
        kind, proposal, _when = item
        return f"{kind}-{proposal.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item[2]


class ReportFeed(Feed):
    """Reports in a district (?district=北町) or a bounding box (?bbox=min_lon,min_lat,max_lon,max_lat)."""

    feed_type = Atom1Feed

    def get_object(self, request):
        return request.area

    def title(self, obj):
        return _("New reports: %(area)s") % {"area": obj["label"]}

    def link(self, obj):
        return reverse("reports_map:list")

    def items(self, obj):
        from reports_map.models import Report

        min_lat, min_lon, max_lat, max_lon = obj["bbox"]
        qs = (Report.objects.visible().filter(private=False, latitude__range=(min_lat, max_lat),
                                              longitude__range=(min_lon, max_lon))
              .select_related("category").order_by("-created_at"))
        district = obj.get("district")
        if district is None:
            return list(qs[:LIMIT])
        return [r for r in qs[:LIMIT * 20] if contains(district.boundary, r.latitude, r.longitude)][:LIMIT]

    def item_title(self, item):
        name = item.category.localized_name
        return f"#{item.pk} {name} ({item.get_status_display()})"

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return reverse("reports_map:detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.created_at


def _bbox_of(geometry) -> tuple[float, float, float, float] | None:
    from outreach.geo import polygons_of

    points = [pt for polygon in polygons_of(geometry) for ring in polygon[:1] for pt in ring]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lats), min(lons), max(lats), max(lons)


def report_feed(request):
    """Validate the area first: a clear 400 for an unknown district or a malformed box."""
    district_name = request.GET.get("district", "").strip()
    bbox = request.GET.get("bbox", "").strip()
    if district_name:
        district = District.objects.filter(name_ja=district_name).first() or \
            District.objects.filter(name_en=district_name).first()
        if district is None:
            return HttpResponseBadRequest(_("Unknown district: %(names)s") % {"names": district_name},
                                          content_type="text/plain; charset=utf-8")
        box = _bbox_of(district.boundary)
        if box is None:
            return HttpResponseBadRequest(_("This district has no boundary on the map yet."),
                                          content_type="text/plain; charset=utf-8")
        request.area = {"label": district.localized_name, "bbox": box, "district": district}
    elif bbox:
        try:
            min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox.split(","))
        except ValueError:
            min_lon = min_lat = max_lon = max_lat = float("nan")
        if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
            return HttpResponseBadRequest(_("The box must be min_lon,min_lat,max_lon,max_lat."),
                                          content_type="text/plain; charset=utf-8")
        request.area = {"label": _("the chosen area"), "bbox": (min_lat, min_lon, max_lat, max_lon)}
    else:
        return HttpResponseBadRequest(_("Give a district (?district=...) or a box (?bbox=...)."),
                                      content_type="text/plain; charset=utf-8")
    return ReportFeed()(request)


def consultation_feed(request, page_id: int):
    return ConsultationFeed()(request, page_id=page_id)


def announcement_feed(request):
    return AnnouncementFeed()(request)



