from wagtail.admin.forms import WagtailAdminModelForm


class OrganisationForm(WagtailAdminModelForm):
    """The organisation's edit form: derives the directory address from the name when left blank."""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("name"):
            self.instance.name = cleaned["name"]
            cleaned["slug"] = self.instance.make_unique_slug()
            self.instance.slug = cleaned["slug"]
        return cleaned
