"""What a company sets up before its first interview, written into the deployment's database with its own settings
(run by tests/deploy/test_deploy.py as `python tests/deploy/seed.py PASSWORD` with the web processes' environment,
so that the encrypted fields use the deployment's keys). Prints one JSON line: the HR admin's e-mail, an API key and
the position."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(password: str) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from hirelens.accounts.models import User
    from hirelens.core.models import Organization
    from hirelens.core.roles import Role
    from hirelens.integrations.services import api_key_create
    from hirelens.integrations.testing import ALL_SCOPES
    from hirelens.workflows import services as workflows
    from hirelens.workflows.tests.factories import make_position

    org = Organization.objects.create(name="示例科技", slug="deploy")
    hr = User(organization=org, role=Role.HR_ADMIN, email="wangmin@deploy.example.com", full_name="王敏")
    hr.set_password(password)
    hr.save()
    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    position.keywords = ["teamwork", "customer"]
    position.save()
    process = workflows.process_create(actor=hr, position=position, starter="sales")
    workflows.process_publish(actor=hr, process=process)
    _key, token = api_key_create(actor=hr, user=hr, name="部署测试", scopes=ALL_SCOPES, rate_limit=10_000)
    return {"hr_email": hr.email, "api_token": token, "position_id": position.pk, "organization_id": org.pk}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
