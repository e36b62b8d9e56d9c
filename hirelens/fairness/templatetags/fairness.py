from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.4390 -> "43.9%"; None -> "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def ratio(value) -> str:
    return "—" if value is None else f"{value:.3f}"


@register.filter
def pvalue(value) -> str:
    return "—" if value is None else (f"{value:.3f}" if value >= 0.001 else "<0.001")
