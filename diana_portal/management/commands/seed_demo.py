"""Fill the database with demo data that looks like a real DIANA call.

Idempotent: running it again changes nothing. Each app owns its part in
`<app>/demo.py`; they run here in dependency order (DESIGN §3).
"""

from importlib import import_module

from django.core.management.base import BaseCommand

# In dependency order: applications.demo applies to the programme challenges.demo creates.
# reviews.demo_decisions decides the closed call from its reviews: it runs after the reviews demo.
DEMO_MODULES = [
    "accounts.demo",
    "challenges.demo",
    "applications.demo",
    "reviews.demo",
    "reviews.demo_decisions",
    "sites.demo",
    "sites.demo_bookings",  # test-centre bookings and Phase 2: needs sites.demo's registry and cohort
    "notifications.demo",
]


class Command(BaseCommand):
    help = "Create or update the demo data (idempotent). Never run this in production."

    def handle(self, *args, **options) -> None:
        for name in DEMO_MODULES:
            module = import_module(name)
            self.stdout.write(f"{name}:")
            module.seed(lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
