"""Views for residents' data: overview, ZIP download, account deletion."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.accounts.data import account_delete, account_export_zip
from participation.core.errors import require


class AccountDeleteForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"), widget=forms.PasswordInput, required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that my account is deleted for good, my supports are withdrawn and my posts stay, "
                           "shown as written by “deleted user”."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            self.fields["password"].required = True
        else:
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    require(request.user, "participation.manage_own_data")
    return render(request, "participation/account_data.html", {"form": AccountDeleteForm(user=request.user)})


@login_required
def download(request: HttpRequest) -> HttpResponse:
    require(request.user, "participation.manage_own_data")
    content = account_export_zip(user=request.user)
    response = HttpResponse(content, content_type="application/zip")
    name = f"my-data-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete(request: HttpRequest) -> HttpResponse:
    require(request.user, "participation.manage_own_data")
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            account_delete(user=request.user)
            logout(request)
            messages.success(request, _("Your account was deleted. Thank you for taking part."))
            return redirect("/")
        return render(request, "participation/account_data.html", {"form": form}, status=400)
    return render(request, "participation/account_data.html", {"form": form})
