"""Password attempts: slowed down and locked out per client and in total; each lock-out logged.

Rule (README «Sikkerhet»), per process:
- each client (peer address) gets MAX_PER_CLIENT wrong passwords within WINDOW seconds;
  the next one locks that client out for LOCKOUT seconds;
- all clients together get MAX_TOTAL wrong passwords within WINDOW; then every client is
  locked out for LOCKOUT seconds (a guesser with many addresses gains nothing);
- after each wrong password the client waits DELAY × (wrong attempts in the window) seconds,
  at most MAX_DELAY, before the next attempt is even checked;
- a locked-out client's attempt is refused without checking the password, so the right
  password does not work during a lock-out either;
- each lock-out is logged (logger "board.security", level WARNING) with client and counts.
Values follow OWASP's Authentication Cheat Sheet («account lockout», «throttling»): small,
fixed thresholds and a time-limited lock rather than a permanent one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

LOG = logging.getLogger("board.security")

WINDOW = 15 * 60.0
MAX_PER_CLIENT = 5
MAX_TOTAL = 50
LOCKOUT = 15 * 60.0
DELAY = 1.0
MAX_DELAY = 10.0


@dataclass
class Verdict:
    """allowed: the password may be checked now; wait: seconds before it may (0 when allowed)."""

    allowed: bool
    wait: float
    message: str = ""


@dataclass
class Attempts:
    """Thread-safe counter of wrong passwords; one per server process (see `shared`)."""

    clock: Callable[[], float] = time.monotonic
    window: float = WINDOW
    per_client: int = MAX_PER_CLIENT
    total: int = MAX_TOTAL
    lockout: float = LOCKOUT
    delay: float = DELAY
    max_delay: float = MAX_DELAY
    _wrong: dict[str, deque[float]] = field(default_factory=dict)
    _all: deque[float] = field(default_factory=deque)
    _locked: dict[str, float] = field(default_factory=dict)
    _locked_all: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _trim(self, now: float) -> None:
        for times in (*self._wrong.values(), self._all):
            while times and now - times[0] > self.window:
                times.popleft()

    def check(self, client: str) -> Verdict:
        """May `client` try a password now? Call before comparing the password."""
        with self._lock:
            now = self.clock()
            self._trim(now)
            until = max(self._locked.get(client, 0.0), self._locked_all)
            if until > now:
                minutes = max(1, round((until - now) / 60))
                return Verdict(
                    False,
                    until - now,
                    f"For mange feil passord. Innloggingen er sperret i om lag {minutes} min.",
                )
            times = self._wrong.get(client)
            if times:
                ready = times[-1] + min(self.max_delay, self.delay * len(times))
                if ready > now:
                    return Verdict(False, ready - now, f"Vent {ready - now:.0f} s før du prøver igjen.")
            return Verdict(True, 0.0)

    def failed(self, client: str) -> None:
        """Record a wrong password from `client`; locks out (and logs) when a limit is passed."""
        with self._lock:
            now = self.clock()
            self._trim(now)
            times = self._wrong.setdefault(client, deque())
            times.append(now)
            self._all.append(now)
            if len(times) >= self.per_client:
                self._locked[client] = now + self.lockout
                times.clear()
                LOG.warning(
                    "Analytikerinnlogging sperret for klient %s i %.0f s etter %d feil passord.",
                    client,
                    self.lockout,
                    self.per_client,
                )
            if len(self._all) >= self.total:
                self._locked_all = now + self.lockout
                self._all.clear()
                LOG.warning(
                    "Analytikerinnlogging sperret for alle i %.0f s etter %d feil passord totalt.",
                    self.lockout,
                    self.total,
                )

    def succeeded(self, client: str) -> None:
        """A right password (checked while allowed) clears the client's count."""
        with self._lock:
            self._wrong.pop(client, None)


shared = Attempts()
