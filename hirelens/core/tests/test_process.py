"""The web process freezes what it loaded (``hirelens.core.process``): checked in a process of its own, as
uvicorn loads ``config.asgi``, so that this test process is not frozen."""

import json
import subprocess
import sys

from conftest import ROOT

PROBE = """
import gc, json, weakref
import config.asgi  # the web process's module: Django, the apps, the URL conf
frozen = gc.get_freeze_count()

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after the freeze: still collected
gone = weakref.ref(a)
del a, b
gc.collect()
print(json.dumps({"frozen": frozen, "cycle_collected": gone() is None}))
"""


def test_the_web_process_freezes_what_it_loaded_and_still_collects_what_comes_after():
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    facts = json.loads(out.stdout.strip().splitlines()[-1])
    assert facts["frozen"] > 50_000, facts  # Django and the apps: about 170,000 objects
    assert facts["cycle_collected"] is True
