"""Accessibility check for browser tests: axe-core (npm devDependency, `node_modules/axe-core`) run inside a
Playwright page against WCAG 2.0/2.1 A and AA.

    from tests.e2e.a11y import assert_accessible, axe_violations
    assert_accessible(page, "survey, with errors (en)")   # fails on any serious or critical finding
    axe_violations(page)                                   # every finding, for a closer look

The pages run under a strict Content-Security-Policy (no inline script, no eval). `page.evaluate` goes through
the DevTools protocol, which the policy does not govern, so axe's source is evaluated there: no
`bypass_csp` context is needed and the page is checked exactly as a candidate's browser runs it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


@cache
def _axe_source() -> str:
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `npm ci` (axe-core is a devDependency in package.json)")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, *, tags=TAGS, exclude: list[str] | None = None) -> list[dict]:
    """Run axe on the page as it is now; return its violations: [{id, impact, help, helpUrl, nodes:[{target,
    failureSummary, html}]}]. `exclude`: CSS selectors axe leaves out (a third-party widget, say)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    context = {"exclude": [[s] for s in exclude]} if exclude else None
    return page.evaluate(
        """async ([context, tags]) => {
            const result = await window.axe.run(context || document, {runOnly: {type: "tag", values: tags},
                                                                        resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), failureSummary: n.failureSummary,
                                          html: n.html.slice(0, 200)}))}));
        }""",
        [context, tags],
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            summary = " / ".join(line.strip() for line in (node["failureSummary"] or "").splitlines()[1:] if line.strip())
            lines.append(f"    {node['target']}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, label: str, *, exclude: list[str] | None = None) -> list[dict]:
    """Fail with a readable list if axe finds anything serious or critical on the page; return the lesser
    (minor, moderate) findings so a test may look at them too."""
    violations = axe_violations(page, exclude=exclude)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe: {label} ({page.url}) has {len(blocking)} serious/critical finding(s):\n" + format_violations(blocking)
    return [v for v in violations if v["impact"] not in BLOCKING]
