def axes_username(request, credentials) -> str | None:
    """The e-mail typed at login, normalised, so that changing its case does not dodge the lock-out."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return value.strip().lower() if value else None
