"""HTML views: fetch, check the permission name, call one service, render or redirect."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accountability import charts, selectors, services
from accountability.forms import (
    ChooseResultForm,
    LinkProposalForm,
    LinkReportForm,
    ResultFromProposalForm,
    ResultUpdateForm,
)
from accountability.models import Department, Result, ResultStatus
from participation.core import consultations, freshness
from participation.core.maps import tile_config


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You are not allowed to do that.")


def _map_config(results, consultation=None) -> dict:
    from django.conf import settings

    if consultation is not None:
        center, zoom = [consultation.map_latitude, consultation.map_longitude], consultation.map_zoom
    else:
        center, zoom = settings.CITY["center"], settings.CITY["zoom"]
    return {"center": center, "zoom": zoom, **tile_config(), "points": selectors.map_points(results),
            "text": {"progress": _("Progress"), "open": _("Open the result")}}


def _filters(request):
    try:
        return selectors.result_filters_clean(
            status=request.GET.get("status"), category=request.GET.get("category"),
            department=request.GET.get("department"), consultation=request.GET.get("consultation"),
        ), None
    except ValidationError as exc:
        return selectors.ResultFilters(), " ".join(exc.messages)


def _list_context(results, filters, error) -> dict:
    query = {k: v for k, v in (("status", filters.status), ("category", filters.category),
                               ("department", filters.department), ("consultation", filters.consultation)) if v}
    counts = selectors.status_counts(results)
    return {
        "results": results, "filters": filters, "error": error, "query_string": urlencode(query),
        "statuses": ResultStatus.objects.all(), "departments": Department.objects.all(),
        "overall": selectors.overall_progress(results), "status_counts": counts,
        "chart": charts.bar_chart([(row["label"], row["count"]) for row in counts]),
        "overdue_count": sum(1 for r in results if r.is_overdue),
    }


def results_index(request):
    """City-wide: every public result, grouped by consultation, with filters, a map and a chart."""
    filters, error = _filters(request)
    results = list(selectors.result_list(filters=filters))
    groups: dict = {}
    for result in results:
        groups.setdefault(result.consultation_id, {"consultation": result.consultation, "results": []})
        groups[result.consultation_id]["results"].append(result)
    for group in groups.values():
        group["progress"] = selectors.overall_progress(group["results"])
    context = _list_context(results, filters, error)
    context.update({
        "groups": list(groups.values()), "map_config": _map_config(results),
        "consultations": selectors.public_consultation_pages().filter(results__isnull=False).distinct()
        .order_by("-start_date"),
    })
    return render(request, "accountability/results_index.html", context)


def _consultation_or_404(consultation_id: int):
    return consultations.get_or_404(consultation_id)


def consultation_results(request, consultation_id: int):
    """One consultation's results grouped by category with overall progress, filters, map and chart."""
    consultation = _consultation_or_404(consultation_id)
    filters, error = _filters(request)
    if filters.category and not consultation.categories.filter(slug=filters.category).exists():
        error = _("Unknown category “%(value)s”.") % {"value": filters.category}
        filters = selectors.ResultFilters(status=filters.status, department=filters.department)
    results = list(selectors.result_list(filters=filters, consultation_id=consultation.pk))
    context = _list_context(results, filters, error)
    context.update({
        "consultation": consultation, "groups": selectors.group_by_category(results),
        "categories": list(consultation.categories.all()), "map_config": _map_config(results, consultation),
    })
    return render(request, "accountability/consultation_results.html", context)


def _result_or_404(request, result_id: int) -> Result:
    result = selectors.result_detail(result_id=result_id)
    if result is None or not request.user.has_perm("accountability.view_result", result):
        raise Http404
    return result


def result_detail(request, result_id: int, update_form=None, status=200):
    result = _result_or_404(request, result_id)
    can_change = request.user.has_perm("accountability.change_result", result)
    context = {
        "result": result, "timeline": selectors.result_timeline(result=result),
        "children": selectors.result_children(result=result), "proposals": selectors.result_proposals(result=result),
        "reports": selectors.result_reports(result=result), "places": list(result.places.all()),
        "following": request.user.is_authenticated and result.follows.filter(user=request.user).exists(),
        "can_follow": request.user.has_perm("accountability.follow_result", result),
        "can_change": can_change,
    }
    if context["places"]:
        context["map_config"] = _map_config([result], result.consultation)
    if can_change:
        context.update({
            "update_form": update_form or ResultUpdateForm(), "report_form": LinkReportForm(),
            "proposal_form": LinkProposalForm(),
        })
    return render(request, "accountability/result_detail.html", context, status=status)


@login_required
@require_POST
def result_update_view(request, result_id: int):
    result = _result_or_404(request, result_id)
    if not request.user.has_perm("accountability.change_result", result):
        raise PermissionDenied(_("Only city staff can post updates."))
    form = ResultUpdateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.result_post_update(
                result=result, actor=request.user, text=form.cleaned_data["text"], photo=form.cleaned_data["photo"],
                progress=form.cleaned_data["progress"], status=form.cleaned_data["status"],
            )
        except ValidationError as exc:
            for field, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The update was published."))
            return redirect(result.get_absolute_url() + "#timeline")
    return result_detail(request, result_id, update_form=form, status=400)


@login_required
@require_POST
def result_follow_view(request, result_id: int):
    result = _result_or_404(request, result_id)
    if request.POST.get("action") == "unfollow":
        services.result_unfollow(result=result, user=request.user)
        messages.success(request, _("You no longer follow this result."))
    else:
        if not request.user.has_perm("accountability.follow_result", result):
            raise PermissionDenied(_("You cannot follow this result."))
        services.result_follow(result=result, user=request.user)
        messages.success(request, _("You will be notified of updates to this result."))
    return redirect(result.get_absolute_url())


@login_required
@require_POST
def result_link_report_view(request, result_id: int):
    from reports_map.models import Report

    result = _result_or_404(request, result_id)
    if not request.user.has_perm("accountability.change_result", result):
        raise PermissionDenied(_("Only city staff can change results."))
    form = LinkReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a report number."))
        return redirect(result.get_absolute_url() + "#staff")
    report = Report.objects.filter(pk=form.cleaned_data["report"]).first()
    if report is None:
        messages.error(request, _("There is no report #%(n)s.") % {"n": form.cleaned_data["report"]})
        return redirect(result.get_absolute_url() + "#staff")
    try:
        services.result_link_report(result=result, report=report, actor=request.user, note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Report #%(n)s now points to this result.") % {"n": report.pk})
    return redirect(result.get_absolute_url() + "#staff")


@login_required
@require_POST
def result_link_proposal_view(request, result_id: int):
    from proposals.models import Proposal

    result = _result_or_404(request, result_id)
    if not request.user.has_perm("accountability.change_result", result):
        raise PermissionDenied(_("Only city staff can change results."))
    form = LinkProposalForm(request.POST)
    proposal = Proposal.objects.select_related("author").filter(pk=form.data.get("proposal") or 0).first() \
        if form.is_valid() else None
    if proposal is None:
        messages.error(request, _("There is no such proposal."))
        return redirect(result.get_absolute_url() + "#staff")
    try:
        services.result_link_proposal(result=result, proposal=proposal, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Proposal #%(n)s is linked to this result.") % {"n": proposal.pk})
    return redirect(result.get_absolute_url() + "#staff")


def _proposal_or_404(request, proposal_id: int):
    from proposals.selectors import proposal_detail

    proposal = proposal_detail(proposal_id=proposal_id, user=request.user)
    if proposal is None or not request.user.has_perm("proposals.view_proposal", proposal):
        raise Http404
    return proposal


@login_required
@require_POST
def proposal_result_create_view(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    if not request.user.has_perm("accountability.link_proposal", proposal):
        raise PermissionDenied(_("Only city staff can link proposals to results."))
    form = ResultFromProposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check the result's details."))
        return redirect(proposal.get_absolute_url() + "#what-happened")
    try:
        result = services.result_create_from_proposal(
            proposal=proposal, actor=request.user, title=form.cleaned_data["title"],
            status=form.cleaned_data["status"], department=form.cleaned_data["department"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect(proposal.get_absolute_url() + "#what-happened")
    messages.success(request, _("The result was created. Add places, dates and updates here."))
    return redirect(result.get_absolute_url())


@login_required
@require_POST
def proposal_result_link_view(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    if not request.user.has_perm("accountability.link_proposal", proposal):
        raise PermissionDenied(_("Only city staff can link proposals to results."))
    form = ChooseResultForm(request.POST, queryset=selectors.results_for_linking(consultation_id=proposal.consultation_id))
    if not form.is_valid():
        messages.error(request, _("Choose an existing result."))
    else:
        try:
            services.result_link_proposal(result=form.cleaned_data["result"], proposal=proposal, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("The proposal is linked to the result."))
    return redirect(proposal.get_absolute_url() + "#what-happened")


# --- sections on other apps' pages (registered in registration.py) -------------------------


def proposal_section(request, proposal):
    """"What happened": the results answering this proposal; for staff, create or link one."""
    results = selectors.results_for_proposal(proposal_id=proposal.pk)
    can_link = request is not None and request.user.has_perm("accountability.link_proposal", proposal)
    if not results and not can_link:
        return None
    context = {"proposal": proposal, "results": results, "can_link": can_link, "request": request}
    if can_link:
        context["create_form"] = ResultFromProposalForm(initial={"title": proposal.title})
        choices = selectors.results_for_linking(consultation_id=proposal.consultation_id).exclude(
            pk__in=[r.pk for r in results])
        context["choose_form"] = ChooseResultForm(queryset=choices) if choices.exists() else None
    return "accountability/sections/proposal_section.html", context


def report_section(request, report):
    results = selectors.results_for_report(report_id=report.pk)
    if not results:
        return None
    return "accountability/sections/report_section.html", {"results": results, "report": report}


def consultation_section(request, page):
    """The consultation's results: checked public with the page object at hand, kept under its stamp (a result
    changed bumps it after commit; participation/core/freshness.py)."""
    consultation = page.canonical
    if not consultations.is_public(consultation):
        return None
    results = freshness.cached(
        f"accountability:consultation-results:{consultation.pk}",
        [freshness.SITE, freshness.consultation(consultation.pk)],
        lambda: list(selectors.result_list(public_consultation=consultation)),
    )
    if not results:
        return None
    return "accountability/sections/consultation_section.html", {
        "consultation": consultation, "count": len(results), "overall": selectors.overall_progress(results),
        "done": sum(1 for r in results if r.progress >= 100),
    }
