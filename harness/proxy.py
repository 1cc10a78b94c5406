"""A fault-injecting HTTP proxy for one directed link between two nodes.

    python -m harness.proxy --listen 18001 --target 127.0.0.1:8001 --seed 7 --control c.json

Every request is read whole, then, as the dice and the control file say:
- dropped before it reaches the receiver;
- forwarded, and its answer dropped after the receiver applied it;
- forwarded twice (the receiver sees a duplicate);
- delayed, or forwarded again much later (an old request replayed after newer ones);
- refused while the link is cut (`"cut_until"` in the control file, a Unix time).
Connections are closed after each answer, so every fault is clean. Counts of what was done
are written to the log file (one JSON line per request)."""

import argparse
import asyncio
import json
import random
import time
from pathlib import Path

DEFAULT_FAULTS = {
    "drop_request": 0.05,
    "drop_answer": 0.05,
    "duplicate": 0.05,
    "delay": 0.10,
    "replay_later": 0.05,
}


class FaultProxy:
    def __init__(self, target_host, target_port, *, seed, control: Path | None, log: Path | None):
        self.target = (target_host, target_port)
        self.random = random.Random(seed)
        self.control = control
        self.log = log.open("a") if log else None
        self.faults = dict(DEFAULT_FAULTS)
        self.cut_until = 0.0
        self.enabled = True
        self._control_read = 0.0

    def _read_control(self):
        now = time.monotonic()
        if self.control is None or now - self._control_read < 0.2:
            return
        self._control_read = now
        try:
            data = json.loads(self.control.read_text())
        except (OSError, ValueError):
            return
        self.enabled = data.get("faults", True)
        self.cut_until = float(data.get("cut_until", 0))
        self.faults.update(data.get("rates", {}))

    def _record(self, **fields):
        if self.log:
            self.log.write(json.dumps(fields) + "\n")
            self.log.flush()

    async def _read_request(self, reader) -> bytes | None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        body = await reader.readexactly(length) if length else b""
        # One request per connection on both sides: every fault closes cleanly.
        head = head.replace(b"Connection: keep-alive", b"Connection: close")
        if b"connection:" not in head.lower():
            head = head[:-2] + b"Connection: close\r\n\r\n"
        return head + body

    async def _forward(self, request: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(*self.target)
        try:
            writer.write(request)
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()

    async def _replay_later(self, request: bytes, delay: float):
        await asyncio.sleep(delay)
        try:
            await self._forward(request)
            self._record(event="replayed", at=time.time())
        except OSError:
            pass

    async def handle(self, reader, writer):
        self._read_control()
        try:
            if time.time() < self.cut_until:
                self._record(event="cut", at=time.time())
                return
            try:
                request = await self._read_request(reader)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                return
            first_line = request.split(b"\r\n", 1)[0].decode(errors="replace")
            roll = self.random.random
            faults = self.faults if self.enabled else {}
            if roll() < faults.get("drop_request", 0):
                self._record(event="drop_request", request=first_line, at=time.time())
                return
            if roll() < faults.get("delay", 0):
                await asyncio.sleep(self.random.uniform(0.1, 1.5))
            if roll() < faults.get("replay_later", 0):
                asyncio.ensure_future(self._replay_later(request, self.random.uniform(2, 15)))
            try:
                answer = await self._forward(request)
                if roll() < faults.get("duplicate", 0):
                    answer = await self._forward(request)
                    self._record(event="duplicate", request=first_line, at=time.time())
            except OSError as exc:
                self._record(event="target_down", error=str(exc), at=time.time())
                return
            if roll() < faults.get("drop_answer", 0):
                self._record(event="drop_answer", request=first_line, at=time.time())
                return
            writer.write(answer)
            await writer.drain()
            self._record(event="ok", request=first_line, at=time.time())
        finally:
            writer.close()


async def serve(args):
    host, _, port = args.target.rpartition(":")
    proxy = FaultProxy(
        host or "127.0.0.1",
        int(port),
        seed=args.seed,
        control=Path(args.control) if args.control else None,
        log=Path(args.log) if args.log else None,
    )
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", args.listen)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--control")
    parser.add_argument("--log")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
