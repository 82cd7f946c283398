from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD = 5 * 1024 * 1024


def checked_spreadsheet(upload):
    """An uploaded file to import: a .csv or .xlsx of at most 5 MB, else why not."""
    if not upload.name.lower().endswith((".csv", ".xlsx")):
        raise forms.ValidationError(_("Only .csv and .xlsx files can be imported."))
    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError(_("The file is larger than 5 MB."))
    return upload


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "A .csv (UTF-8) or .xlsx file with the columns district, street, street_kind, "
            "village_code, village, secretary, gender, phone, since."
        ),
    )

    def clean_file(self):
        return checked_spreadsheet(self.cleaned_data["file"])


class RosterConfirmForm(forms.Form):
    """Names the previewed file, kept on the server (villages.services.keep_preview)."""

    payload = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ColleagueForm(forms.Form):
    """A new street staff account: who signs in, and the name the pages show."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What they type to sign in: letters, digits and @/./+/-/_ only."),
    )
    display_name = forms.CharField(
        label=_("Name"), max_length=150, help_text=_("As the pages and the log show it.")
    )
