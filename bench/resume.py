"""Resume parsing quality: per-field precision and recall over generated resumes and the demo resumes.

    python bench/resume.py            # figures per field, then every miss
    python bench/resume.py --quiet    # figures only

The resumes are built by ``hirelens/candidates/tests/resumes.py`` (6 Chinese, 6 English; PDF and DOCX,
several layouts and date formats) with their ground truth; the demo set is ``hirelens/candidates/demo.py``.
Precision = right values / values found; recall = right values / values expected (every value counts once).
Goal: at least 90 % for name, phone, e-mail, school and employers. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from hirelens.candidates.tests import resumes

    sets = [("generated", resumes.cases()), ("demo", resumes.demo_cases())]
    sets.append(("all", sets[0][1] + sets[1][1]))
    for label, case_list in sets:
        figures, misses = resumes.score(case_list)
        print(f"{label}: {len(case_list)} resumes "
              f"({sum(c.fmt == 'pdf' for c in case_list)} PDF, {sum(c.fmt == 'docx' for c in case_list)} DOCX; "
              f"{sum(c.lang == 'zh' for c in case_list)} Chinese, {sum(c.lang == 'en' for c in case_list)} English)")
        print(f"  {'field':<10} {'precision':>9} {'recall':>7}")
        for name, (precision, recall) in figures.items():
            print(f"  {name:<10} {precision:>8.1%} {recall:>7.1%}")
        if misses and not args.quiet and label != "all":
            print("  misses:")
            for line in misses:
                print("   ", line)


if __name__ == "__main__":
    main()
