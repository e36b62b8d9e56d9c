from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from hirelens.core.audit import audit_list_read
from hirelens.core.flash import flash_errors
from hirelens.core.params import query_int
from hirelens.core.roles import Perm, user_can
from hirelens.positions.access import visible_positions

from . import forms, hub, masking, selectors, services
from .access import (
    access_background_check,
    access_candidate,
    access_candidate_for_edit,
    access_document,
    access_project,
    access_work,
    visible_candidates,
)
from .models import Application, Candidate, Tag
from .search import name_sort_key
from .services.merge import merge_history, merge_shown
from .timeline import timeline_text, timeline_who

TABS = [("profile", gettext_lazy("档案")), ("resume", gettext_lazy("简历")), ("documents", gettext_lazy("文件")),
        ("applications", gettext_lazy("申请")), ("interviews", pgettext_lazy("章节", "面试")), ("evaluations", gettext_lazy("评估")),
        ("timeline", gettext_lazy("时间线"))]
TAB_KEYS = {key for key, _label in TABS}


@login_required
def candidate_index(request):
    get = request.GET
    try:
        page = selectors.candidate_page(
            actor=request.user, cursor=get.get("cursor", ""), page_number=query_int(get, "page", maximum=10**9),
            q=get.get("q", "") or get.get("contact", ""), position_id=query_int(get, "position"), stage=get.get("stage", ""),
            tag=get.get("tag", ""), source=get.get("source", ""), status=get.get("status", ""), sort=get.get("sort", "new"),
        )
    except selectors.CursorError:
        page, error = None, _("这个翻页链接已失效或不完整，请从第一页重新浏览。")
    else:
        error = ""
        if page.notice == "past_end":
            messages.info(request, _("该页码超出了结果范围，已显示第一页。"))
        elif page.notice == "bad_page":
            messages.info(request, _("页码无效，已显示第一页。"))
        if get.get("order") == "name":
            page.rows.sort(key=lambda c: name_sort_key(c.full_name))
        services.candidate_list_read(actor=request.user, candidates=page.rows, request=request)
    query = get.copy()
    for key in ("page", "cursor"):
        query.pop(key, None)
    return render(request, "candidates/candidate_list.html", {
        "page": page, "error": error, "query": query.urlencode(), "positions": visible_positions(actor=request.user),
        "tags": Tag.objects.filter(organization_id=request.user.organization_id), "sources": Candidate.Source.choices,
        "statuses": Application.Status.choices, "can_manage": user_can(request.user, Perm.CANDIDATES_MANAGE),
    }, status=400 if error else 200)


@login_required
def candidate_new(request):
    if not user_can(request.user, Perm.CANDIDATES_MANAGE):
        raise Http404
    form = forms.CandidateCreateForm(request.POST or None, request.FILES or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            candidate = services.candidate_create(
                actor=request.user, full_name=data["full_name"], phone=data["phone"], email=data["email"],
                id_number=data["id_number"], address=data["address"], source=data["source"], tags=form.tag_list(),
                resume=data.get("resume"), allow_duplicate=data["allow_duplicate"], request=request,
            )
        except services.DuplicateCandidate as exc:
            duplicates = list(visible_candidates(actor=request.user).filter(pk__in=exc.duplicate_ids))
            audit_list_read(request=request, candidates=duplicates)  # listed by name below
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("候选人档案已创建。"))
            candidate.refresh_from_db(fields=["resume_status"])
            if candidate.resume_status == Candidate.ResumeStatus.PARSED:  # the resume's fields wait for HR's review
                return redirect("candidates:resume_review", candidate.pk)
            return redirect("candidates:detail", candidate.pk)
    return render(request, "candidates/candidate_form.html", {"form": form, "duplicates": duplicates})


def _detail_context(request, candidate, tab):
    actor = request.user
    ctx = {"candidate": candidate, "tab": tab, "tabs": TABS, "can_manage": user_can(actor, Perm.CANDIDATES_MANAGE),
           "can_contact": masking.can_see_contact(actor)}
    if tab == "profile":
        # Contact details are masked on the page, for everyone: "显示" reveals one (audited). The edit form
        # starts empty for them (blank keeps the stored value), so no full value is in the HTML.
        profile_form = forms.CandidateForm(initial={"full_name": candidate.full_name, "source": candidate.source,
                                                    "tags": ", ".join(t.name for t in candidate.tags.all())})
        for field in masking.CONTACT_FIELDS:
            profile_form.fields[field].widget.attrs["placeholder"] = masking.mask(getattr(candidate, field), field) or ""
            profile_form.fields[field].help_text = _("留空则保持不变")
        ctx.update(work=candidate.work_history.all(), projects=candidate.projects.all(),
                   checks=candidate.background_checks.all(), duplicates=selectors.candidate_duplicates(actor=actor, candidate=candidate),
                   merges=merge_history(candidate=candidate),
                   profile_form=profile_form,
                   contact_rows=[(field, masking.FIELD_LABELS[field], masking.mask(getattr(candidate, field), field))
                                 for field in masking.CONTACT_FIELDS],
                   project_form=forms.ProjectForm(), work_form=forms.WorkForm(), check_form=forms.BackgroundCheckForm(),
                   portal_links=list(candidate.portal_links.all()) if hasattr(candidate, "portal_links") else [])
        shown = request.session.pop("portal_link_shown", None)
        if shown and any(link.pk == shown.get("id") for link in ctx["portal_links"]):
            ctx["portal_shown"] = shown
    elif tab == "resume":
        ctx.update(parsed=candidate.resume_parsed, resume_form=forms.ResumeForm())
    elif tab == "documents":
        ctx.update(documents=candidate.documents.all(), document_form=forms.DocumentForm(), review_form=forms.ReviewForm())
    elif tab == "applications":
        ctx.update(applications=selectors.candidate_applications(actor=actor, candidate=candidate),
                   application_form=forms.ApplicationForm(positions=visible_positions(actor=actor)),
                   statuses=Application.Status.choices)
    elif tab in ("timeline", "interviews", "evaluations"):
        events = selectors.candidate_timeline(actor=actor, candidate=candidate)
        if tab != "timeline":  # other apps' events of kind "interview…" / "evaluation…" (see timeline.py)
            events = [e for e in events if e.kind.startswith(tab[:-1])]
        ctx.update(events=[(e, timeline_text(e), timeline_who(e)) for e in events])
        if tab in hub.TABS:  # the lists the owning apps registered (hub.py)
            ctx.update(hub.hub_context(tab=tab, actor=actor, candidate=candidate))
    return ctx


@login_required
def candidate_detail(request, candidate_id: int):
    candidate = access_candidate(actor=request.user, candidate_id=candidate_id)
    tab = request.GET.get("tab", "profile")
    if tab not in TAB_KEYS:
        tab = "profile"
    services.candidate_read(actor=request.user, candidate=candidate, request=request)
    ctx = _detail_context(request, candidate, tab)
    template = "candidates/_tab.html" if request.htmx else "candidates/candidate_detail.html"
    return render(request, template, ctx)


def _back(candidate, tab):
    from django.urls import reverse

    return redirect(reverse("candidates:detail", args=[candidate.pk]) + f"?tab={tab}")


@login_required
@require_POST
def candidate_edit(request, candidate_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    form = forms.CandidateEditForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("tags")
        allow_duplicate = data.pop("allow_duplicate")
        for field in masking.CONTACT_FIELDS:  # the form shows contact details masked: blank keeps them
            if not (data.get(field) or "").strip():
                data.pop(field, None)
        try:
            services.candidate_update(candidate=candidate, actor=request.user, data=data, tags=form.tag_list(),
                                      allow_duplicate=allow_duplicate, request=request)
            messages.success(request, _("已保存。"))
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, _("请检查填写的内容。"))
    return _back(candidate, "profile")


@login_required
@require_POST
def contact_reveal(request, candidate_id: int, field: str):
    """POST: one contact field in full, for people with the contact permission (403 otherwise); audited."""
    candidate = access_candidate(actor=request.user, candidate_id=candidate_id)
    if field not in masking.CONTACT_FIELDS:
        raise Http404
    value = masking.contact_reveal(actor=request.user, candidate=candidate, field=field, request=request)
    return render(request, "candidates/_contact_value.html", {"field": field, "value": value})


@login_required
@require_POST
def candidate_resume_upload(request, candidate_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    form = forms.ResumeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            candidate = services.resume_attach(candidate=candidate, actor=request.user, upload=form.cleaned_data["resume"],
                                               request=request)
            if candidate.resume_status == Candidate.ResumeStatus.PARSED:  # review before anything reaches the record
                messages.success(request, _("简历已上传并解析：请核对后写入档案。"))
                return redirect("candidates:resume_review", candidate.pk)
            messages.success(request, _("简历已上传并解析。"))
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, _("请选择文件。"))
    return _back(candidate, "resume")


@login_required
def candidate_resume(request, candidate_id: int):
    candidate = access_candidate(actor=request.user, candidate_id=candidate_id)
    try:
        handle = services.candidate_resume_open(actor=request.user, candidate=candidate, request=request)
    except ValidationError:
        raise Http404 from None
    inline = request.GET.get("inline") == "1" and candidate.resume_content_type == "application/pdf"
    response = FileResponse(handle, as_attachment=not inline, filename=candidate.resume_name or "resume",
                            content_type=candidate.resume_content_type or "application/octet-stream")
    if inline:  # the resume tab shows the PDF in a frame of our own page
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@login_required
@require_POST
def document_upload(request, candidate_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(candidate=candidate, actor=request.user, upload=form.cleaned_data["file"],
                                     doc_type=form.cleaned_data["doc_type"], request=request)
            messages.success(request, _("文件已上传。"))
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, _("请选择类型和文件。"))
    return _back(candidate, "documents")


@login_required
def document_download(request, candidate_id: int, document_id: int):
    candidate, document = access_document(actor=request.user, candidate_id=candidate_id, document_id=document_id)
    handle = services.document_open(actor=request.user, document=document, request=request)
    return FileResponse(handle, as_attachment=True, filename=document.filename, content_type=document.content_type)


@login_required
@require_POST
def document_review(request, candidate_id: int, document_id: int):
    access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    candidate, document = access_document(actor=request.user, candidate_id=candidate_id, document_id=document_id)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        services.document_review(actor=request.user, document=document, status=form.cleaned_data["status"],
                                 note=form.cleaned_data["note"])
    return _back(candidate, "documents")


@login_required
@require_POST
def project_save(request, candidate_id: int, project_id: int | None = None):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    project = access_project(actor=request.user, candidate_id=candidate_id, project_id=project_id)[1] if project_id else None
    form = forms.ProjectForm(request.POST)
    if form.is_valid():
        try:
            services.project_save(candidate=candidate, actor=request.user, project=project, request=request, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, _("请填写项目名称。"))
    return _back(candidate, "profile")


@login_required
@require_POST
def project_delete(request, candidate_id: int, project_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    project = access_project(actor=request.user, candidate_id=candidate_id, project_id=project_id)[1]
    services.project_delete(candidate=candidate, project=project, actor=request.user, request=request)
    return _back(candidate, "profile")


@login_required
@require_POST
def work_save(request, candidate_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    form = forms.WorkForm(request.POST)
    if form.is_valid():
        try:
            services.work_save(candidate=candidate, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, _("请填写公司名称。"))
    return _back(candidate, "profile")


@login_required
@require_POST
def work_delete(request, candidate_id: int, work_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    work = access_work(actor=request.user, candidate_id=candidate_id, work_id=work_id)[1]
    services.work_delete(candidate=candidate, work=work, actor=request.user, request=request)
    return _back(candidate, "profile")


@login_required
@require_POST
def background_check_save(request, candidate_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    form = forms.BackgroundCheckForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.background_check_save(actor=request.user, candidate=candidate, request=request, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
    return _back(candidate, "profile")


@login_required
def background_report(request, candidate_id: int, check_id: int):
    candidate, check = access_background_check(actor=request.user, candidate_id=candidate_id, check_id=check_id)
    if not check.report:
        raise Http404
    from hirelens.core.audit import audit_record
    from hirelens.core.models import AuditEvent

    audit_record(action=AuditEvent.Action.READ_FILE, actor=request.user, obj=check, fields=["report"], request=request)
    return FileResponse(check.report.open("rb"), as_attachment=True, filename=check.report_name or "report.pdf",
                        content_type="application/pdf")


@login_required
@require_POST
def application_add(request, candidate_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    form = forms.ApplicationForm(request.POST, positions=visible_positions(actor=request.user))
    if form.is_valid():
        services.application_create(actor=request.user, candidate=candidate, position=form.cleaned_data["position"],
                                    stage=form.cleaned_data["stage"])
    else:
        messages.error(request, _("请选择职位。"))
    return _back(candidate, "applications")


@login_required
@require_POST
def application_update(request, candidate_id: int, application_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    application = selectors.candidate_applications(actor=request.user, candidate=candidate).filter(pk=application_id).first()
    if application is None:
        raise Http404
    form = forms.ApplicationUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("状态无效。"))
        return _back(candidate, "applications")
    try:
        services.application_update(actor=request.user, application=application, request=request, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已保存。"))
    return _back(candidate, "applications")


@login_required
def duplicate_list(request):
    if not user_can(request.user, Perm.CANDIDATES_MANAGE):
        raise Http404
    groups = selectors.duplicate_groups(actor=request.user)
    listed = [c for group in groups for c in group]
    prefetch_related_objects(listed, "applications__position")  # positions of every listed record: 2 queries
    for c in listed:
        c.shown_contact = " · ".join(merge_shown(f, getattr(c, f)) for f in ("phone", "email") if getattr(c, f))
    audit_list_read(request=request, candidates=listed, fields=("full_name", "phone", "email"))
    return render(request, "candidates/duplicate_list.html", {"groups": groups})
