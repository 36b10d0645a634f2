"""Everything reports_map tells the kernel about, called from ReportsMapConfig.ready()."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from participation.core.events import subscribe
from participation.core.registry import (
    AccountDataSpec,
    DashboardTable,
    ExportSpec,
    MetricSpec,
    ModeratableSpec,
    NavItem,
    registry,
)


def register() -> None:
    from reports_map import account_data, demo, exports, selectors, services
    from reports_map.models import Report, ReportPhoto

    registry.add_urls("reports/", "reports_map.urls", translated=True)
    registry.add_urls("open311/v2/", "reports_map.open311_urls", translated=False)
    registry.add_nav_item(NavItem("reports_map:list", _("Reports map"), order=30))
    registry.add_nav_item(NavItem("reports_map:triage", _("Report triage"), order=80,
                                  permission="reports_map.triage_report"))
    registry.add_demo_seeder("reports", demo.seed_reports, order=40)
    subscribe("moderation.user_blocked", services.on_author_block_changed)
    subscribe("moderation.user_unblocked", services.on_author_block_changed)

    registry.add("moderatables", "report", ModeratableSpec(
        kind="report", model=Report, label=_("issue report"),
        url=lambda obj: reverse("reports_map:detail", args=[obj.pk]),
        text=lambda obj: obj.description[:200],
        on_visibility_changed=services.on_visibility_changed,
    ))
    registry.add("moderatables", "report_photo", ModeratableSpec(
        kind="report_photo", model=ReportPhoto, label=_("report photo"),
        url=lambda obj: reverse("reports_map:detail", args=[obj.report_id]),
        text=lambda obj: str(_("Photo of report #%(id)s")) % {"id": obj.report_id},
        on_visibility_changed=services.on_visibility_changed,
    ))
    registry.add("metrics", "reports", MetricSpec(
        label=_("Issue reports"), total=selectors.reports_total, daily=selectors.reports_daily, headline=True,
    ))
    registry.headline_counts["reports"] = (_("Issue reports"), selectors.reports_total)
    registry.add("dashboard_tables", "reports_by_status", DashboardTable(
        label=_("Reports by status"), columns=[("status", _("Status")), ("count", _("Number of reports"))],
        rows=selectors.reports_by_status,
    ))
    registry.add("dashboard_tables", "reports_by_category", DashboardTable(
        label=_("Reports by category"),
        columns=[("category", _("Category")), ("total", _("Number of reports")), ("open", _("Not yet resolved")),
                 ("fixed", _("Fixed"))],
        rows=selectors.reports_by_category,
    ))
    registry.add("dashboard_tables", "median_days_to_fix", DashboardTable(
        label=_("Median days to fix"),
        columns=[("category", _("Category")), ("fixed", _("Fixed")), ("median_days", _("Median days to fix"))],
        rows=selectors.median_days_to_fix,
    ))
    registry.add("exports", "reports", ExportSpec(label=_("Issue reports"), fields=exports.FIELDS, rows=exports.rows))
    registry.add("account_data", "reports", AccountDataSpec(
        export=account_data.export_user, anonymise=services.reports_anonymise_user,
    ))
