"""Writers of the public landing formats (docs/source_formats.md), rotated daily by UTC date.

The engine emits every record at the simulated instant it happens, so each stream arrives in
time order and a file can be written out as soon as the next UTC day begins: memory holds one
day per stream. Lines end with `\\n`, files are UTF-8 without BOM.
"""

from __future__ import annotations

from pathlib import Path

from simulator.clock import iso_utc, sql_utc, utc_day_label

QUEUE_LOG_DIR = Path("telephony") / "queue_log"
CDR_DIR = Path("telephony") / "cdr"
AGENT_STATES_DIR = Path("telephony") / "agent_states"
AGENT_STATES_HEADER = "agent_id,agent_name,team,state,started_at,reason"

#: Number of data fields written after the event name, per queue_log event.
QUEUE_LOG_DATA_FIELDS = {
    "ENTERQUEUE": 3, "CONNECT": 3, "COMPLETEAGENT": 3, "COMPLETECALLER": 3,
    "ABANDON": 3, "EXITWITHTIMEOUT": 3, "EXITWITHKEY": 4, "EXITEMPTY": 3,
    "JOINEMPTY": 3, "FULL": 3, "BLINDTRANSFER": 5, "ATTENDEDTRANSFER": 5,
    "RINGNOANSWER": 1, "RINGCANCELED": 1, "AGENTLOGIN": 1, "AGENTLOGOFF": 2,
    "ADDMEMBER": 1, "REMOVEMEMBER": 1, "PAUSE": 1, "UNPAUSE": 1,
}


class DailyFiles:
    """One stream of lines split into files by the UTC date of each line's epoch."""

    def __init__(self, folder: Path, prefix: str, suffix: str = "", header: str | None = None) -> None:
        self.folder = folder
        self.prefix = prefix
        self.suffix = suffix
        self.header = header
        self.files: list[Path] = []
        self._day: int | None = None
        self._lines: list[str] = []
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, epoch: int, line: str) -> None:
        day = epoch // 86400
        if day != self._day:
            if self._day is not None and day < self._day:
                raise ValueError(f"{self.prefix}: records must come in time order ({epoch})")
            self._write_out()
            self._day = day
        self._lines.append(line)

    def _write_out(self) -> None:
        if self._day is None or not self._lines:
            return
        path = self.folder / f"{self.prefix}{utc_day_label(self._day)}{self.suffix}"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            if self.header is not None:
                handle.write(self.header + "\n")
            handle.write("\n".join(self._lines))
            handle.write("\n")
        self.files.append(path)
        self._lines = []

    def close(self) -> list[Path]:
        self._write_out()
        return list(self.files)


class LandingWriter:
    """The three telephony streams of the landing folder."""

    def __init__(self, out_dir: Path) -> None:
        self.queue_log = DailyFiles(out_dir / QUEUE_LOG_DIR, "queue_log-")
        self.cdr = DailyFiles(out_dir / CDR_DIR, "Master-", ".csv")
        self.agent_states = DailyFiles(out_dir / AGENT_STATES_DIR, "agent_states-", ".csv", AGENT_STATES_HEADER)

    def queue_event(self, epoch: int, callid: str, queue: str, agent: str, event: str, *data: object) -> None:
        """`epoch|callid|queue|agent|event|data1|...` (pipe form)."""
        if len(data) != QUEUE_LOG_DATA_FIELDS[event]:
            raise ValueError(f"{event} takes {QUEUE_LOG_DATA_FIELDS[event]} data fields, got {len(data)}")
        fields = "|".join(str(d) for d in data)
        self.queue_log.write(epoch, f"{epoch}|{callid}|{queue}|{agent}|{event}|{fields}")

    def cdr_row(self, *, src: str, dst: str, dcontext: str, channel: str, dstchannel: str,
                queue: str, start: int, answer: int | None, end: int, uniqueid: str) -> None:
        """One Master.csv row (no header, every field quoted) for one queue visit, filed by `end`."""
        fields = (
            "",                                   # accountcode
            src, dst, dcontext,
            src,                                  # clid: the number alone, as without a name
            channel, dstchannel,
            "Queue", f"{queue},t",
            sql_utc(start),
            sql_utc(answer) if answer is not None else "",
            sql_utc(end),
            str(end - start),
            str(end - answer) if answer is not None else "0",
            "ANSWERED" if answer is not None else "NO ANSWER",
            "DOCUMENTATION",
            uniqueid,
            "",                                   # userfield
        )
        self.cdr.write(end, '"' + '","'.join(fields) + '"')

    def agent_state(self, epoch: int, agent_id: str, name: str, team: str, state: str, reason: str = "") -> None:
        """One row of the agent-state feed."""
        self.agent_states.write(epoch, f"{agent_id},{name},{team},{state},{iso_utc(epoch)},{reason}")

    def close(self) -> list[Path]:
        return self.queue_log.close() + self.cdr.close() + self.agent_states.close()
