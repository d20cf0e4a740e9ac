"""A real SMTP server on loopback for the digest tests (aiosmtpd).

Prints "PORT <n>" once listening and "RECEIVED <rcpt>" for each message stored. Each accepted message is written to DIR/<n>.eml (raw) and
DIR/<n>.json (envelope plus headers and parts decoded by Python's email package, an
independent reader of what antenne wrote).

--reject SUBSTR   RCPT TO containing SUBSTR gets a permanent 550.
--auth USER:PASS  require SMTP AUTH (PLAIN or LOGIN; allowed without TLS on loopback).
--print           also print each message, decoded, for people (the demo's mail reader).
--stall-at N      the N-th message (1-based) is stored, then the server never answers it;
                  "STALLED <rcpt>" is printed so the test can kill the sender mid-send.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    def __init__(self, directory, reject, stall_at, show=False):
        self.show = show
        self.dir = directory
        self.reject = reject
        self.stall_at = stall_at
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject in address:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        n = self.count
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                parts[part.get_content_type()] = part.get_content()
        auth = session.auth_data
        info = {
            "auth_login": auth.login.decode() if auth is not None else None,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k: str(v) for k, v in msg.items()},
            "content_type": msg.get_content_type(),
            "parts": parts,
        }
        base = os.path.join(self.dir, "%04d" % n)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(info, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        print("RECEIVED %s" % ",".join(envelope.rcpt_tos), flush=True)
        if self.show:
            print("-" * 72)
            for name in ("From", "To", "Subject", "List-Unsubscribe"):
                if msg[name]:
                    print("%s: %s" % (name, msg[name]))
            print()
            print(parts.get("text/plain", ""), flush=True)
        if self.stall_at and n == self.stall_at:
            print("STALLED %s" % ",".join(envelope.rcpt_tos), flush=True)
            await asyncio.Event().wait()
        return "250 Message accepted for delivery"


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--dir", required=True)
    p.add_argument("--reject", default="")
    p.add_argument("--stall-at", type=int, default=0)
    p.add_argument("--print", action="store_true", dest="show")
    p.add_argument("--auth", default="")
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    handler = Sink(a.dir, a.reject, a.stall_at, a.show)
    loop = asyncio.get_running_loop()
    options = {}
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        options = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", enable_SMTPUTF8=True, **options),
        host="127.0.0.1",
        port=a.port,
    )
    port = server.sockets[0].getsockname()[1]
    print("PORT %d" % port, flush=True)
    if a.show:
        await server.serve_forever()
    # Stop when the test closes our standard input (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
