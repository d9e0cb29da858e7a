"""A long-lived helper process spoken to one line at a time (the R glmnet and adelie workers).

Starting R and loading glmnet, or importing adelie, takes seconds; a worker pays it once per benchmark run rather
than once per tolerance tried. Protocol: the request is a job directory on one line of stdin; the worker answers
``@@ok`` or ``@@error <message>`` on a line of its stdout (other output lines are ignored); an empty input ends it.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence


class LineWorker:
    """A subprocess started on first use and stopped by :meth:`close`."""

    def __init__(self, command: Sequence[str]) -> None:
        self.command = list(command)
        self._proc: subprocess.Popen[str] | None = None
        self._stderr = tempfile.TemporaryFile(mode="w+")

    def request(self, line: str) -> None:
        """Send one job and wait for its answer; raise RuntimeError on an error answer or a dead worker."""
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=self._stderr, text=True, bufsize=1)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(line + "\n")
        self._proc.stdin.flush()
        for answer in self._proc.stdout:
            if answer.startswith("@@ok"):
                return
            if answer.startswith("@@error"):
                raise RuntimeError(answer[len("@@error"):].strip())
        self._stderr.seek(0)
        tail = self._stderr.read()[-2000:]
        self._proc = None
        raise RuntimeError(f"worker {self.command[0]} exited: {tail}")

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None
