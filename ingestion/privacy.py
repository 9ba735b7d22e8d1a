"""Privacy at the door: phone numbers and e-mail addresses are pseudonymized before they are loaded.

Every such value is *normalized* (phone: E.164, ``+12125550142``; e-mail: trimmed, lower case) and
replaced by its *pseudonym* ``HMAC-SHA256(key, normalized)`` as 64 hex characters
(:func:`pseudonymize`). The same person gets the same pseudonym in every source and format
(``+1 (212) 555-0142``, ``00 1 212 555 0142`` and ``(212) 555-0142`` read in the US), which is how
a caller, a ticket requester, a survey respondent and a CRM customer are joined, without the
warehouse ever holding the number or address. Without the key the pseudonyms cannot be reversed by
trying every phone number, which a plain hash would allow.

The key (:func:`resolve_key`), in this order:

1. the ``key`` argument (a source's ``pseudonym_key``);
2. the environment variable ``CXPIPE_PSEUDONYM_KEY``;
3. dlt secrets ``pseudonymization.key`` (env ``PSEUDONYMIZATION__KEY``, or ``[pseudonymization]
   key = "..."`` in ``.dlt/secrets.toml``);
4. the file named by ``CXPIPE_PSEUDONYM_KEY_FILE``;
5. the key file of the deployment's state folder (``<state>/pseudonym.key``, created by
   ``cxpipe keygen`` or by the demo), when the caller passes it.

No key is an error (:class:`PseudonymKeyError`) raised when a source is built, before anything is
read. The key and the clear values are never logged nor put in an error message.

Free text (survey comments, CDR application data, helpdesk subjects and comment bodies) is not
pseudonymized but *scrubbed* (:meth:`Pseudonymizer.scrub_text`): e-mail addresses become
``[email]`` and anything that reads as a phone number becomes ``[phone]``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import re
import secrets
from collections import Counter
from pathlib import Path
from typing import Final

import phonenumbers

__all__ = [
    "ANONYMOUS_VALUES",
    "DEFAULT_PHONE_REGION",
    "DLT_SECRET_KEY",
    "EMAIL_MARKER",
    "ENV_KEY",
    "ENV_KEY_FILE",
    "ENV_PHONE_REGION",
    "KEY_FILE_NAME",
    "MIN_KEY_LENGTH",
    "PHONE_MARKER",
    "PseudonymKeyError",
    "Pseudonymizer",
    "create_key_file",
    "log_unreadable",
    "normalize_email",
    "normalize_phone",
    "phone_region",
    "pseudonymize",
    "read_key_file",
    "resolve_key",
]

logger = logging.getLogger(__name__)

ENV_KEY: Final = "CXPIPE_PSEUDONYM_KEY"
ENV_KEY_FILE: Final = "CXPIPE_PSEUDONYM_KEY_FILE"
ENV_PHONE_REGION: Final = "CXPIPE_PHONE_REGION"
DLT_SECRET_KEY: Final = "pseudonymization.key"
DLT_SECRET_ENV: Final = "PSEUDONYMIZATION__KEY"
KEY_FILE_NAME: Final = "pseudonym.key"
"""The key file's name in a deployment's state folder."""
MIN_KEY_LENGTH: Final = 16
"""Shorter keys are refused: the set of phone numbers is small enough to try every one against a
guessable key."""
DEFAULT_PHONE_REGION: Final = "US"

ANONYMOUS_VALUES: Final = frozenset(
    {"anonymous", "unknown", "restricted", "private", "unavailable", "withheld", "none", "null"}
)
"""Caller ids that say the number was not given (compared in lower case): NULL, not an error."""

PHONE_MARKER: Final = "[phone]"
EMAIL_MARKER: Final = "[email]"
EXTENSION_MAX_DIGITS: Final = 6
"""An internal extension (``1001``) is at most this long; it is not a customer's number."""

_EXTENSION: Final = re.compile(rf"\d{{1,{EXTENSION_MAX_DIGITS}}}")
_SEPARATORS: Final = re.compile(r"[\s().\-/]")
_EXTERNAL_NUMBER: Final = re.compile(r"\+?\d{7,}")
_CALLERID: Final = re.compile(r'\s*(?:"(?P<quoted>[^"]*)"|(?P<name>[^<>"]*?))\s*<(?P<number>[^<>]*)>\s*')
_ANGLE_ADDRESS: Final = re.compile(r"[^<>]*<(?P<address>[^<>]*)>\s*")
_EMAIL_IN_TEXT: Final = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_IN_TEXT: Final = re.compile(r"(?<![\w+:])\+?\(?\d(?:[ ().\-/]{0,2}\d){6,16}(?![\w:])")
_INTERNATIONAL_PHONE_IN_TEXT: Final = re.compile(
    r"(?<![\w+:])(?:\+|\b00)\d(?:[ ().\-/]{0,2}\d){6,16}(?![\w:])"
)
_DATE_IN_TEXT: Final = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{4}")
"""Dates are not phone numbers (``2026-10-12 12`` would read as a US number)."""
_POSSIBLE: Final = phonenumbers.ValidationResult.IS_POSSIBLE
_POSSIBLE_LOCAL: Final = phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY


class PseudonymKeyError(RuntimeError):
    """No usable pseudonymization key; the message says how to give one."""


# --- normalization -----------------------------------------------------------------------------


def phone_region(region: str | None = None) -> str:
    """The region national numbers are read in: ``region``, else ``CXPIPE_PHONE_REGION``, else
    ``US``; an ISO 3166 code that ``phonenumbers`` knows (``GB``, not ``UK``)."""
    value = (region or os.environ.get(ENV_PHONE_REGION) or DEFAULT_PHONE_REGION).strip().upper()
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(
            f"{ENV_PHONE_REGION}={value!r} is not a region phonenumbers knows: give a two-letter "
            "ISO country code such as US, GB or DE"
        )
    return value


def _parse_phone(value: object, region: str) -> phonenumbers.PhoneNumber | None:
    """The number ``value`` reads as (national numbers in ``region``; ``00`` as the international
    prefix), or None."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.lower() in ANONYMOUS_VALUES:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def normalize_phone(value: object, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """A phone number in E.164 (``+12125550142``), or None.

    Any human format is read: ``+1 (212) 555-0142``, ``001 212 555 0142`` (``00`` is taken as the
    international prefix), ``(212) 555-0142`` in the region ``region`` (``US`` by default; the
    region's own international prefix, ``011`` in the US, works too); an extension is dropped.
    ``anonymous``, ``unknown``, ``restricted``, empty text and anything that is not a complete
    number (too short or too long for its country, a local number without area code, letters)
    give None. Numbers are checked for a possible length, not for being assigned: fictitious
    numbers such as ``+1 202 555 0100`` are numbers too.
    """
    number = _parse_phone(value, region)
    if number is None or phonenumbers.is_possible_number_with_reason(number) != _POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(value: object) -> str | None:
    """An e-mail address trimmed and in lower case, or None when it has not exactly one ``@``
    with text on both sides. ``Name <a@b.example>`` gives the address between the brackets."""
    if value is None:
        return None
    text = str(value).strip()
    bracketed = _ANGLE_ADDRESS.fullmatch(text)
    if bracketed:
        text = bracketed.group("address").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    local, at, domain = text.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in text):
        return None
    return text.lower()


def pseudonymize(key: str | bytes, normalized: str) -> str:
    """``HMAC-SHA256(key, normalized)`` as 64 hex characters: the pseudonym of a normalized value
    (:func:`normalize_phone`, :func:`normalize_email`)."""
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key_bytes, normalized.encode("utf-8"), hashlib.sha256).hexdigest()


# --- the key -----------------------------------------------------------------------------------


def _key_help(key_file: Path | None) -> str:
    ways = (
        f"set the environment variable {ENV_KEY}, or the dlt secret {DLT_SECRET_KEY} (env "
        f"{DLT_SECRET_ENV}, or [pseudonymization] key = \"...\" in .dlt/secrets.toml), or "
        f"{ENV_KEY_FILE} to a file holding the key"
    )
    if key_file is not None:
        ways += f", or create the key file {key_file} with `cxpipe keygen`"
    return (
        "No pseudonymization key: phone numbers and e-mail addresses are replaced by keyed "
        f"pseudonyms before they are loaded, and that needs a secret key of at least "
        f"{MIN_KEY_LENGTH} characters. To give one, {ways}. Keep the key once data is loaded: "
        "another key gives other pseudonyms, and joins with the history break."
    )


def _checked(key: str, where: str) -> str:
    key = key.strip()
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"The pseudonymization key from {where} is shorter than {MIN_KEY_LENGTH} characters; "
            "use a long random one (for example the output of "
            "`python -c \"import secrets; print(secrets.token_hex(32))\"`)."
        )
    return key


def read_key_file(path: Path) -> str:
    """The key held in ``path`` (surrounding blanks removed)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PseudonymKeyError(
            f"Cannot read the pseudonymization key file {path}: {exc.strerror or exc}"
        ) from None
    return _checked(text, f"the file {path}")


def resolve_key(key: str | None = None, *, key_file: Path | None = None) -> str:
    """The pseudonymization key (see the module doc for the order); :class:`PseudonymKeyError`
    when there is none. ``key_file``: the deployment's state-folder key file, used only when it
    exists and nothing else gives a key."""
    if key:
        return _checked(key, "the pseudonym_key argument")
    from_env = os.environ.get(ENV_KEY)
    if from_env:
        return _checked(from_env, ENV_KEY)
    from_dlt = _dlt_secret()
    if from_dlt:
        return _checked(from_dlt, f"the dlt secret {DLT_SECRET_KEY}")
    named_file = os.environ.get(ENV_KEY_FILE)
    if named_file:
        return read_key_file(Path(named_file).expanduser())
    if key_file is not None and Path(key_file).is_file():
        return read_key_file(Path(key_file))
    raise PseudonymKeyError(_key_help(key_file))


def _dlt_secret() -> str | None:
    import dlt

    value = dlt.secrets.get(DLT_SECRET_KEY)
    return str(value) if value else None


def create_key_file(path: Path) -> str:
    """Write a new random key (64 hex characters) to ``path``, readable by its owner only (0600);
    the file must not exist. Returns the key."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    os.chmod(path, 0o600)
    return key


# --- the pseudonymizer -------------------------------------------------------------------------


class Pseudonymizer:
    """Normalizes and pseudonymizes with one key and one phone region (``region``, else
    ``CXPIPE_PHONE_REGION``, else ``US``).

    Every method returns a pseudonym (64 hex) or None: a value that is empty, says "anonymous" or
    cannot be read never comes back in clear. Values that could not be read are counted in
    :attr:`unreadable` (``phone`` / ``e-mail``), which the sources report per run. Results are
    cached (callers and customers repeat).
    """

    CACHE_SIZE: Final = 65_536

    def __init__(self, key: str, region: str | None = None) -> None:
        self._key = _checked(key, "the pseudonym_key argument").encode("utf-8")
        self.region = phone_region(region)
        self.unreadable: Counter[str] = Counter()
        self._phone = functools.lru_cache(maxsize=self.CACHE_SIZE)(self._phone_uncached)
        self._email = functools.lru_cache(maxsize=self.CACHE_SIZE)(self._email_uncached)

    @classmethod
    def from_settings(
        cls, key: str | None = None, region: str | None = None, key_file: Path | None = None
    ) -> Pseudonymizer:
        """A pseudonymizer with the configured key (:func:`resolve_key`) and region
        (:func:`phone_region`); raises :class:`PseudonymKeyError` / ValueError when not usable."""
        return cls(resolve_key(key, key_file=key_file), phone_region(region))

    def __repr__(self) -> str:
        return f"Pseudonymizer(region={self.region!r}, key=<hidden>)"

    def hash(self, normalized: str) -> str:
        """The pseudonym of an already normalized value."""
        return pseudonymize(self._key, normalized)

    def _phone_uncached(self, text: str) -> str | None:
        normalized = normalize_phone(text, self.region)
        return None if normalized is None else self.hash(normalized)

    def _email_uncached(self, text: str) -> str | None:
        normalized = normalize_email(text)
        return None if normalized is None else self.hash(normalized)

    def phone(self, value: object) -> str | None:
        """The pseudonym of a phone number in any format; None when empty, anonymous or
        unreadable (then counted)."""
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        result = self._phone(text)
        if result is None and text.lower() not in ANONYMOUS_VALUES:
            self.unreadable["phone"] += 1
        return result

    def email(self, value: object) -> str | None:
        """The pseudonym of an e-mail address; None when empty or not an address (counted)."""
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        result = self._email(text)
        if result is None:
            self.unreadable["e-mail"] += 1
        return result

    def address(self, value: object) -> str | None:
        """The pseudonym of a contact address that is an e-mail address (it has an ``@``) or a
        phone number (a helpdesk ``via.source`` address)."""
        if value is None:
            return None
        return self.email(value) if "@" in str(value) else self.phone(value)

    def caller_id(self, value: object) -> str | None:
        """A telephony caller id (queue_log ENTERQUEUE ``data2``, CDR ``src`` / ``clid``): the
        pseudonym of its number; an internal extension (up to 6 digits) as it is; None when empty,
        anonymous or unreadable. ``"Name" <number>`` gives the number's pseudonym (the display
        name is dropped)."""
        if value is None:
            return None
        text = str(value).strip()
        found = _CALLERID.fullmatch(text)
        if found:
            text = found.group("number").strip()
        if not text:
            return None
        if _EXTENSION.fullmatch(text):
            return text
        return self.phone(text)

    def dialled(self, value: object) -> str | None:
        """A CDR destination (``dst``): an extension, a pattern (``s``, ``*97``) or anything that
        does not look like an external number stays as it is; an external number (7 digits or
        more, or ``+``-prefixed, separators ignored) becomes its pseudonym, or None when it cannot
        be read as one (a trunk prefix such as ``9`` before the number)."""
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        compact = _SEPARATORS.sub("", text)
        if compact.startswith("+") or _EXTERNAL_NUMBER.fullmatch(compact):
            return self.phone(text)
        return text

    def scrub_text(self, value: str | None, international_only: bool = False) -> str | None:
        """Free text with every e-mail address replaced by ``[email]`` and every run of 7 to 17
        digits (with spaces, dots, dashes, slashes or parentheses between them, not part of a
        date or a time) that reads as a phone number in this region or internationally by
        ``[phone]``. Other long numbers may be hidden too (better one order number too many than
        one phone number).

        ``international_only``: only numbers written with ``+`` or ``00`` are taken for phone
        numbers, for machine lines (a queue_log line's epoch and call id are long numbers too).
        """
        if not value:
            return value
        text = _EMAIL_IN_TEXT.sub(EMAIL_MARKER, value)
        pattern = _INTERNATIONAL_PHONE_IN_TEXT if international_only else _PHONE_IN_TEXT
        return pattern.sub(self._phone_marker, text)

    def _phone_marker(self, match: re.Match[str]) -> str:
        candidate = match.group(0)
        if _DATE_IN_TEXT.search(candidate):
            return candidate
        number = _parse_phone(candidate, self.region)
        if number is not None and phonenumbers.is_possible_number_with_reason(number) in (
            _POSSIBLE,
            _POSSIBLE_LOCAL,
        ):
            return PHONE_MARKER
        return candidate

    def take_unreadable(self) -> Counter[str]:
        """The unreadable counts since the last call (and reset them)."""
        counts, self.unreadable = self.unreadable, Counter()
        return counts


def log_unreadable(privacy: Pseudonymizer, where: str) -> None:
    """Log (as a warning) how many phone numbers and e-mail addresses of ``where`` could not be
    read and were stored as NULL; nothing when there were none. The values are not logged."""
    counts = privacy.take_unreadable()
    if counts:
        parts = ", ".join(f"{n} {kind} value(s)" for kind, n in sorted(counts.items()))
        logger.warning(
            "%s: %s could not be read as a phone number / e-mail address; stored as NULL "
            "(never in clear)",
            where,
            parts,
        )
