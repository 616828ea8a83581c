from __future__ import annotations

from django.urls import path

from assessments import certificate_views, competency_views, marking_views, views, workbook_views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/delegate/", views.delegate_dashboard, name="delegate_dashboard"),
    path("dashboard/trainer/", views.trainer_dashboard, name="trainer_dashboard"),
    # Trainers mark the workbook's conference reports.
    path("marking/", marking_views.marking_queue, name="marking_queue"),
    path("marking/<int:submission_id>/", marking_views.marking_detail, name="marking_detail"),
    path(
        "marking/<int:submission_id>/moderate/",
        marking_views.marking_moderate,
        name="marking_moderate",
    ),
    path(
        "marking/<int:submission_id>/release/",
        marking_views.marking_release,
        name="marking_release",
    ),
    path("dashboard/manager/", competency_views.manager_dashboard, name="manager_dashboard"),
    path(
        "dashboard/manager/export.<str:fmt>",
        competency_views.manager_export,
        name="manager_export",
    ),
    path(
        "dashboard/manager/people/<int:person_id>/",
        competency_views.manager_person,
        name="manager_person",
    ),
    path(
        "dashboard/people/<int:person_id>/sign-off/",
        competency_views.person_sign_off,
        name="person_sign_off",
    ),
    path(
        "dashboard/evidence/<int:evidence_id>/accept/",
        competency_views.evidence_release,
        name="evidence_release",
    ),
    path(
        "dashboard/evidence/<int:evidence_id>/file/",
        competency_views.evidence_file,
        name="evidence_file",
    ),
    path(
        "dashboard/delegate/competency/",
        competency_views.delegate_competency,
        name="delegate_competency",
    ),
    path(
        "dashboard/delegate/evidence/",
        competency_views.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "dashboard/delegate/certificate/",
        certificate_views.certificate_issue,
        name="certificate_issue",
    ),
    path(
        "certificates/<str:number>.pdf",
        certificate_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "certificates/verify/<str:token>/",
        certificate_views.certificate_verify,
        name="certificate_verify",
    ),
    # The delegate's workbook. Answer URLs name a chapter page and a block id,
    # never an answer: whose answer it is always comes from the session.
    path(
        "learn/workbook/<int:page_id>/",
        workbook_views.workbook_contents,
        name="workbook_contents",
    ),
    path(
        "learn/workbook/<int:page_id>/resume/",
        workbook_views.workbook_resume,
        name="workbook_resume",
    ),
    path(
        "learn/workbook/<int:page_id>/results/",
        workbook_views.workbook_results,
        name="workbook_results",
    ),
    path(
        "learn/workbook/<int:page_id>/print/",
        workbook_views.workbook_print,
        name="workbook_print",
    ),
    path(
        "learn/workbook/<int:page_id>/print.pdf",
        workbook_views.workbook_print_pdf,
        name="workbook_print_pdf",
    ),
    path(
        "learn/chapter/<int:page_id>/",
        workbook_views.workbook_chapter,
        name="workbook_chapter",
    ),
    path(
        "learn/chapter/<int:page_id>/submit/",
        workbook_views.workbook_chapter_submit,
        name="workbook_chapter_submit",
    ),
    path(
        "learn/chapter/<int:page_id>/blocks/<slug:block_id>/answer/",
        workbook_views.workbook_answer,
        name="workbook_answer",
    ),
    path(
        "learn/chapter/<int:page_id>/blocks/<slug:block_id>/check/",
        workbook_views.workbook_quiz_check,
        name="workbook_quiz_check",
    ),
    path(
        "learn/chapter/<int:page_id>/blocks/<slug:block_id>/read/",
        workbook_views.workbook_reading,
        name="workbook_reading",
    ),
]
