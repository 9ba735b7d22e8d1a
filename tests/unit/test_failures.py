"""A failed step's error, however deeply wrapped, comes down to one sentence a person can act on."""

from __future__ import annotations

from orchestration.failures import failure_reason, storage_problem


class Info:
    """The shape of Dagster's SerializableErrorInfo: message, cause, context."""

    def __init__(self, message: str, cause=None, context=None) -> None:
        self.message, self.cause, self.context = message, cause, context


def test_duckdbs_write_error_deep_in_the_chain_names_the_file():
    error = Info("dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while executing op "
                 '"telephony_raw":', cause=Info("PipelineStepFailed: Pipeline execution failed at stage load",
                 cause=Info('TransactionContext Error: Failed to commit: Could not write file '
                            '"/srv/wh/warehouse.duckdb.wal": No space left on device')))
    assert failure_reason(error) == ("cannot write /srv/wh/warehouse.duckdb.wal: no space left on the device; "
                                     "free some space, or move the warehouse (CXPIPE_WAREHOUSE) or the state "
                                     "folder (CXPIPE_STATE_DIR) to a larger disk")


def test_pythons_os_errors_name_the_file():
    try:
        raise RuntimeError("saving the snapshot failed") from PermissionError(
            13, "Permission denied", "/srv/snapshot/cx_snapshot.duckdb")
    except RuntimeError as exc:
        assert storage_problem(exc).startswith("cannot use /srv/snapshot/cx_snapshot.duckdb: permission denied;")
    assert storage_problem(OSError(30, "Read-only file system", "/mnt/ro/x")) == (
        "cannot write /mnt/ro/x: the file system is read-only; point the setting for this path at a writable folder")


def test_other_errors_keep_their_innermost_message():
    error = Info("dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while executing op "
                 '"zendesk_raw":', cause=Info("ZendeskSetupError: the helpdesk answered 401 Unauthorized"))
    assert failure_reason(error) == "ZendeskSetupError: the helpdesk answered 401 Unauthorized"
    assert storage_problem(error) is None


def test_a_permission_message_without_errno_or_path_is_not_taken_for_a_file_problem():
    error = Info("SSHException: Permission denied (publickey).")
    assert storage_problem(error) is None
    assert failure_reason(error) == "SSHException: Permission denied (publickey)."
    bare = OSError(28, "No space left on device")
    assert storage_problem(bare).startswith("[Errno 28] No space left on device: no space left on the device;")
