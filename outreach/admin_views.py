"""The staff step after writing an announcement: the audience preview, scheduling, and counts afterwards."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from outreach import selectors, services
from outreach.forms import ScheduleForm
from outreach.models import Announcement


@require_http_methods(["GET", "POST"])
def announcement_send(request, pk: int):
    if not request.user.has_perm("outreach.send_announcement"):
        raise PermissionDenied
    announcement = get_object_or_404(Announcement, pk=pk)
    form = ScheduleForm(request.POST or None)
    error_messages: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                services.announcement_cancel(announcement=announcement, user=request.user)
                messages.success(request, _("The announcement is a draft again; nothing was sent."))
                return redirect("outreach_admin_send", pk=announcement.pk)
            if form.is_valid():
                services.announcement_schedule(announcement=announcement, user=request.user,
                                               send_at=form.cleaned_data.get("send_at"))
                messages.success(request, _("The announcement is scheduled. Workers send it in batches."))
                return redirect("outreach_admin_send", pk=announcement.pk)
        except ValidationError as error:
            error_messages = [str(m) for m in error.messages]
    preview = None
    if announcement.status in (Announcement.Status.DRAFT, Announcement.Status.SCHEDULED):
        preview = selectors.announcement_preview(announcement)
    from outreach.models import Channel

    labels = dict(Channel.choices)
    context = {
        "announcement": announcement,
        "form": form,
        "error_messages": error_messages,
        "preview": preview,
        "preview_rows": [(labels.get(c, c), n) for c, n in (preview or {}).get("channels", {}).items()],
        "counts": selectors.announcement_counts(announcement),
    }
    return render(request, "outreach/admin/announcement_send.html", context)
