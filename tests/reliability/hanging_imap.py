"""An IMAP server that accepts connections and then goes silent: the client's own timeouts are the only
way out. usage: hanging_imap.py PORT MODE — prints "ready" once listening.

MODE silent:   never says a word (no "* OK" greeting).
MODE greeting: greets ("* OK [CAPABILITY IMAP4rev1] ready"), reads whatever the client sends, and
               never answers it (the client hangs at LOGIN).
Every connection is held open until the process is stopped.
"""

import asyncio
import sys

PORT, MODE = int(sys.argv[1]), sys.argv[2]
held = []


async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    held.append(writer)
    if MODE == "greeting":
        writer.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
        await writer.drain()
    while await reader.read(4096):  # swallow everything, answer nothing
        pass


async def main() -> None:
    server = await asyncio.start_server(client, "127.0.0.1", PORT)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
