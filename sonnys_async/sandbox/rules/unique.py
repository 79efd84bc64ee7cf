"""Who holds an e-mail address: uniqueness across employees and Backoffice users (§20.3).

One rule for every form that writes an e-mail (employee insert/update, user insert/update): an
address is held by every employee and every Backoffice user (active, inactive or deleted) whose
stored e-mail equals it, case-insensitively. A write may reuse an address only when every holder
is the record being written or the same person: an employee and the BO users linked to it
(``StoredUser.employee_id``) count as one holder, as the user forms edit the employee's
``employee[email]`` (docs/sandbox.md, choice 5).
"""

from __future__ import annotations

from sonnys_async.sandbox.state import TenantState

__all__ = ["email_taken"]


def email_taken(
    state: TenantState, email: str, *, employee_id: int | None, user_id: int | None
) -> bool:
    """Whether ``email`` is held by anyone but the record being written.

    Args:
        state: the stored records.
        email: the posted address (compared case-insensitively; empty is never taken).
        employee_id: the employee being written, or the employee the user being written is
            linked to; ``None`` for a new employee or a standalone user.
        user_id: the BO user being written; ``None`` for a new user or an employee write.
    """
    low = email.lower()
    if not low:
        return False
    for e in state.employees.values():
        if e.id != employee_id and e.email.lower() == low:
            return True
    for u in state.users.values():
        if u.email.lower() != low or u.id == user_id:
            continue
        if employee_id is None or u.employee_id != employee_id:
            return True
    return False
