"""A mail server that accepts connections and never says a word (no 220 greeting): the client's timeout
is the only way out. usage: hanging_smtp.py PORT — prints "ready" once listening.
See /work/shared/TESTING-ON-LINUX.md section 5 (lettre's async transport does not time out on it by itself).
"""

import socket
import sys

srv = socket.create_server(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
held = []  # keep every connection open, unanswered
while True:
    held.append(srv.accept()[0])
