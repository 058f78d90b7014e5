"""``kq``'s exit statuses: the same meaning in every command.

The answer to a question that can be "no" (``fit``, ``plan``, ``max-replicas``)
is also in the exit status, so a script can branch on it without parsing the
output, as ``grep`` does (0 found, 1 not found, 2 trouble).
"""

from __future__ import annotations

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED", "EXIT_NO", "EXIT_OK", "EXIT_STATUS_HELP", "EXIT_USAGE"]

#: Done: the answer is printed (and for fit/plan/max-replicas it is "yes").
EXIT_OK = 0
#: The answer is "no": fit finds no node, plan leaves replicas pending, max-replicas finds room for none.
EXIT_NO = 1
#: Bad input: unreadable file, invalid manifest or quantity, usage error. Nothing on standard output.
EXIT_USAGE = 2
#: Interrupted (Ctrl-C): 128 + SIGINT, as a shell reports it, without a traceback.
EXIT_INTERRUPTED = 130
#: Standard output was closed before kq finished writing (``kq ... | head``): 128 + SIGPIPE,
#: the status of ``cat``, ``grep`` or kubectl in the same pipe; nothing is printed about it.
EXIT_BROKEN_PIPE = 141

EXIT_STATUS_HELP = """\
exit status (the same for every command):
  0    done; fit: the pod fits a node; plan: every replica is placed;
       max-replicas: at least one more copy fits
  1    the answer is no; fit: no node fits (the FailedScheduling message is printed);
       plan: some replicas stay pending; max-replicas: not even one copy fits;
       what-if: some pod of the nodes that go does not reschedule
  2    bad input: a file that cannot be read or parsed, an invalid manifest or
       quantity, a usage error; the message (naming the file) is on standard error
  130  interrupted (Ctrl-C)
  141  standard output was closed early (kq ... | head): kq stops quietly, as cat does
"""
