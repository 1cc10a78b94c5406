from django.conf import settings


def site(request):
    return {"SITE_NAME": "Aduan", "NODE_ID": settings.NODE_ID, "DEBUG": settings.DEBUG}
