from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from villages import permissions
from villages.search import search as find

MAX_QUERY = 100


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Secretaries and villages of the user's street, district or everything, by name or code."""
    if not permissions.is_staff_session(request):
        raise Http404
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    return render(request, "villages/search.html", {"q": q, "results": find(request.user, q)})
