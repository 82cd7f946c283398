"""Writes to the event: contestants, speaking order, panel, sign-in cards, lifecycle, problems,
one module each, imported here (`from competition import services` keeps working).

Each function is atomic, locks the competition row it changes, and logs an Event in the same
transaction. A refused action raises ActionRefused with a message for the user and changes nothing.
"""

from competition.services.cards import (
    CardRefused,
    check_card,
    find_card,
    issue_cards,
    redeem_card,
)
from competition.services.contestants import (
    add_current_secretaries,
    add_observation_point,
    draw_order,
    remove_contestant,
    remove_observation_point,
    set_absent,
    set_order,
    set_visiting_order,
)
from competition.services.lifecycle import (
    TRANSITIONS,
    ActionRefused,
    Status,
    lock,
    log,
    require,
    transition,
)
from competition.services.panel import (
    ALREADY,
    add_judge,
    add_judge_account,
    mark_judge_absent,
    reinstate_judge,
    remove_judge,
    set_recusals,
    withdraw_judge,
)
from competition.services.problems import (
    bulk_set_status,
    update_problem,
)

__all__ = [
    "ALREADY",
    "ActionRefused",
    "CardRefused",
    "Status",
    "TRANSITIONS",
    "add_current_secretaries",
    "add_judge",
    "add_judge_account",
    "add_observation_point",
    "bulk_set_status",
    "check_card",
    "draw_order",
    "find_card",
    "issue_cards",
    "lock",
    "log",
    "mark_judge_absent",
    "redeem_card",
    "reinstate_judge",
    "remove_contestant",
    "remove_judge",
    "remove_observation_point",
    "require",
    "set_absent",
    "set_order",
    "set_recusals",
    "set_visiting_order",
    "transition",
    "update_problem",
    "withdraw_judge",
]
