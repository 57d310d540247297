import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ligestilling.settings")
application = get_asgi_application()

# A server never starts without a SECRET_KEY when DEBUG is off: Django refuses to read
# an empty one (ImproperlyConfigured), here at start-up rather than at the first request.
from django.conf import settings  # noqa: E402

settings.SECRET_KEY  # noqa: B018
