"""The service records' changes between two `facts --json`, in words (`make diff`, SPEC §9–§10)."""
from __future__ import annotations


def record_changes(old: dict, new: dict) -> list[str]:
    """The service records' changes between two `facts --json`, in words (`make diff`, SPEC §9–§10)."""
    changes = []

    def state(target: dict) -> str:
        return target["status"] + (", exempt" if target.get("exempt") else "")

    before = {f["id"]: f for f in old.get("faults") or []}
    after = {f["id"]: f for f in new.get("faults") or []}
    for ident in sorted(set(before) | set(after)):
        was, now = before.get(ident), after.get(ident)
        if was is None:
            changes.append(f"{ident}: new level {now['level']} ticket, response {state(now['response'])}, "
                           f"resolution {state(now['resolution'])}")
            continue
        if now is None:
            changes.append(f"{ident}: removed (was level {was['level']})")
            continue
        if was["level"] != now["level"]:
            changes.append(f"{ident}: level {was['level']} → {now['level']} (re-graded)")
        for kind in ("response", "resolution"):
            if state(was[kind]) != state(now[kind]):
                why = ""
                if now[kind].get("exempt") and not was[kind].get("exempt"):
                    why = f" (exemption agreed by {now['exemption']['agreed_by']})"
                elif now[kind]["fulfilled_at"] and now[kind]["fulfilled_at"] != was[kind]["fulfilled_at"]:
                    why = f" ({now[kind]['event']} {now[kind]['fulfilled_at']}, {now[kind]['elapsed_text']})"
                changes.append(f"{ident}: {kind} {state(was[kind])} → {state(now[kind])}{why}")
        if was["draft"] and not now["draft"]:
            changes.append(f"{ident}: confirmed by {now['confirmation']['by']} on {now['confirmation']['date']}")
        elif now["draft"] and not was["draft"]:
            changes.append(f"{ident}: confirmation withdrawn (a draft again)")
    old_visits, new_visits = old.get("visits") or {}, new.get("visits") or {}
    windows = {(w["kind"], w["number"]): w for w in old_visits.get("windows") or []}
    for window in new_visits.get("windows") or []:
        was = windows.get((window["kind"], window["number"]))
        if was and was["status"] != window["status"]:
            changes.append(f"{window['kind']} window {window['number']}: {was['status']} → {window['status']}"
                           + (f" ({window['visit']})" if window["visit"] else ""))
    visits = {v["id"]: v for v in old_visits.get("visits") or []}
    for visit in new_visits.get("visits") or []:
        was = visits.get(visit["id"])
        if was is None:
            changes.append(f"{visit['id']}: new {visit['kind']} visit {visit['start']}, notice {visit['notice_status']}")
        elif was["notice_status"] != visit["notice_status"]:
            changes.append(f"{visit['id']}: notice {was['notice_status']} → {visit['notice_status']}")
    rates = {}
    for period in (old.get("compliance") or {}).get("periods") or []:
        for level in period["levels"]:
            for kind in ("response", "resolution"):
                rates[(period["key"], level["level"], kind)] = level[kind]["rate"]
    for period in (new.get("compliance") or {}).get("periods") or []:
        for level in period["levels"]:
            for kind in ("response", "resolution"):
                was = rates.get((period["key"], level["level"], kind))
                if was is not None and was != level[kind]["rate"]:
                    changes.append(f"{period['key']} level {level['level']} {kind} compliance: {was} → "
                                   f"{level[kind]['rate']}")
    return changes
