"""Registries that feature apps fill in their ``AppConfig.ready()``.

The kernel never imports a feature app; it learns what exists from these registries:
URL modules, websocket routes, API routers, navigation entries, metrics, moderatable models,
opinion sources, open-data exports and demo seeders. Each entry is registered once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UrlModule:
    prefix: str  # e.g. "proposals/" ("" for the root)
    module: str  # dotted path of a urls module
    translated: bool = True  # inside i18n_patterns (language prefix) or not


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any  # lazy translation
    order: int = 100
    permission: str | None = None  # shown only to users with this permission name


@dataclass(frozen=True)
class DemoSeeder:
    name: str
    func: Callable[..., None]  # func(*, stdout, password, rng) -> None
    order: int = 100


@dataclass
class Registry:
    url_modules: list[UrlModule] = field(default_factory=list)
    websocket_routes: list[Any] = field(default_factory=list)
    api_routers: list[tuple[str, Any]] = field(default_factory=list)
    nav_items: list[NavItem] = field(default_factory=list)
    demo_seeders: list[DemoSeeder] = field(default_factory=list)
    # Filled by feature apps for moderation, metrics, open data and analysis.
    moderatables: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    exports: dict[str, Any] = field(default_factory=dict)
    opinion_sources: dict[str, Any] = field(default_factory=dict)
    account_data: dict[str, Any] = field(default_factory=dict)
    dashboard_tables: dict[str, Any] = field(default_factory=dict)
    # Sections a consultation page renders below its body, in order: proposals, published summary ...
    consultation_sections: list[Any] = field(default_factory=list)
    # Sections other apps add to one kind of detail page ("proposal", "report"), each a list of (order, callable).
    detail_sections: dict[str, list[Any]] = field(default_factory=dict)
    # Figures for the home page headline: key -> (label, callable() -> int).
    headline_counts: dict[str, Any] = field(default_factory=dict)
    # Where consultations come from (set once by cms): see participation.core.consultations.
    consultations: Any = None
    # Counts per consultation shown with it (API, cards): key -> callable(consultation_ids) -> {id: {name: n}}.
    consultation_counts: dict[str, Any] = field(default_factory=dict)

    def add_urls(self, prefix: str, module: str, *, translated: bool = True) -> None:
        entry = UrlModule(prefix, module, translated)
        if entry not in self.url_modules:
            self.url_modules.append(entry)

    def add_websocket_routes(self, routes: list[Any]) -> None:
        for route in routes:
            if route not in self.websocket_routes:
                self.websocket_routes.append(route)

    def add_api_router(self, prefix: str, router: Any) -> None:
        if all(existing is not router for _, existing in self.api_routers):
            self.api_routers.append((prefix, router))

    def add_nav_item(self, item: NavItem) -> None:
        if item not in self.nav_items:
            self.nav_items.append(item)
            self.nav_items.sort(key=lambda i: i.order)

    def add_demo_seeder(self, name: str, func: Callable[..., None], *, order: int = 100) -> None:
        if all(s.name != name for s in self.demo_seeders):
            self.demo_seeders.append(DemoSeeder(name, func, order))
            self.demo_seeders.sort(key=lambda s: s.order)

    def add_consultation_section(self, section: Callable[..., Any], *, order: int = 100) -> None:
        if all(existing is not section for _, existing in self.consultation_sections):
            self.consultation_sections.append((order, section))
            self.consultation_sections.sort(key=lambda pair: pair[0])

    def add_detail_section(self, kind: str, section: Callable[..., Any], *, order: int = 100) -> None:
        sections = self.detail_sections.setdefault(kind, [])
        if all(existing is not section for _, existing in sections):
            sections.append((order, section))
            sections.sort(key=lambda pair: pair[0])

    def add(self, kind: str, key: str, value: Any) -> None:
        """Register a moderatable model, metric, export, opinion source or account-data provider."""
        getattr(self, kind)[key] = value


registry = Registry()


def consultation_sections() -> list[Any]:
    """Callables ``section(request, page) -> (template_name, context) | None`` rendered on a consultation page."""
    return [section for _, section in registry.consultation_sections]


def detail_sections(kind: str) -> list[Any]:
    """Callables ``section(request, obj) -> (template_name, context) | None`` rendered on a detail page of ``kind``
    (``{% detail_sections "proposal" proposal %}``), so an app can add to another app's page without importing it."""
    return [section for _, section in registry.detail_sections.get(kind, [])]


# --- Contracts between the kernel and feature apps -------------------------------------------
# Feature apps register instances of these in AppConfig.ready(), e.g.
#   registry.add("moderatables", "comment", ModeratableSpec(...))
# The kernel (moderation queue, dashboard, open data, analysis, account data) only uses these.


@dataclass(frozen=True)
class ModeratableSpec:
    """Something a resident can flag and a moderator can hide (model subclasses ``Moderatable``)."""

    kind: str  # "proposal", "comment", "report", "report_photo"
    model: Any
    label: Any
    url: Callable[[Any], str]  # public URL of an item
    text: Callable[[Any], str]  # short text shown in the moderation queue
    # ORM lookup from an item to its consultation's id ("consultation_id", "proposal__consultation_id"), or
    # None when items do not belong to a consultation. The queue filters on it in the database.
    consultation_field: str | None = None
    # Called after an item was hidden or unhidden (inside the transaction), e.g. to publish count events.
    on_visibility_changed: Callable[[Any], None] = lambda obj: None

    def consultation_of(self, obj) -> int | None:
        """The consultation id of an item, following ``consultation_field`` across relations."""
        if not self.consultation_field:
            return None
        value = obj
        for name in self.consultation_field.split("__"):
            value = getattr(value, name)
        return value


@dataclass(frozen=True)
class MetricSpec:
    """A count for the dashboard and home page. ``daily`` returns {date: count} of new items."""

    label: Any
    total: Callable[[], int]
    per_consultation: Callable[[], dict[int, int]] = lambda: {}
    daily: Callable[[Any], dict[Any, int]] = lambda since: {}
    headline: bool = False


@dataclass(frozen=True)
class OpinionSource:
    """Texts residents wrote in a consultation, for theme analysis, and votes for opinion groups.

    ``items(consultation_id)`` yields dicts {"id": str, "text": str, "url": str, "kind": str} of
    visible items only, optionally with "date" (ISO, the city's day it was written), "attributes" ({column:
    value}: an import's chosen columns, a survey answer's district and age band) and for imported rows
    "source_name", which the review's themes-by tables break down;
    ``visible(consultation_id, ids)`` answers which of some ids are still visible
    ({id: url}); ``votes(consultation_id)`` yields (participant_id, statement_id, vote) with
    vote in {1, -1, 0}, statement ids matching ``items`` ids, optionally with the vote's Unix time as a
    fourth element (opinion groups can then replay the votes as Polis's successive updates).
    """

    label: Any
    items: Callable[[int], Any]
    votes: Callable[[int], Any] = lambda consultation_id: []
    # visible(consultation_id, ids) -> {id: url} of those ids whose items are still visible (public quotes
    # ask this rather than listing every item); None: callers fall back to ``items``.
    visible: Callable[[int, set[str]], dict[str, str]] | None = None
    # What each ``kind`` of item is called where the analysis shows the channel a text came through
    # ({"proposal": "Proposals", "comment": "Comments"}); a kind not named here is shown by ``label``.
    kinds: dict[str, Any] = field(default_factory=dict)
    # What each key of the items' "attributes" is called ({"age_band": "Age band"}); a key not named here (an
    # import's own column heading) is shown as it is.
    attributes: dict[str, Any] = field(default_factory=dict)
    # attribute_values(consultation_id) -> {key: {value as the items carry it: {language code: label}}}: how an
    # attribute's values read in each language (a survey's choices in its language copies); the analysis keeps
    # the table with its run, and a value not in it is shown as it is.
    attribute_values: Callable[[int], dict[str, dict[str, dict[str, str]]]] | None = None


@dataclass(frozen=True)
class ExportSpec:
    """An open-data table: ``rows()`` yields dicts of public, visible, pseudonymised fields."""

    label: Any
    fields: dict[str, Any]  # column -> description (the data dictionary)
    rows: Callable[[], Any]


@dataclass(frozen=True)
class AccountDataSpec:
    """What an app holds about a user: ``export(user) -> (dict, [(zip_path, bytes)])``;
    ``anonymise(user)`` runs when the account is deleted (keep counts consistent)."""

    export: Callable[[Any], Any]
    anonymise: Callable[[Any], None] = lambda user: None


@dataclass(frozen=True)
class DashboardTable:
    """An extra table on the council dashboard (e.g. reports by status): ``rows()`` returns dicts keyed by column."""

    label: Any
    columns: list[tuple[str, Any]]  # (key, heading)
    rows: Callable[[], list[dict[str, Any]]]
