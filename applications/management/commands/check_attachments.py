"""Re-check every stored attachment for active content, with the upload's rules.

    python manage.py check_attachments

Writes what it finds into each attachment's `unsafe_findings` (clearing it for a
file now found clean), lists the unsafe ones (reference, kind, name, what was
found) and exits with status 1 if there is any. When to run it: see the README.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications import services
from applications.models import Attachment


class Command(BaseCommand):
    help = "Re-check every stored attachment for active content; list the unsafe ones and exit 1 if any."

    def handle(self, *args, **options) -> None:
        checked = unsafe = 0
        attachments = Attachment.objects.select_related("application").order_by("pk")
        for attachment in attachments.iterator(chunk_size=100):
            checked += 1
            if not services.attachment_recheck(attachment=attachment):
                continue
            unsafe += 1
            application = attachment.application
            self.stdout.write(
                _("%(reference)s · %(kind)s · %(name)s: %(found)s")
                % {
                    "reference": application.reference or _("draft %(id)s") % {"id": application.pk},
                    "kind": attachment.get_kind_display(),
                    "name": attachment.original_name,
                    "found": attachment.unsafe_findings_text,
                }
            )
        if unsafe:
            raise CommandError(
                ngettext(
                    "%(unsafe)d of %(checked)d attachments is unsafe.",
                    "%(unsafe)d of %(checked)d attachments are unsafe.",
                    unsafe,
                )
                % {"unsafe": unsafe, "checked": checked},
                returncode=1,
            )
        self.stdout.write(
            ngettext("Checked %(checked)d attachment: safe.", "Checked %(checked)d attachments: all safe.", checked)
            % {"checked": checked}
        )
