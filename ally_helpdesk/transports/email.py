"""Email: works with every helpdesk that opens tickets from mail.

SMTP with STARTTLS (or TLS from the start) and login; certificates are checked (a
company CA may be given). The body is readable text; the HTML view and the JSON report
are attached. The Message-ID is derived from the report id, so a resend is recognisable
as the same message by helpdesks that look at it.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ally_helpdesk.http_session import SYSTEM_PROXIES, ProxyChoice
from ally_helpdesk.it_view import html_view
from ally_helpdesk.text_safety import visible
from ally_helpdesk.transport_policy import TransportPolicy
from ally_helpdesk.transports.base import PermanentFailure, Receipt, TemporaryFailure, detail
from ally_words import say

WORDS = "email_message"  # the mail's own lines, for whoever reads the helpdesk's inbox


def message_id(report_id: str) -> str:
    return f"<ally-{report_id}@ally.invalid>"


def text_body(report: dict[str, Any]) -> str:
    d = report["diagnosis"]
    lines = [
        say("own_words", WORDS),
        report.get("note") or say("no_words", WORDS),
        "",
        say("found", WORDS, headline=d["summary"]["headline"]),
        d["summary"]["explanation"],
        "",
    ]
    for f in d["findings"]:
        lines += [f"[{f['severity']}] {f['headline']}", f"  {f['it_detail']}", ""]
    m = report["machine"]
    lines += [
        say("computer", WORDS, **{k: m.get(k) for k in ("hostname", "os", "model", "user")}),
        say("reported", WORDS, **{k: report[k] for k in ("created_at", "symptom", "id")}),
        say("attached", WORDS),
    ]
    return "\n".join(lines)


def build_message(report: dict[str, Any], body: bytes, sender: str, recipient: str) -> EmailMessage:
    msg = EmailMessage()
    host = report["machine"].get("hostname") or "a computer"
    # One line, whatever a stored report says: a line break in a header would end it.
    msg["Subject"] = visible(
        f"[Ally] {report['symptom']}: {report['diagnosis']['summary']['headline']} ({host})",
        one_line=True,
    )
    msg["From"] = sender
    msg["To"] = recipient
    msg["Message-ID"] = message_id(report["id"])
    msg["X-Ally-Report-Id"] = report["id"]
    msg.set_content(text_body(report))
    msg.add_attachment(
        html_view.render(report).encode("utf-8"),
        maintype="text",
        subtype="html",
        filename="report.html",
    )
    msg.add_attachment(body, maintype="application", subtype="json", filename="report.json")
    return msg


class EmailTransport:
    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        security: str,
        user: str | None,
        password: str | None,
        sender: str,
        recipient: str,
        ca_bundle: str | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.user, self.password = user, password
        self.sender, self.recipient = sender, recipient
        self.context = ssl.create_default_context(cafile=ca_bundle)
        self.timeout = timeout

    @classmethod
    def from_policy(cls, t: TransportPolicy, password: str | None) -> EmailTransport:
        if not (t.smtp_host and t.mail_from and t.mail_to):
            raise PermanentFailure(detail("email", "needs_settings"), "settings")
        if t.smtp_user and not password:
            raise PermanentFailure(
                detail("email", "no_password", user=t.smtp_user), "secret_missing"
            )
        return cls(
            t.smtp_host,
            t.smtp_port,
            t.smtp_security,
            t.smtp_user,
            password,
            t.mail_from,
            t.mail_to,
            t.ca_bundle,
            t.timeout_s,
        )

    def send(self, report: dict[str, Any], body: bytes) -> Receipt:
        msg = build_message(report, body, self.sender, self.recipient)
        try:
            if self.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self.context
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.security != "tls":
                    smtp.starttls(context=self.context)  # never sends the password in the clear
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentFailure(
                detail(
                    "email",
                    "login_refused",
                    user=self.user,
                    code=exc.smtp_code,
                    error=exc.smtp_error,
                ),
                "credentials",
            ) from exc
        except ssl.SSLCertVerificationError as exc:
            raise PermanentFailure(
                detail("email", "not_trusted", host=self.host, error=exc), "certificate"
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentFailure(
                detail("email", "no_starttls", host=self.host, error=exc), "settings"
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(
                detail("email", "recipient_refused", recipients=exc.recipients), "rejected"
            ) from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TemporaryFailure(f"SMTP {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise PermanentFailure(f"SMTP {exc.smtp_code} {exc.smtp_error!r}", "rejected") from exc
        except (smtplib.SMTPServerDisconnected, TimeoutError, ConnectionError, OSError) as exc:
            raise TemporaryFailure(
                detail(
                    "email",
                    "talking",
                    kind=type(exc).__name__,
                    host=self.host,
                    port=self.port,
                    error=exc,
                )
            ) from exc
        return Receipt(self.name, msg["Message-ID"])


# --- registered in transports/__init__.py: what the policy and the keyring give it ---
USES = (
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_user",
    "mail_from",
    "mail_to",
    "ca_bundle",
    "timeout_s",
)  # [transport] keys it reads
SECRET = "email"  # the secret it needs (a desktop's keyring entry), if any


def make(
    t: TransportPolicy,
    secret: Callable[[], str | None],
    proxy: ProxyChoice = SYSTEM_PROXIES,
    default_folder: Path | None = None,
) -> EmailTransport:
    """Mail goes straight to IT's SMTP server: no HTTP proxy applies. The password is
    read only for an SMTP account, once the settings are known to be complete."""
    if not (t.smtp_host and t.mail_from and t.mail_to):
        raise PermanentFailure(detail("email", "needs_settings"), "settings")
    return EmailTransport.from_policy(t, secret() if t.smtp_user else None)
