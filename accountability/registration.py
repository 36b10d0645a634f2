"""Everything accountability tells the kernel about, called from AccountabilityConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from participation.core.registry import AccountDataSpec, DashboardTable, ExportSpec, MetricSpec, NavItem, registry


def account_export(user):
    from accountability.models import ResultFollow

    follows = ResultFollow.objects.filter(user=user).order_by("pk")
    return {"result_follows": [{"result_id": f.result_id, "created_at": f.created_at.isoformat()} for f in follows]}, []


def account_anonymise(user) -> None:
    from accountability.models import ResultFollow

    ResultFollow.objects.filter(user=user).delete()


def register() -> None:
    from accountability import demo, exports, selectors, views
    from accountability.api import router

    registry.add_urls("results/", "accountability.urls")
    registry.add_nav_item(NavItem("accountability:index", _("Results and progress"), order=40))
    registry.add_api_router("/", router)
    registry.add_consultation_section(views.consultation_section, order=20)
    registry.add_detail_section("proposal", views.proposal_section, order=10)
    registry.add_detail_section("report", views.report_section, order=10)
    registry.add_demo_seeder("accountability", demo.seed_results, order=60)
    _connect_cache_stamps()
    registry.add("metrics", "results", MetricSpec(
        label=_("Results"), total=selectors.metric_results_total,
        per_consultation=selectors.metric_results_per_consultation,
    ))
    registry.add("exports", "results", ExportSpec(label=_("Results (what the city did)"),
                                                  fields=exports.RESULT_FIELDS, rows=exports.export_results))
    registry.add("exports", "result_timeline", ExportSpec(label=_("Timelines of results"),
                                                          fields=exports.EVENT_FIELDS, rows=exports.export_events))
    registry.add("dashboard_tables", "results_progress", DashboardTable(
        label=_("Results: progress by consultation"),
        columns=[("consultation", _("Consultation")), ("results", _("Results")), ("progress", _("Overall progress")),
                 ("overdue", _("Overdue"))],
        rows=selectors.dashboard_progress_by_consultation,
    ))
    registry.add("dashboard_tables", "results_overdue", DashboardTable(
        label=_("Results overdue against their planned end"),
        columns=[("result", _("Result")), ("department", _("Department")), ("status", _("Status")),
                 ("progress", _("Progress")), ("end_date", _("Planned end")), ("days_late", _("Days late"))],
        rows=selectors.dashboard_overdue,
    ))
    registry.add("dashboard_tables", "results_by_status", DashboardTable(
        label=_("Results by status"), columns=[("status", _("Status")), ("count", _("Results"))],
        rows=selectors.dashboard_by_status,
    ))
    registry.add("dashboard_tables", "results_by_department", DashboardTable(
        label=_("Results by department"),
        columns=[("department", _("Department")), ("count", _("Results")), ("done", _("Completed")),
                 ("overdue", _("Overdue"))],
        rows=selectors.dashboard_by_department,
    ))
    registry.add("account_data", "accountability", AccountDataSpec(export=account_export, anonymise=account_anonymise))


def _connect_cache_stamps() -> None:
    """Results are shown cached on consultation pages (views.consultation_section): any write to them,
    through the services or the snippet admin, bumps the site's stamp after commit."""
    from accountability.models import Department, Result, ResultEvent, ResultProposal, ResultStatus
    from participation.core import freshness

    freshness.bump_site_on_writes(Result, ResultStatus, Department, ResultEvent, ResultProposal)
