from django.utils import translation


class UserLanguageMiddleware:
    """Signed-in users see the language they chose (stored on their preference), whatever the browser says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from lims.models import UserPreference

            language = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
