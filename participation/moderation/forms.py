"""Forms for flagging and for moderator actions (plain HTML forms that work without JavaScript)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from participation.core.abuse import AntiSpamFormMixin
from participation.models import FlagReason
from participation.moderation.services import DETAILS_MAX, REASON_MAX


class FlagForm(AntiSpamFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Why should a moderator look at this?"), choices=FlagReason.choices,
                               widget=forms.RadioSelect)
    details = forms.CharField(
        label=_("Details (optional)"), required=False, max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is wrong? Moderators read this; it is never shown publicly."),
    )


class ModerationActionForm(forms.Form):
    ACTIONS = [
        ("hide", _("Hide")),
        ("unhide", _("Unhide")),
        ("dismiss", _("Dismiss flags")),
        ("block", _("Block the author")),
        ("unblock", _("Unblock")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to hide or block. The author is told the reason."),
    )

    block_scope = forms.ChoiceField(
        label=_("When blocking: what happens to what the author posted before?"), required=False,
        choices=[("future", _("Block future posts only: past posts stay visible")),
                 ("all", _("Also hide past posts (other residents' comments on them are no longer shown)"))],
        widget=forms.RadioSelect,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "block" and cleaned.get("block_scope") not in {"future", "all"}:
            self.add_error("block_scope", _("Choose whether the author's past posts stay visible."))
        return cleaned

    def __init__(self, *args, target=None, has_open_flags: bool = True, **kwargs):
        """Only the actions that make sense for ``target`` in its present state, none chosen in advance."""
        super().__init__(*args, **kwargs)
        if target is None:
            return
        is_account = target.spec is None
        author = target.author
        blocked = author is not None and author.blocked_at is not None
        possible = {
            "hide": not is_account and not target.is_hidden,
            "unhide": not is_account and target.is_hidden,
            "dismiss": has_open_flags,
            "block": author is not None and not blocked,
            "unblock": blocked,
        }
        self.fields["action"].choices = [("", _("Choose an action"))] + [
            (value, label) for value, label in self.ACTIONS if possible[value]
        ]
