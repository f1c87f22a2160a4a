"""The HSDS tabular data package (placeholder until the export lands)."""

from django.http import JsonResponse


def data_package_view(request):
    return JsonResponse({"detail": "The data package is being prepared."}, status=503)
