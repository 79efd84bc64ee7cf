"""The annotated field types of the request models, and the rules behind them.

Each rule is defined once, as an annotated type (``PersonName``, ``Phone``, ``Email``,
``PosUserId``, ``Pin``, ``Money``, ``SiteRefs``...) that every request model uses as a field
annotation; the normalisation rules themselves are listed in :mod:`sonnys_async.models`.
:func:`normalize_phone`, :func:`money` and :func:`default_overtime` are the same rules as
plain functions, for the client.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Literal, TypeAlias

import email_validator
from pydantic import (
    AfterValidator,
    BeforeValidator,
    EmailStr,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from ..core.text import is_digits
from ..errors import FieldIssue, InputValidationError

__all__ = [
    "MAX_POS_USER_ID",
    "ActiveFilter",
    "AdpId",
    "BackofficeTemplateName",
    "CalendarDate",
    "ClearablePhone",
    "ContactName",
    "DepartmentRefs",
    "Email",
    "Money",
    "OptionalAdpId",
    "OptionalContactName",
    "OptionalPhone",
    "Password",
    "PersonName",
    "Phone",
    "Pin",
    "PosTemplateName",
    "PosUserId",
    "SiteRef",
    "SiteRefs",
    "SiteRequest",
    "UserPersonName",
    "Username",
    "default_overtime",
    "money",
    "normalize_phone",
    "visible_text_issue",
]

#: Which employees a list/search covers (the roster's ``active`` filter, protocol §10.2).
ActiveFilter: TypeAlias = Literal["active", "inactive", "all"]
#: Requested sites: ``"all"`` or site ids / long names / short codes (case-insensitive).
SiteRequest: TypeAlias = Literal["all"] | tuple[int | str, ...]

#: pydantic's e-mail type: email-validator's syntax rules, deliverability (DNS) checks off.
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)
#: What every e-mail message starts with (the value itself is never quoted).
_EMAIL_SHAPE = "must be an e-mail address such as name@example.com"
#: email-validator's reasons, worded as ours: (a phrase in its message, what we say).
_EMAIL_REASONS = (
    ("must have an @-sign", "it has no @"),
    ("something before the @-sign", "nothing before the @"),
    ("something after the @-sign", "nothing after the @"),
    ("should have a period", "the part after the @ needs a period"),
    ("top-level domain", "the part after the @ does not end in a domain such as .com"),
    ("invalid characters before the @-sign", "characters not allowed before the @"),
    ("invalid character", "characters not allowed after the @"),
    ("too long", "too long"),
    ("period", "a period out of place"),
    ("hyphen", "a hyphen out of place"),
)
_USERNAME_RE = re.compile(r"^[A-Za-z]\w{2,63}$", re.ASCII)
_CENT = Decimal("0.01")
_MAX_RATE = Decimal("999999999.99")
#: A plain amount as text: digits, an optional point and decimals (no exponent, sign or spaces
#: inside; ``"1e3"`` is refused rather than read as 1000).
_AMOUNT_RE = re.compile(r"^[0-9]+(?:\.[0-9]+)?$|^\.[0-9]+$")
#: The POS User ID is a 32-bit signed integer on the server (larger ones are refused there).
MAX_POS_USER_ID = 2_147_483_647
#: Dates the forms can carry (``MM/DD/YYYY``; the server refuses years before 1900).
_FIRST_DAY = date(1900, 1, 1)
_LAST_DAY = date(2099, 12, 31)
#: Unicode categories never valid in a name or address: controls (NUL, newline, ESC), format
#: characters (bidi overrides, zero-width), line/paragraph separators, surrogates, private use.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_OVERTIME_FACTOR = Decimal("1.5")


# --------------------------------------------------------------------------------------------
# helpers shared with the client


def normalize_phone(value: str, *, field: str = "phone") -> str:
    """Strip a phone number to its 10 digits.

    Args:
        value: Any human formatting (``(615) 555-1234``, ``+1 615 555 1234``...).
        field: Field name used in the error.

    Returns:
        Ten digits.

    Raises:
        InputValidationError: not 10 digits (or 11 with a leading ``1``).
    """
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise InputValidationError(
            [FieldIssue(field, f"must have 10 digits (got {len(digits)} digits)")]
        )
    return digits


def money(value: Decimal | float | int | str, *, field: str = "wage_rate") -> Decimal:
    """A non-negative amount rounded half-up to cents.

    Text must be a plain amount (``"15.5"``, ``"15.50"``): ``"1e3"``, ``"1,000"`` or
    ``"$15"`` are refused rather than guessed at.

    Raises:
        InputValidationError: not a number, negative, or above 999999999.99.
    """
    if isinstance(value, bool):
        raise InputValidationError([FieldIssue(field, "must be a number, not a bool")])
    if isinstance(value, str) and not _AMOUNT_RE.match(value.strip()):
        raise InputValidationError(
            [FieldIssue(field, "must be a plain amount such as 15.50 (digits and a point)")]
        )
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise InputValidationError([FieldIssue(field, "must be a number")]) from None
    if not amount.is_finite():
        raise InputValidationError([FieldIssue(field, "must be a finite number")])
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount < 0 or amount > _MAX_RATE:
        raise InputValidationError([FieldIssue(field, "must be between 0 and 999999999.99")])
    return amount


def default_overtime(rate: Decimal) -> Decimal:
    """1.5 x the regular rate, rounded half-up to cents (14.75 -> 22.13, protocol §9.2)."""
    return (rate * _OVERTIME_FACTOR).quantize(_CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# field rules: one definition per rule, used as field annotations by every request model
#
# A "before" rule sees the raw input (no trimming yet) and may turn it into the field's type;
# an "after" rule sees the value pydantic has already checked and trimmed. ``X | None`` lets
# ``None`` through without running X's rule.


def visible_text_issue(value: str) -> str | None:
    """Why ``value`` cannot be stored as a name or address, or ``None`` when it can.

    Control characters (NUL, newline, ANSI escapes), invisible format characters (bidi
    overrides, zero-width spaces) and the like are refused: the server would store them, and
    they would later disguise the record on screens and in exported files.
    """
    for char in value:
        if unicodedata.category(char) in _INVISIBLE:
            return f"must not contain control or invisible characters (found U+{ord(char):04X})"
    return None


def _visible(value: str) -> str:
    issue = visible_text_issue(value)
    if issue is not None:
        raise ValueError(issue)
    return value


def _length(minimum: int, maximum: int, message: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not minimum <= len(value) <= maximum:
            raise ValueError(message)
        return value

    return check


def _none_if_blank(value: str | None) -> str | None:
    return value or None


def _phone_digits(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    try:
        return normalize_phone(value)
    except InputValidationError as exc:
        raise ValueError(exc.issues[0].message) from None


def _required_phone(value: object) -> str:
    if value == "":
        raise ValueError("is required")
    return _phone_digits(value)


def _optional_phone(value: object) -> str | None:
    if value is None or value == "":
        return None
    return _phone_digits(value)


def _clearable_phone(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return ""  # an explicit empty value clears an optional phone
    return _phone_digits(value)


def _email_reason(message: str) -> str:
    """Our wording of an email-validator message (which may quote characters of the value)."""
    for phrase, ours in _EMAIL_REASONS:
        if phrase in message:
            return f"{_EMAIL_SHAPE} ({ours})"
    return _EMAIL_SHAPE


def _reserved_as_plain(address: str) -> str:
    """``address`` with a reserved top-level name (``.invalid``, ``.test``, ``.local``...)
    replaced by an ordinary one of the same length, so the rest of it is checked as usual.

    email-validator refuses the names RFC 6761 reserves, as undeliverable; but pseudonymised
    Backoffice data and the sandbox use ``@example.invalid``, and deliverability is not ours
    to check.
    """
    local, at, domain = address.rpartition("@")
    lowered = domain.lower()
    for name in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        if lowered == name or lowered.endswith("." + name):
            return f"{local}{at}{domain[: len(domain) - len(name)]}{'x' * len(name)}"
    return address


def _email(value: object, handler: ValidatorFunctionWrapHandler) -> str:
    text: str = handler(value)  # a string, trimmed
    _visible(text)
    if "<" in text or ">" in text:  # EmailStr would read "Name <a@b.co>" as a@b.co
        raise ValueError(f"{_EMAIL_SHAPE} (no name or angle brackets)")
    try:
        _EMAIL.validate_python(_reserved_as_plain(text))
    except ValidationError as exc:
        reason = (exc.errors()[0].get("ctx") or {}).get("reason", "")
        raise ValueError(_email_reason(str(reason))) from None
    return text  # stored as given: the Backoffice compares addresses case-insensitively


def _pos_user_id(value: object) -> object:
    if value is None:
        return None  # a required field given None: pydantic's own type error names it
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("must be an integer >= 1")
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits only: "²" or "٣" pass str.isdigit() but int() refuses them.
        if not is_digits(text):
            raise ValueError("must be an integer >= 1")
        value = int(text)
    if value < 1:
        raise ValueError("must be an integer >= 1")
    if value > MAX_POS_USER_ID:
        raise ValueError(f"must be at most {MAX_POS_USER_ID} (the server's largest)")
    return value


def _pin(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 10000 <= value <= 99999:
        raise ValueError("must be a five-digit integer (10000-99999)")
    return value


def _money(value: object) -> Decimal | None:
    if value is None:
        return None  # a required field given None: pydantic's own type error names it
    if not isinstance(value, Decimal | float | int | str):
        raise ValueError("must be a number")
    try:
        return money(value)
    except InputValidationError as exc:
        raise ValueError(exc.issues[0].message) from None


def _to_date(value: object) -> object:
    # The reference took ``datetime``; a date is what the server stores (MM/DD/YYYY, §6.4).
    if isinstance(value, datetime):
        return value.date()
    return value


def _date_range(value: date) -> date:
    if not _FIRST_DAY <= value <= _LAST_DAY:
        raise ValueError(f"must be between {_FIRST_DAY:%m/%d/%Y} and {_LAST_DAY:%m/%d/%Y}")
    return value


def _sites(value: object) -> SiteRequest:
    if value is None:
        raise ValueError('is required ("all" or a list of sites)')
    if isinstance(value, str):
        if value.strip().lower() == "all":
            return "all"
        return (value.strip(),)
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if not isinstance(value, Iterable):
        raise ValueError('must be "all" or a list of site ids, names or short codes')
    return _distinct_refs(
        value,
        "site entries must be ids, names or short codes",
        'must name at least one site (or be "all")',
    )


def _departments(value: object) -> tuple[int | str, ...]:
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, Iterable):
        raise ValueError("must be a list of department names or ids")
    return _distinct_refs(
        value,
        "department entries must be names or ids",
        "must name at least one department",
    )


def _distinct_refs(value: Iterable[object], bad_entry: str, empty: str) -> tuple[int | str, ...]:
    """Ids or names (trimmed; blanks dropped), first occurrence kept, at least one."""
    items: list[int | str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise ValueError(bad_entry)
        if isinstance(item, str):
            item = item.strip()
            if not item:
                continue
        if item not in items:
            items.append(item)
    if not items:
        raise ValueError(empty)
    return tuple(items)


def _site_ref(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        raise ValueError("must be a site id, name or short code")
    return value


def _username(value: str) -> str:
    if not _USERNAME_RE.match(value):
        raise ValueError("must start with a letter and have 3-64 letters, digits or _")
    return value


def _password(value: str) -> str:
    alnum = sum(1 for c in value if c.isascii() and c.isalnum())
    if alnum < 8:
        raise ValueError("must contain at least 8 letters or digits")
    if len(value) > 128:
        raise ValueError("must be at most 128 characters")
    return value


#: An employee's first or last name: trimmed, 1-64 visible characters (protocol §16.2).
PersonName: TypeAlias = Annotated[
    str,
    AfterValidator(_visible),
    AfterValidator(_length(1, 64, "must be 1 to 64 characters after trimming")),
]
#: A standalone Backoffice user's name: 2-64 characters (the user form's ``minlength=2``, §11.2).
UserPersonName: TypeAlias = Annotated[
    str,
    AfterValidator(_visible),
    AfterValidator(_length(2, 64, "must be 2 to 64 characters after trimming")),
]
#: A required phone number, stored as its 10 digits (see :func:`normalize_phone`).
Phone: TypeAlias = Annotated[str, BeforeValidator(_required_phone)]
#: An optional phone number; ``""`` means none.
OptionalPhone: TypeAlias = Annotated[str | None, BeforeValidator(_optional_phone)]
#: A phone number to change; a blank value stays ``""`` (clear the stored number).
ClearablePhone: TypeAlias = Annotated[str | None, BeforeValidator(_clearable_phone)]
#: An e-mail address, checked by pydantic's ``EmailStr`` (email-validator's syntax rules; no
#: DNS or deliverability check, reserved names such as ``example.invalid`` allowed); stored as
#: given (trimmed).
Email: TypeAlias = Annotated[str, WrapValidator(_email)]
#: A POS User ID: an integer from 1 to 2147483647 (ASCII digit strings accepted, ``bool``
#: rejected).
PosUserId: TypeAlias = Annotated[int, BeforeValidator(_pos_user_id)]
#: A POS PIN: a five-digit integer, 10000-99999 (``bool`` and strings rejected).
Pin: TypeAlias = Annotated[int, BeforeValidator(_pin)]
#: An amount of money, 0 to 999999999.99, rounded half-up to cents (see :func:`money`).
Money: TypeAlias = Annotated[Decimal, BeforeValidator(_money)]
#: A calendar day from 1900 to 2099; a ``datetime`` is cut to its date (the server stores
#: days, §6.4).
CalendarDate: TypeAlias = Annotated[date, BeforeValidator(_to_date), AfterValidator(_date_range)]
#: ``"all"`` (any case) or distinct site ids / names / short codes; one bare ref is a list of one.
SiteRefs: TypeAlias = Annotated[SiteRequest, BeforeValidator(_sites)]
#: Distinct department names or ids; one bare ref is a list of one.
DepartmentRefs: TypeAlias = Annotated[tuple[int | str, ...], BeforeValidator(_departments)]
#: One site (id, name or short code); a blank name means none.
SiteRef: TypeAlias = Annotated[int | str | None, BeforeValidator(_site_ref)]
#: The name of a POS permission template (checked against the tenant by the client).
PosTemplateName: TypeAlias = Annotated[
    str,
    AfterValidator(_visible),
    AfterValidator(_length(1, sys.maxsize, "must name a POS permission template")),
]
#: The name of a Backoffice permission template (checked against the tenant by the client).
BackofficeTemplateName: TypeAlias = Annotated[
    str,
    AfterValidator(_visible),
    AfterValidator(_length(1, sys.maxsize, "must name a Backoffice permission template")),
]
#: A Backoffice login: ``^[A-Za-z]\w{2,63}$`` (ASCII), as the user form's ``pattern`` (§11.2).
Username: TypeAlias = Annotated[str, AfterValidator(_username)]
#: A Backoffice password: at least 8 ASCII letters/digits (§16.2), at most 128 characters.
Password: TypeAlias = Annotated[str, AfterValidator(_password)]
#: An ADP employee id, at most 32 visible characters.
AdpId: TypeAlias = Annotated[
    str, AfterValidator(_visible), AfterValidator(_length(0, 32, "must be at most 32 characters"))
]
#: An emergency contact's name, at most 100 visible characters.
ContactName: TypeAlias = Annotated[
    str,
    AfterValidator(_visible),
    AfterValidator(_length(0, 100, "must be at most 100 characters")),
]
#: Optional ADP id / contact name where a blank value means "not given".
OptionalAdpId: TypeAlias = Annotated[AdpId | None, AfterValidator(_none_if_blank)]
OptionalContactName: TypeAlias = Annotated[ContactName | None, AfterValidator(_none_if_blank)]
