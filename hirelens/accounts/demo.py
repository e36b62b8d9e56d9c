from hirelens.accounts.models import User
from hirelens.core.demo import DEMO_PASSWORD, DEMO_STAFF
from hirelens.core.roles import Role


def _user(email, name, role, org) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, role=role, organization=org)
    return user


# Who works in another zone than the organization's (Asia/Shanghai): the recruiter from London.
ZONES = {"recruiter": "Europe/London"}


def load(ctx):
    for key, email, name, role in DEMO_STAFF:
        ctx.users[key] = _user(email, name, role, ctx.organization)
        if key in ZONES and not ctx.users[key].time_zone:
            ctx.users[key].time_zone = ZONES[key]
            ctx.users[key].save(update_fields=["time_zone"])
    ctx.users["acme_admin"] = _user("admin@acme.hirelens.local", "Alex Smith", Role.HR_ADMIN, ctx.other_organization)
