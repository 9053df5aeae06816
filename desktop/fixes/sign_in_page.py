"""A network that wants a sign-in first → open its sign-in page in the browser.

Ally opens IT's own plain-HTTP check address (the one the walk used): a login page in
the way answers it with the sign-in page, as operating systems' own captive-portal
helpers do. Only the person can sign in, so the first re-check usually still sees the
login page; the person then asks Ally to check again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from desktop.diagnostics.model import Symptom
from desktop.fixes import recheck
from desktop.fixes.base import Fix, FixContext, NotOffered, Offer, Outcome, Result, for_it


def _it(key: str, /, **values: Any) -> str:
    return for_it("open_sign_in_page", key, **values)


def offer(finding: Any, ctx: FixContext) -> Offer | NotOffered | None:
    url = finding.evidence.get("check_url") or ctx.policy.network.check_url
    if urlparse(str(url)).scheme not in ("http", "https"):
        return NotOffered(FIX.id, finding.id, _it("not_a_page", url=url))
    host = finding.evidence.get("redirect_host")
    return Offer(
        FIX.id,
        finding.id,
        {},
        {"url": url},
        {"url": url, "portal": host},
        _it("offered_redirect" if host else "offered", url=url, host=host),
        key=FIX.id,
    )


def apply(offer: Offer, ctx: FixContext) -> Result:
    opened = ctx.open(offer.target["url"])
    if not opened.ok:
        return Result(Outcome.FAILED, _it("not_opened", detail=opened.detail), words=offer.words)
    return _recheck(offer, ctx, _it("opened", detail=opened.detail))


def check_again(offer: Offer, ctx: FixContext) -> Result:
    return _recheck(offer, ctx, _it("checked_again"))


def _recheck(offer: Offer, ctx: FixContext, did: str) -> Result:
    d = recheck.run(ctx, Symptom.INTERNET.value, ["network", "connectivity"])
    still = recheck.still_found(d, "captive_portal")
    walk = d.snapshot.section_data("connectivity")
    seen = (
        _it("still" if still else "gone")
        + (f"; walk: {'; '.join(f'{s.name} {s.status}' for s in walk.steps)}" if walk else "")
        + ("" if walk else f"; {recheck.section_reason(d, 'connectivity')}")
    )
    if still is not None:
        # Not a failure: the person has not signed in yet. Ally waits for them.
        return Result(Outcome.DONE, did, seen, words=offer.words, check_again=True)
    if walk is None:
        return Result(Outcome.DONE, did, seen, words=offer.words, check_again=True)
    return Result(Outcome.FIXED, did, seen, words=offer.words)


FIX = Fix(
    id="open_sign_in_page",
    answers=("captive_portal",),
    platforms=("linux", "darwin", "win32"),
    rights="opens_a_page",  # [fix_it.rights] in the catalog
    symptom=Symptom.INTERNET,
    offer=offer,
    apply=apply,
    check_again=check_again,
    words="fixes.open_sign_in_page",
)
