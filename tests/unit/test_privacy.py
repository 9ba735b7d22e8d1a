"""Privacy at the door: normalization, keyed pseudonyms, the key's sources, redaction, and the
CLI's key handling (docs/cx_sources.md "Privacy")."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat

import pytest

from ingestion.privacy import (
    DLT_SECRET_ENV,
    ENV_KEY,
    ENV_KEY_FILE,
    ENV_PHONE_REGION,
    PseudonymKeyError,
    Pseudonymizer,
    create_key_file,
    normalize_email,
    normalize_phone,
    phone_region,
    pseudonymize,
    resolve_key,
)

KEY = "unit-test-key-0123456789abcdef"
OTHER_KEY = "another-key-fedcba9876543210"


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No key anywhere: environment, dlt secrets (env or a .dlt folder), key file."""
    for name in (ENV_KEY, ENV_KEY_FILE, DLT_SECRET_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .dlt/secrets.toml here


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+1 (212) 555-0142", "US", "+12125550142"),
        ("+1 212.555.0142", "US", "+12125550142"),
        ("(212) 555-0142", "US", "+12125550142"),  # national, in the default region
        ("212-555-0142 ext. 7", "US", "+12125550142"),  # the extension is not the person
        ("001 212 555 0142", "US", "+12125550142"),  # 00 as the international prefix
        ("0044 20 7946 0123", "US", "+442079460123"),
        ("011 44 20 7946 0123", "US", "+442079460123"),  # the US's own international prefix
        ("+44 20 7946 0123", "US", "+442079460123"),
        ("020 7946 0123", "GB", "+442079460123"),  # national, in another region
        ("030 1234567", "DE", "+49301234567"),
        ("+1 202 555 0100", "US", "+12025550100"),  # fictitious numbers are numbers too
        ("020 7946 0123", "US", None),  # a UK national number is no US number
        ("555-0142", "US", None),  # a local number without area code: not complete
        ("anonymous", "US", None),
        ("Unknown", "US", None),
        ("restricted", "US", None),
        ("", "US", None),
        ("   ", "US", None),
        (None, "US", None),
        ("call me", "US", None),
        ("12", "US", None),
        ("+1 212 555 0142 0142 0142", "US", None),
    ],
)
def test_phone_normalization(text, region, expected):
    assert normalize_phone(text, region) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Jane.Roe@Example.COM ", "jane.roe@example.com"),
        ("jane.roe@example.com", "jane.roe@example.com"),
        ("Jane Roe <Jane.Roe@Example.com>", "jane.roe@example.com"),
        ("mailto:jane.roe@example.com", "jane.roe@example.com"),
        ("jane.roe", None),
        ("jane@roe@example.com", None),
        ("@example.com", None),
        ("jane@", None),
        ("jane roe@example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_email_normalization(text, expected):
    assert normalize_email(text) == expected


def test_pseudonym_is_hmac_sha256_of_the_normalized_value():
    expected = hmac.new(KEY.encode(), b"+12125550142", hashlib.sha256).hexdigest()
    assert pseudonymize(KEY, "+12125550142") == expected
    assert len(expected) == 64
    assert Pseudonymizer(KEY).phone("+1 (212) 555-0142") == expected


def test_same_person_same_pseudonym_across_formats():
    privacy = Pseudonymizer(KEY, "US")
    forms = ["+1 (212) 555-0142", "(212) 555-0142", "001 212 555 0142", "212.555.0142",
             '"Jane" <+12125550142>']  # fmt: skip
    assert len({privacy.phone(f) if "<" not in f else privacy.caller_id(f) for f in forms}) == 1
    assert privacy.email("Jane.Roe@Example.COM") == privacy.email(" jane.roe@example.com ")
    assert privacy.email("jane.roe@example.com") == pseudonymize(KEY, "jane.roe@example.com")


def test_another_key_gives_other_pseudonyms():
    one, other = Pseudonymizer(KEY), Pseudonymizer(OTHER_KEY)
    assert one.phone("+12125550142") != other.phone("+12125550142")
    assert one.email("a@example.com") != other.email("a@example.com")


def test_unreadable_values_are_none_and_counted_but_anonymous_is_not():
    privacy = Pseudonymizer(KEY)
    assert privacy.phone("anonymous") is None and privacy.phone("") is None
    assert privacy.phone("not a number") is None
    assert privacy.email("nobody") is None
    assert privacy.take_unreadable() == {"phone": 1, "e-mail": 1}
    assert privacy.take_unreadable() == {}


def test_telephony_fields():
    privacy = Pseudonymizer(KEY)
    jane = pseudonymize(KEY, "+4930123456")
    assert privacy.caller_id("+4930123456") == jane
    assert privacy.caller_id('"Caller" <+4930123456>') == jane  # the display name is dropped
    assert privacy.caller_id("1001") == "1001"  # an internal extension is no customer's number
    assert privacy.caller_id("anonymous") is None and privacy.caller_id('"x" <>') is None
    assert privacy.dialled("5000") == "5000" and privacy.dialled("s") == "s"
    assert privacy.dialled("*97") == "*97"
    assert privacy.dialled("+4930123456") == jane
    assert privacy.dialled("2125550142") == pseudonymize(KEY, "+12125550142")
    assert privacy.dialled("912125550142") is None  # a trunk prefix: not readable, never clear


def test_free_text_is_scrubbed_of_addresses_and_numbers():
    privacy = Pseudonymizer(KEY)
    text = "Call +1 (212) 555-0142 or 212-555-0199, or mail Jane.Roe@Example.com. Order on 2026-10-12."
    assert privacy.scrub_text(text) == "Call [phone] or [phone], or mail [email]. Order on 2026-10-12."
    assert privacy.scrub_text("PJSIP/+12125550142@trunk,60") == "PJSIP/[phone]@trunk,60"
    assert privacy.scrub_text("support,t") == "support,t"
    for dated in ("on 2026-10-12 12:00:00", "2026-10-12T08:15:02Z", "12.10.2026 0800 h",
                  "ordered_at '2026-10-12 12:00:00' has no UTC offset"):  # fmt: skip
        assert privacy.scrub_text(dated) == dated
    machine = "1791788412|1791788412.1|support|NONE|ENTERQUEUE||+4930123456|1"
    assert privacy.scrub_text(machine, international_only=True) == (
        "1791788412|1791788412.1|support|NONE|ENTERQUEUE||[phone]|1"
    )
    assert privacy.scrub_text(None) is None and privacy.scrub_text("") == ""


def test_the_key_is_never_shown():
    privacy = Pseudonymizer(KEY)
    assert KEY not in repr(privacy) and KEY not in str(privacy)


def test_key_order_argument_env_dlt_secret_file(no_key, monkeypatch, tmp_path):
    key_file = tmp_path / "state" / "pseudonym.key"
    created = create_key_file(key_file)
    assert resolve_key(key_file=key_file) == created  # the state folder's file, last
    other_file = tmp_path / "other.key"
    other_file.write_text("from-the-named-key-file-0001\n")
    monkeypatch.setenv(ENV_KEY_FILE, str(other_file))
    assert resolve_key(key_file=key_file) == "from-the-named-key-file-0001"
    monkeypatch.setenv(DLT_SECRET_ENV, "from-dlt-secrets-000000001")
    assert resolve_key(key_file=key_file) == "from-dlt-secrets-000000001"
    monkeypatch.setenv(ENV_KEY, "from-the-environment-00001")
    assert resolve_key(key_file=key_file) == "from-the-environment-00001"
    assert resolve_key("from-the-argument-0000000001") == "from-the-argument-0000000001"


def test_no_key_is_one_clear_error_naming_every_way(no_key, tmp_path):
    with pytest.raises(PseudonymKeyError) as error:
        resolve_key(key_file=tmp_path / "state" / "pseudonym.key")
    message = str(error.value)
    for way in (ENV_KEY, "pseudonymization.key", DLT_SECRET_ENV, ENV_KEY_FILE, "cxpipe keygen"):
        assert way in message
    assert not (tmp_path / "state").exists()  # nothing was created


def test_a_short_key_is_refused(no_key, monkeypatch):
    monkeypatch.setenv(ENV_KEY, "short")
    with pytest.raises(PseudonymKeyError, match="shorter than 16 characters"):
        resolve_key()


def test_key_file_is_private_and_never_replaced(tmp_path):
    path = tmp_path / "pseudonym.key"
    key = create_key_file(path)
    assert len(key) == 64 and path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        create_key_file(path)


def test_sources_fail_before_reading_without_a_key(no_key, tmp_path):
    from ingestion.crm import crm
    from ingestion.ivr import ivr
    from ingestion.surveys import surveys
    from ingestion.telephony import telephony

    for source in (telephony, surveys, crm, ivr):
        with pytest.raises(PseudonymKeyError, match=ENV_KEY):
            source(landing_dir=str(tmp_path / "missing"))


def test_phone_region_setting(monkeypatch):
    monkeypatch.delenv(ENV_PHONE_REGION, raising=False)
    assert phone_region() == "US"
    monkeypatch.setenv(ENV_PHONE_REGION, "gb")
    assert phone_region() == "GB"
    assert Pseudonymizer(KEY).phone("020 7946 0123") == pseudonymize(KEY, "+442079460123")
    monkeypatch.setenv(ENV_PHONE_REGION, "UK")
    with pytest.raises(ValueError, match="CXPIPE_PHONE_REGION='UK'"):
        phone_region()


# --- the CLI ----------------------------------------------------------------------------------


def test_run_without_a_key_fails_before_anything_with_the_message(no_key, tmp_path, capsys):
    from cxpipe.cli import main

    (tmp_path / "landing").mkdir()
    code = main(["run", "--landing", str(tmp_path / "landing"), "--warehouse",
                 str(tmp_path / "w.duckdb"), "--state-dir", str(tmp_path / "state")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "No pseudonymization key" in err and ENV_KEY in err and "cxpipe keygen" in err
    assert not (tmp_path / "w.duckdb").exists()
    assert not (tmp_path / "state" / "pseudonym.key").exists()  # never created by `run`


def test_keygen_then_run_uses_the_state_folders_key(no_key, tmp_path, capsys):
    from cxpipe.cli import main
    from cxpipe.runner import check_privacy_settings
    from orchestration.settings import Settings

    state = tmp_path / "state"
    assert main(["keygen", "--state-dir", str(state)]) == 0
    out = capsys.readouterr().out
    key_file = state / "pseudonym.key"
    assert str(key_file) in out and key_file.read_text().strip() not in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    before = key_file.read_text()
    assert main(["keygen", "--state-dir", str(state)]) == 0
    assert "already exists; kept" in capsys.readouterr().out
    assert key_file.read_text() == before
    settings = Settings(landing_dir=tmp_path, warehouse_path=tmp_path / "w.duckdb",
                        site_timezone="UTC", state_dir=state)  # fmt: skip
    check_privacy_settings(settings)  # no error: the file is found


def test_demo_key_is_created_once_and_reused(no_key, tmp_path):
    from cxpipe.runner import ensure_demo_key
    from orchestration.settings import Settings

    settings = Settings(landing_dir=tmp_path, warehouse_path=tmp_path / "w.duckdb",
                        site_timezone="UTC", state_dir=tmp_path / "state")  # fmt: skip
    created = ensure_demo_key(settings)
    assert created == settings.pseudonym_key_file and created.exists()
    key = created.read_text()
    assert ensure_demo_key(settings) is None and created.read_text() == key


def test_demo_uses_a_configured_key_instead_of_creating_one(no_key, monkeypatch, tmp_path):
    from cxpipe.runner import ensure_demo_key
    from orchestration.settings import Settings

    monkeypatch.setenv(ENV_KEY, KEY)
    settings = Settings(landing_dir=tmp_path, warehouse_path=tmp_path / "w.duckdb",
                        site_timezone="UTC", state_dir=tmp_path / "state")  # fmt: skip
    assert ensure_demo_key(settings) is None
    assert not settings.pseudonym_key_file.exists()


def test_settings_file_does_not_hold_the_key(no_key, monkeypatch, tmp_path):
    from cxpipe.runner import remember_settings
    from orchestration.settings import Settings

    monkeypatch.setenv(ENV_KEY, KEY)
    settings = Settings(landing_dir=tmp_path, warehouse_path=tmp_path / "w.duckdb",
                        site_timezone="UTC", state_dir=tmp_path / "state")  # fmt: skip
    remember_settings(settings)
    assert KEY not in json.dumps(json.loads((tmp_path / "state" / "settings.json").read_text()))


# --- the sources' privacy steps ----------------------------------------------------------------


def test_queue_log_caller_id_is_replaced_in_records_and_quarantined_lines():
    from ingestion.telephony.queue_log import (
        parse_pipe_line,
        parse_table_header,
        pseudonymized,
        redactor,
    )

    privacy = Pseudonymizer(KEY)
    caller = pseudonymize(KEY, "+4930123456")
    record = pseudonymized(parse_pipe_line("1791788412|1.1|support|NONE|ENTERQUEUE||+4930123456|1"),
                           privacy)  # fmt: skip
    assert (record.data1, record.data2, record.data3) == (None, caller, "1")
    connect = parse_pipe_line("1791788415|1.1|support|PJSIP/1001|CONNECT|3|1791788415.2|2")
    assert pseudonymized(connect, privacy) == connect  # other events: as logged
    # A member that rings a remote agent's phone names the number in its interface.
    remote = parse_pipe_line("1791788415|1.1|support|Local/2125550142@from-internal|CONNECT|3|1.2|2")
    assert pseudonymized(remote, privacy).agent == "Local/[phone]@from-internal"
    assert redactor(privacy)("1791788412|1.1|support|NONE|ENTERQUEUE||+4930123456|1|x|y|z") == (
        f"1791788412|1.1|support|NONE|ENTERQUEUE||{caller}|1|x|y|z"
    )
    assert redactor(privacy)("garbage +4930123456 mail a@b.example") == "garbage [phone] mail [email]"
    layout = parse_table_header("time,callid,queuename,agent,event,data")
    assert redactor(privacy, layout)("x,1.1,support,NONE,ENTERQUEUE,|+4930123456|1") == (
        f"x,1.1,support,NONE,ENTERQUEUE,|{caller}|1"
    )


def test_cdr_rows_and_quarantined_lines_hold_no_number():
    from ingestion.telephony.cdr import parse_cdr_row, parse_layout, pseudonymized, redactor

    privacy = Pseudonymizer(KEY)
    layout = parse_layout(None)
    line = ('"","+4930123456","200","from-queue","""Caller"" <+4930123456>","PJSIP/trunk-00000001",'
            '"PJSIP/1001-0000002a","Dial","PJSIP/+12125550142@trunk,60","2026-10-12 07:00:12",'
            '"2026-10-12 07:00:15","2026-10-12 07:03:20","188","185","ANSWERED","DOCUMENTATION",'
            '"1791788412.1","call back 212-555-0199"')  # fmt: skip
    row = pseudonymized(parse_cdr_row(line, layout), privacy)
    caller = pseudonymize(KEY, "+4930123456")
    assert (row.src, row.clid, row.dst) == (caller, caller, "200")
    assert row.lastdata == "PJSIP/[phone]@trunk,60" and row.userfield == "call back [phone]"
    assert row.channel == "PJSIP/trunk-00000001" and row.uniqueid == "1791788412.1"
    shown = redactor(layout, privacy)(line.replace('"188"', '"abc"'))
    assert "+49" not in shown and "Caller" not in shown and "555" not in shown
    assert caller in shown and '"abc"' in shown and '"1791788412.1"' in shown


def test_zendesk_records_lose_their_contact_data():
    from ingestion.zendesk.records import pseudonymize_record

    privacy = Pseudonymizer(KEY)
    ticket = {
        "id": 1, "subject": "Call +1 212 555 0142", "recipient": "support@acme.example",
        "via": {"channel": "email", "source": {
            "from": {"address": "Jane@Example.com", "name": "Jane",
                     "original_recipients": ["support@acme.example"]},
            "to": {"address": "support@acme.example", "name": "Acme"}, "rel": None}},
        "external_id": "00123", "custom": "reach me at jane@example.com",
    }  # fmt: skip
    assert pseudonymize_record(ticket, privacy) == {
        "id": 1, "subject": "Call [phone]", "recipient_hash": pseudonymize(KEY, "support@acme.example"),
        "via": {"channel": "email", "source": {
            "from": {"address_hash": pseudonymize(KEY, "jane@example.com"), "name": "Jane"},
            "to": {"address_hash": pseudonymize(KEY, "support@acme.example"), "name": "Acme"},
            "rel": None}},
        "external_id": "00123", "custom": "reach me at [email]",
    }  # fmt: skip
    user = {"id": 2, "email": "A@B.example", "phone": None, "formatted_phone": "(212) 555-0142",
            "signature": "Call 212 555 0142", "shared_phone_number": False}  # fmt: skip
    assert pseudonymize_record(user, privacy) == {  # no phone: the formatted one's pseudonym
        "id": 2, "email_hash": pseudonymize(KEY, "a@b.example"),
        "phone_hash": pseudonymize(KEY, "+12125550142"),
        "signature": "Call [phone]", "shared_phone_number": False,
    }  # fmt: skip
    change = {"id": 3, "event_type": "Change", "subject": "Call 212 555 0142",
              "previous_value": "mail a@b.example or 212 555 0143"}  # fmt: skip
    assert pseudonymize_record(change, privacy) == {
        "id": 3, "event_type": "Change", "subject": "Call [phone]",
        "previous_value": "mail [email] or [phone]",
    }
    status = {"id": 4, "event_type": "Change", "status": "open", "previous_value": "360001234567"}
    assert pseudonymize_record(status, privacy) == status  # ids are not phone numbers
    voice = {"id": 5, "type": "VoiceComment", "data": {"from": "+12125550142", "to": "+442079460123",
             "transcription_text": "my number is 212 555 0142"}}  # fmt: skip
    assert pseudonymize_record(voice, privacy)["data"] == {
        "from_hash": pseudonymize(KEY, "+12125550142"), "to_hash": pseudonymize(KEY, "+442079460123"),
        "transcription_text": "my number is [phone]",
    }
