from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def batch_index(request):
    raise Http404
