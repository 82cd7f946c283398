from django.urls import path

from scoring.ballots import views as ballots
from scoring.feedback import views as feedback
from scoring.reports import consistency_views, dashboard_views, halfyear_views, profile_views
from scoring.reports import rankings_views as reports
from scoring.results import views as results
from scoring.setup import panel_views as panel
from scoring.setup import review_views as review
from scoring.setup import sheet_views as staff_sheets
from scoring.setup import views as staff
from scoring.sheets import offline_views
from scoring.sheets import views as judge

app_name = "scoring"
urlpatterns = [
    # The judge's phone.
    path("judge/", judge.my_competitions, name="judge"),
    path("judge/<int:competition_id>/", judge.my_contestants, name="contestants"),
    path("judge/<int:competition_id>/<int:contestant_id>/", judge.score_sheet, name="sheet"),
    path("judge/<int:competition_id>/kit/", offline_views.kit, name="kit"),
    # Villager representatives.
    path("ballot/", ballots.ballot, name="ballot"),
    path("ballot/thanks/", ballots.ballot_thanks, name="ballot_thanks"),
    # District staff.
    path("rankings/", reports.district_rankings, name="rankings"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("secretaries/<int:pk>/", profile_views.secretary_profile, name="secretary"),
    path("villages/<str:code>/", profile_views.village_profile, name="village"),
    path("rankings/annual/", reports.annual_report, name="annual"),
    path("rankings/advance/", reports.advance, name="advance"),
    path("rankings/half-year/", halfyear_views.half_year_report, name="half_year"),
    path("rankings/half-year/review/", halfyear_views.review_new, name="review_new"),
    # Street staff.
    path("competitions/", staff.competition_list, name="competitions"),
    path("competitions/new/", staff.competition_new, name="new"),
    path("competitions/<int:pk>/", staff.competition_setup, name="setup"),
    path("competitions/<int:pk>/criteria/", staff.criteria_update, name="criteria"),
    path(
        "competitions/<int:pk>/contestants/add-current/",
        staff.contestants_add_current,
        name="add_current",
    ),
    path(
        "competitions/<int:pk>/contestants/<int:contestant_id>/remove/",
        staff.contestant_remove,
        name="contestant_remove",
    ),
    path(
        "competitions/<int:pk>/contestants/<int:contestant_id>/absent/",
        staff.contestant_absent,
        name="contestant_absent",
    ),
    path("competitions/<int:pk>/order/draw/", staff.order_draw, name="order_draw"),
    path("competitions/<int:pk>/order/", staff.order_set, name="order_set"),
    path("competitions/<int:pk>/judges/add/", panel.judge_add, name="judge_add"),
    path(
        "competitions/<int:pk>/judges/<int:judge_id>/remove/",
        panel.judge_remove,
        name="judge_remove",
    ),
    path(
        "competitions/<int:pk>/judges/<int:judge_id>/status/",
        panel.judge_status,
        name="judge_status",
    ),
    path(
        "competitions/<int:pk>/judges/<int:judge_id>/recusals/",
        panel.judge_recusals,
        name="judge_recusals",
    ),
    path("competitions/<int:pk>/do/<str:action>/", staff.transition, name="transition"),
    path("competitions/<int:pk>/points/", review.observation_points, name="points"),
    path("competitions/<int:pk>/points/order/", review.visiting_order, name="visiting_order"),
    path(
        "competitions/<int:pk>/points/<int:point_id>/remove/",
        review.observation_point_remove,
        name="point_remove",
    ),
    path("competitions/<int:pk>/board/", staff.board, name="board"),
    path("competitions/<int:pk>/paper/", staff_sheets.paper_sheets, name="paper"),
    path(
        "competitions/<int:pk>/entry/<int:judge_id>/<int:contestant_id>/",
        staff_sheets.paper_entry,
        name="entry",
    ),
    path(
        "competitions/<int:pk>/sheets/<int:sheet_id>/history/",
        staff_sheets.sheet_history,
        name="history",
    ),
    path("competitions/<int:pk>/results/", results.results_page, name="results"),
    path("competitions/<int:pk>/consistency/", consistency_views.report, name="consistency"),
    path("competitions/<int:pk>/ballots/", ballots.democratic, name="democratic"),
    path(
        "competitions/<int:pk>/ballots/switch/", ballots.democratic_switch, name="democratic_switch"
    ),
    path("competitions/<int:pk>/ballots/slips/", ballots.slips, name="slips"),
    path(
        "competitions/<int:pk>/ballots/<int:contestant_id>/revoke/",
        ballots.revoke_tokens,
        name="revoke_tokens",
    ),
    path("competitions/<int:pk>/ballots/<int:contestant_id>/tally/", ballots.tally, name="tally"),
    path("competitions/<int:pk>/results/judges/", results.judge_summary, name="judge_summary"),
    path("competitions/<int:pk>/feedback/", feedback.feedback_all, name="feedback_all"),
    path(
        "competitions/<int:pk>/feedback/<int:contestant_id>/",
        feedback.feedback_sheet,
        name="feedback",
    ),
    path(
        "competitions/<int:pk>/results/override/<int:contestant_id>/",
        results.grade_override,
        name="override",
    ),
]
