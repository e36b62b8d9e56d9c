"""One import batch waiting in the sandbox (validated, not committed), with errors and duplicates to review."""

from django.core.files.base import ContentFile

from .models import ImportBatch
from .services import import_batch_upload, import_batch_validate

ROWS = [
    "姓名,手机号,邮箱,身份证号,应聘职位,投递日期,来源,标签",
    "陈晨,139 1000 2001,chen.chen@example.com,11010519491231002X,销售代表,2026-03-01,内推,校招",
    "　林　可 ,１３９１０００２００２,LIN.KE@Example.com,,销售代表,2026/3/2,官网,",
    "黄磊,12345,huang@example,1101051949123100211,,2026-02-30,,",
    "赵磊,13800138001,,,销售代表,,招聘网站,",
    "林可,13910002002,,,,,,",
]


def load(ctx):
    if ImportBatch.objects.filter(organization=ctx.organization).exists():
        return
    data = "\n".join(ROWS).encode("gbk")
    batch = import_batch_upload(actor=ctx.users["recruiter"], upload=ContentFile(data, name="旧系统导出.csv"))
    import_batch_validate(actor=ctx.users["recruiter"], batch=batch, mapping=batch.mapping)
    ctx.log.append(f"Import sandbox: batch #{batch.pk} validated and waiting for review at /imports/{batch.pk}/")
