"""Sessions signed in through Django's ModelBackend now name villages.auth.RoleBackend, which
replaced it: without this, everyone would be signed out by the upgrade."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "villages.auth.RoleBackend"


def rename_backend(apps, schema_editor):
    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.iterator():
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) == OLD:
            data[BACKEND_SESSION_KEY] = NEW
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0003_fill_pinyin"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(rename_backend, migrations.RunPython.noop)]
