"""An SMTP server that takes a client as far as DATA and then drops the connection in the middle of the
email: the network failing at the worst moment. It never delivers anything.
usage: dropping_smtp.py PORT EVENTS_FILE MODE — prints "ready" once listening.

MODE says how it drops (the client's retry must cope with each):
  fin-headers   close (FIN) in the headers, once the Message-ID line arrived
  rst-body      reset (RST) once part of the body arrived
  fin-after-dot read the whole email, including the final ".", and close without answering 250
Each drop appends a JSON line to EVENTS_FILE: {"mode", "bytes", "message_id"}; the harness checks the
fault really happened (a drop before DATA would test something else).
"""

import asyncio
import json
import re
import socket
import struct
import sys

PORT, EVENTS, MODE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
MODES = ["fin-headers", "rst-body", "fin-after-dot"]
if MODE not in MODES:
    sys.exit(f"MODE must be one of {MODES}")


def record(mode: str, data: bytes) -> None:
    m = re.search(rb"^Message-ID:\s*<([^>]+)>", data, re.I | re.M)
    with open(EVENTS, "a") as f:
        f.write(json.dumps({"mode": mode, "bytes": len(data), "message_id": m and m.group(1).decode()}) + "\n")


def reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:  # SO_LINGER 0: close() sends RST instead of FIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    mode = MODE

    async def say(line: str) -> None:
        writer.write(line.encode() + b"\r\n")
        await writer.drain()

    try:
        await say("220 drop.example ESMTP")
        while line := await reader.readline():
            verb = line.decode(errors="replace").strip()
            upper = verb.upper()
            if upper.startswith(("EHLO", "HELO")):
                await say("250-drop.example\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME")
            elif upper.startswith("AUTH PLAIN"):
                if len(verb.split()) == 2:
                    await say("334 ")
                    await reader.readline()
                await say("235 2.7.0 Authentication successful")
            elif upper.startswith("AUTH LOGIN"):
                if len(verb.split()) == 2:
                    await say("334 VXNlcm5hbWU6")
                    await reader.readline()
                await say("334 UGFzc3dvcmQ6")
                await reader.readline()
                await say("235 2.7.0 Authentication successful")
            elif upper.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                await say("250 OK")
            elif upper.startswith("DATA"):
                await say("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while True:
                    chunk = await reader.readline()
                    if not chunk:
                        return
                    data += chunk
                    if mode == "fin-headers" and chunk.lower().startswith(b"message-id:"):
                        record(mode, data)
                        writer.close()
                        return
                    if mode == "rst-body" and b"\r\n\r\n" in data and len(data.split(b"\r\n\r\n", 1)[1]) > 0:
                        record(mode, data)
                        reset(writer)
                        return
                    if data.endswith(b"\r\n.\r\n"):
                        record(mode, data)
                        writer.close()
                        return
            elif upper.startswith("QUIT"):
                await say("221 Bye")
                break
            else:
                await say("502 Command not implemented")
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        if not writer.is_closing():
            writer.close()


async def main() -> None:
    server = await asyncio.start_server(session, "127.0.0.1", PORT)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
