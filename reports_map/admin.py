"""Staff manage categories and their extra questions in the Django admin (checked by permission name)."""

from django.contrib import admin

from reports_map.models import Category, CategoryQuestion


class StaffPermissionMixin:
    permission_name = "reports_map.manage_categories"

    def _allowed(self, request) -> bool:
        return request.user.has_perm(self.permission_name)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # categories are deactivated, never deleted (reports point to them)


class CategoryQuestionInline(StaffPermissionMixin, admin.TabularInline):
    model = CategoryQuestion
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


@admin.register(Category)
class CategoryAdmin(StaffPermissionMixin, admin.ModelAdmin):
    list_display = ("service_code", "name_ja", "name_en", "group", "active", "order")
    list_editable = ("active", "order")
    inlines = [CategoryQuestionInline]
