"""The process tree under a pid, from /proc (Linux). Shared by the reliability suite (run.py: every process of
a Dovecot it kills at once) and bench/app_start.py (the PSS of the app and each WebKit process under it); plain
standard library, so either can import it whatever Python runs it."""

from __future__ import annotations

from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """pid and every process under it (children before grandchildren is not promised; pid comes first)."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile, or not readable
        children.setdefault(ppid, []).append(int(proc.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out
